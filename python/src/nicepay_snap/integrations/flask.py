"""Flask adapter: ``notification_blueprint(handler, on_paid)`` is a ``Blueprint``.

::

    app.register_blueprint(notification_blueprint(NotificationHandler(Client(...)), on_paid))
"""

from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, Response, request

from nicepay_snap._handler import NOTIFICATION_PATHS, NotificationHandler
from nicepay_snap.integrations import OnPaid, require_blocking

__all__ = ["notification_blueprint"]


def notification_blueprint(
    handler: NotificationHandler[Any],
    on_paid: OnPaid,
    *,
    name: str = "nicepay_notifications",
    url_prefix: Optional[str] = None,
) -> Blueprint:
    """A ``Blueprint`` receiving NICEPAY notifications on every documented path (under
    ``url_prefix``) with a handler over a blocking ``Client``."""
    require_blocking(handler, "Flask")
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix)

    def receive() -> Response:
        result = handler.handle(request.headers.items(), request.get_data(), path=request.path)
        if result.fulfil:
            on_paid(result)
        return Response(result.body, status=result.status_code, headers=result.headers)

    for path, _ in NOTIFICATION_PATHS:
        blueprint.add_url_rule(path, endpoint="receive", view_func=receive, methods=["POST"])
    return blueprint
