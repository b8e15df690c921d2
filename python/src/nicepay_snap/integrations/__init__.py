"""Thin adapters of ``NotificationHandler`` to web frameworks: ``nicepay_snap.integrations.fastapi``
(an ``APIRouter`` factory), ``.flask`` (a ``Blueprint``) and ``.django`` (a view and URL patterns).

Each routes ``POST`` on every path of ``nicepay_snap.NOTIFICATION_PATHS``, hands the raw body
bytes (never re-serialized JSON) to the handler, calls ``on_paid(result)`` once for a confirmed
payment the client's store has not seen (``result.fulfil``), then answers the acknowledgement.
``on_paid`` should not raise: the notification is already recorded as seen, so a retry by
NICEPAY would be a duplicate. The frameworks are optional extras:
``pip install "nicepay-snap[fastapi]"`` (or ``[flask]``, ``[django]``).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Union

from nicepay_snap._handler import NotificationHandler, NotificationResult

__all__ = ["OnPaid", "require_blocking"]

#: ``on_paid(result)``: fulfil the order named in ``result.notification``. The FastAPI adapter
#: also awaits a coroutine function.
OnPaid = Callable[[NotificationResult], Union[None, Awaitable[None], Any]]


def require_blocking(handler: NotificationHandler[Any], framework: str) -> None:
    """WSGI frameworks call the handler synchronously: it needs a blocking ``Client``."""
    from nicepay_snap import AsyncClient

    if isinstance(handler.client, AsyncClient):
        raise TypeError(f"the {framework} adapter needs a NotificationHandler over a blocking nicepay_snap.Client")
