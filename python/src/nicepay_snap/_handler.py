"""``NotificationHandler``: a framework-free notification endpoint over a client.

It takes what a web framework received (headers, the raw body bytes, the request path) and
answers what to send back (status, headers, the exact acknowledgement bytes) together with what
was verified: the product, the notification, whether it is paid (confirmed by a status query,
because the signature does not cover the body) and whether the client's store has seen it
before. Every refusal (bad signature, stale timestamp, wrong client key, malformed or oversize
body, unknown product) is the documented SNAP error acknowledgement, never an exception. The
decisions are the Rust core's (``nicepay_snap_client::NotificationHandler``), reached through
``native_call``; this module only moves values between it and the client.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import (
    Any,
    Awaitable,
    Dict,
    Generic,
    Iterable,
    List,
    Mapping,
    Optional,
    Tuple,
    TypeVar,
    Union,
    overload,
)

from nicepay_snap._errors import NicepayError
from nicepay_snap._nicepay_snap import AsyncClient, Client, native_call

__all__ = ["NotificationHandler", "NotificationResult", "NOTIFICATION_PATHS"]

#: The inbound paths NICEPAY documents, each with its product. A request path that ends with one
#: of them (so also under a prefix) names its product; the framework adapters route all of them.
NOTIFICATION_PATHS: Tuple[Tuple[str, str], ...] = (
    ("/api/v1.0/qr/qr-mpm-notify", "qris"),
    ("/api/v1.0/qr/qr-mpm-notif", "qris"),
    ("/api/v1.0/transfer-va/payment", "va"),
    ("/api/v1.0/debit/notify", "ewallet"),
    ("/api/v1.0/transfer/notify", "payout"),
)

HeadersLike = Union[Mapping[str, str], Iterable[Tuple[str, str]]]
C = TypeVar("C", Client, AsyncClient)


@dataclass(frozen=True)
class NotificationResult:
    """What to answer a notification with, and what it said.

    Send ``status_code``, ``headers`` and exactly ``body``. Fulfil the order only when
    ``fulfil`` is true (``paid`` and not ``duplicate``).
    """

    status_code: int
    headers: Dict[str, str]
    body: bytes
    product: Optional[str]
    notification: Optional[Dict[str, Any]]
    status: Optional[Dict[str, Any]]
    paid: bool
    duplicate: bool
    error: Optional[str]
    refusal: Optional[str]

    @property
    def fulfil(self) -> bool:
        """``True`` when the order should be fulfilled now: paid, and not seen before."""
        return self.paid and not self.duplicate

    @classmethod
    def _of(cls, answer: Mapping[str, Any]) -> "NotificationResult":
        return cls(
            status_code=int(answer["statusCode"]),
            headers=dict(answer["headers"]),
            body=str(answer["body"]).encode("utf-8"),
            product=answer.get("product"),
            notification=answer.get("notification"),
            status=answer.get("status"),
            paid=bool(answer.get("paid")),
            duplicate=bool(answer.get("duplicate")),
            error=answer.get("error"),
            refusal=answer.get("refusal"),
        )


def _pairs(headers: HeadersLike) -> List[Tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) or hasattr(headers, "items") else headers
    return [(str(k), str(v)) for k, v in items]


class NotificationHandler(Generic[C]):
    """Verifies, confirms and acknowledges NICEPAY notifications with ``client``.

    ``handle`` is blocking for a ``Client`` and returns an awaitable for an ``AsyncClient``.
    ``confirm=False`` skips the status query (``paid`` is then the unsigned body's own claim);
    keep it on unless something else confirms the payment. ``max_body_bytes`` bounds the body
    (default 64 KiB).
    """

    def __init__(self, client: C, *, confirm: bool = True, max_body_bytes: Optional[int] = None) -> None:
        if not isinstance(client, (Client, AsyncClient)):
            raise TypeError("NotificationHandler needs a nicepay_snap.Client or AsyncClient")
        self.client: C = client
        self.confirm = confirm
        self.max_body_bytes = max_body_bytes

    def _triage(self, body: bytes, path: Optional[str], product: Optional[str]) -> Union[str, NotificationResult]:
        """The product to verify the notification as, or the refusal's result."""
        args: Dict[str, Any] = {"body": bytes(body).decode("utf-8", "replace"), "path": path, "product": product}
        if self.max_body_bytes is not None:
            args["maxBodyBytes"] = self.max_body_bytes
        answer = native_call("notificationTriage", args)
        return NotificationResult._of(answer) if "statusCode" in answer else str(answer["product"])

    def _outcome(self, product: str, verified: Any, error: Optional[NicepayError]) -> NotificationResult:
        args: Dict[str, Any] = {"product": product, "confirm": self.confirm}
        if error is None:
            args["verified"] = verified
        else:
            args.update(errorClass=type(error).__name__, field=getattr(error, "field", None), message=str(error))
        return NotificationResult._of(native_call("notificationOutcome", args))

    @overload
    def handle(
        self: "NotificationHandler[Client]",
        headers: HeadersLike,
        body: bytes,
        *,
        path: Optional[str] = None,
        product: Optional[str] = None,
    ) -> NotificationResult: ...
    @overload
    def handle(
        self: "NotificationHandler[AsyncClient]",
        headers: HeadersLike,
        body: bytes,
        *,
        path: Optional[str] = None,
        product: Optional[str] = None,
    ) -> Awaitable[NotificationResult]: ...
    def handle(
        self,
        headers: HeadersLike,
        body: bytes,
        *,
        path: Optional[str] = None,
        product: Optional[str] = None,
    ) -> Union[NotificationResult, Awaitable[NotificationResult]]:
        """Handles one notification received at ``path``: its product is ``product`` when given,
        else the one of the ``NOTIFICATION_PATHS`` entry the path ends with, else the body's.
        ``body`` must be the raw bytes as received."""
        found = self._triage(body, path, product)
        pairs = _pairs(headers)
        if isinstance(self.client, AsyncClient):
            return self._finish_async(self.client, found, pairs, body)
        if isinstance(found, NotificationResult):
            return found
        try:
            verified = self._verify(self.client, found, pairs, body)
        except NicepayError as error:
            return self._outcome(found, None, error)
        return self._outcome(found, verified, None)

    def _verify(self, client: Any, product: str, pairs: List[Tuple[str, str]], body: bytes) -> Any:
        """``verify_and_confirm`` (an awaitable for an ``AsyncClient``), else ``verify_notification``."""
        if self.confirm:
            return client.verify_and_confirm(product=product, headers=pairs, body=body)
        return client.verify_notification(headers=pairs, body=body)

    async def _finish_async(
        self, client: AsyncClient, found: Union[str, NotificationResult], pairs: List[Tuple[str, str]], body: bytes
    ) -> NotificationResult:
        if isinstance(found, NotificationResult):
            return found
        try:
            verified = self._verify(client, found, pairs, body)
            if inspect.isawaitable(verified):
                verified = await verified
        except NicepayError as error:
            return self._outcome(found, None, error)
        return self._outcome(found, verified, None)
