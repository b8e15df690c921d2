"""Django adapter: ``notification_view(handler, on_paid)`` is a view (CSRF-exempt, ``POST``
only) and ``notification_urlpatterns(handler, on_paid)`` routes it on every documented path.

::

    urlpatterns = [*notification_urlpatterns(NotificationHandler(Client(...)), on_paid)]
"""

from __future__ import annotations

from typing import Any, Callable, List

# Django ships no type information (django-stubs adds it).
from django.http import HttpRequest, HttpResponse  # type: ignore[import-untyped, unused-ignore]
from django.urls import URLPattern, path  # type: ignore[import-untyped, unused-ignore]
from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped, unused-ignore]
from django.views.decorators.http import require_POST  # type: ignore[import-untyped, unused-ignore]

from nicepay_snap._handler import NOTIFICATION_PATHS, NotificationHandler
from nicepay_snap.integrations import OnPaid, require_blocking

__all__ = ["notification_view", "notification_urlpatterns"]


def notification_view(handler: NotificationHandler[Any], on_paid: OnPaid) -> Callable[[HttpRequest], HttpResponse]:
    """A view receiving NICEPAY notifications with a handler over a blocking ``Client``."""
    require_blocking(handler, "Django")

    def receive(request: HttpRequest) -> HttpResponse:
        result = handler.handle(request.headers.items(), request.body, path=request.path)
        if result.fulfil:
            on_paid(result)
        response = HttpResponse(result.body, status=result.status_code)
        for name, value in result.headers.items():
            response[name] = value
        return response

    view: Callable[[HttpRequest], HttpResponse] = csrf_exempt(require_POST(receive))
    return view


def notification_urlpatterns(handler: NotificationHandler[Any], on_paid: OnPaid, *, prefix: str = "") -> List[URLPattern]:
    """URL patterns routing ``notification_view`` on every documented path under ``prefix``
    (``""`` or e.g. ``"nicepay/"``)."""
    view = notification_view(handler, on_paid)
    return [path(prefix + p.lstrip("/"), view) for p, _ in NOTIFICATION_PATHS]
