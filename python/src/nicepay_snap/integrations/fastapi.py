"""FastAPI (Starlette) adapter: ``notification_router(handler, on_paid)`` is an ``APIRouter``.

::

    app.include_router(notification_router(NotificationHandler(AsyncClient(...)), on_paid))

With an ``AsyncClient`` the handler is awaited; with a blocking ``Client`` it runs in the
thread pool, so the event loop never blocks on the status query.
"""

from __future__ import annotations

import inspect
from typing import Any, Awaitable, cast

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from nicepay_snap import AsyncClient
from nicepay_snap._handler import NOTIFICATION_PATHS, NotificationHandler, NotificationResult
from nicepay_snap.integrations import OnPaid

__all__ = ["notification_router"]


def notification_router(handler: NotificationHandler[Any], on_paid: OnPaid, *, prefix: str = "") -> APIRouter:
    """An ``APIRouter`` receiving NICEPAY notifications on every documented path (under
    ``prefix``); ``on_paid`` (a function or coroutine function) runs for each new payment."""
    router = APIRouter(prefix=prefix)

    async def receive(request: Request) -> Response:
        body = await request.body()
        headers = request.headers.items()
        if isinstance(handler.client, AsyncClient):
            pending = cast("Awaitable[NotificationResult]", handler.handle(headers, body, path=request.url.path))
            result = await pending
        else:
            result = await run_in_threadpool(lambda: handler.handle(headers, body, path=request.url.path))
        if result.fulfil:
            done = on_paid(result)
            if inspect.isawaitable(done):
                await done
        return Response(content=result.body, status_code=result.status_code, headers=result.headers)

    for path, _ in NOTIFICATION_PATHS:
        router.add_api_route(path, receive, methods=["POST"], include_in_schema=False)
    return router
