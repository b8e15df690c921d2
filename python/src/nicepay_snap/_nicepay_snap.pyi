# Partly generated: the regions between `# <generated: ...>` markers are written by
# `cargo run -p xtask -- codegen` from the operation registry — do not edit them.
"""Native core of the ``nicepay_snap`` package (stub checked by mypy.stubtest)."""

from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union, overload

from typing_extensions import Literal, Self, final

# <generated: imports>
from nicepay_snap.types import (
    AccountBindingRequest,
    AccountBindingResponse,
    AccountInquiryRequest,
    AccountInquiryResponse,
    AccountUnbindingRequest,
    AccountUnbindingResponse,
    BalanceInquiryRequest,
    BalanceInquiryResponse,
    EwalletConfirmation,
    EwalletPaymentRequest,
    EwalletPaymentResponse,
    EwalletRefundRequest,
    EwalletRefundResponse,
    EwalletStatusRequest,
    EwalletStatusResponse,
    Exchange,
    PayoutConfirmation,
    PayoutReference,
    PayoutRegistrationRequest,
    PayoutRegistrationResponse,
    PayoutResponse,
    QrisConfirmation,
    QrisGenerateRequest,
    QrisGenerateResponse,
    QrisQueryRequest,
    QrisQueryResponse,
    QrisRefundRequest,
    QrisRefundResponse,
    VaConfirmation,
    VaCreateRequest,
    VaCreateResponse,
    VaDeleteRequest,
    VaDeleteResponse,
    VaStatusRequest,
    VaStatusResponse,
)
# </generated: imports>

from nicepay_snap._errors import ApiError as ApiError
from nicepay_snap._errors import DecodeError as DecodeError
from nicepay_snap._errors import InvalidInputError as InvalidInputError
from nicepay_snap._errors import NicepayError as NicepayError
from nicepay_snap._errors import OutcomeUnknownError as OutcomeUnknownError
from nicepay_snap._errors import StoreError as StoreError
from nicepay_snap._errors import SignatureError as SignatureError
from nicepay_snap._errors import TransportError as TransportError

_Body = Union[str, bytes, bytearray]
_Json = Dict[str, Any]
_Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]

__all__ = [
    "__version__",
    "OPERATIONS",
    "ApiError",
    "AsyncClient",
    "Client",
    "DecodeError",
    "InvalidInputError",
    "NicepayError",
    "OutcomeUnknownError",
    "StoreError",
    "PrivateKey",
    "PublicKey",
    "SignatureError",
    "Native",
    "TransportError",
    "body_sha256_hex",
    "minify_json",
    "native_call",
    "sign_token_request",
    "sign_transaction",
    "transaction_string_to_sign",
]

__version__: str
OPERATIONS: Tuple[str, ...]
"""Operation names accepted by ``Client.execute`` (``"qris.refund"``, ``"va.create"``, ...)."""

@final
class PrivateKey:
    """The merchant's RSA private key, parsed once; its repr never shows key material.

    Accepts bare base64 PKCS#8, PEM PKCS#8 or PEM PKCS#1, with line breaks or literal ``\\n``.
    Raises ``InvalidInputError`` (``field="private_key"``) if the text is not such a key.
    """

    def __new__(cls, text: str, /) -> "PrivateKey": ...
    def public_key(self) -> "PublicKey":
        """The matching public key (the one registered with NICEPAY)."""
    def sign(self, message: _Body, /) -> str:
        """base64 SHA256withRSA (PKCS#1 v1.5) over the message's exact bytes."""

@final
class PublicKey:
    """An RSA public key: NICEPAY's notification key, or the merchant's own.

    Accepts bare base64 SPKI, PEM ``PUBLIC KEY`` or PEM ``RSA PUBLIC KEY``.
    """

    def __new__(cls, text: str, /) -> "PublicKey": ...
    def to_base64(self) -> str:
        """Bare base64 of the SubjectPublicKeyInfo DER (the form NICEPAY exchanges)."""
    def to_pem(self) -> str:
        """PEM ``PUBLIC KEY`` text."""
    def verify(self, message: _Body, signature: str, /) -> bool:
        """``True`` when the base64 SHA256withRSA signature verifies over the message."""
    def __eq__(self, value: object, /) -> bool: ...

def transaction_string_to_sign(
    *, method: str, path: str, access_token: str, body: _Body, timestamp: str
) -> str:
    """``METHOD:path:accessToken:sha256hex(body):X-TIMESTAMP`` (path without ``/nicepay``).

    Contains the access token: treat the result as a secret.
    """

def sign_transaction(
    *,
    client_secret: str,
    method: str,
    path: str,
    access_token: str,
    body: _Body,
    timestamp: str,
) -> str:
    """base64(HMAC-SHA512(client_secret, transaction string-to-sign)): a transactional ``X-SIGNATURE``.

    ``body`` is signed exactly as given (a ``str`` as its UTF-8 bytes): send those same bytes.
    ``timestamp`` must be ``yyyy-MM-ddTHH:mm:ss+07:00`` (see ``normalize_timestamp``).
    """

def body_sha256_hex(body: _Body) -> str:
    """Lowercase hex SHA-256 of the body's exact bytes."""

def sign_token_request(
    *, private_key: Union[str, PrivateKey], client_id: str, timestamp: str
) -> str:
    """base64 SHA256withRSA over ``clientId|X-TIMESTAMP``: the access-token request's ``X-SIGNATURE``."""

@overload
def minify_json(body: str) -> str: ...
@overload
def minify_json(body: Union[bytes, bytearray]) -> bytes: ...

def native_call(name: str, args: Optional[Mapping[str, Any]] = None) -> Any:
    """Runs an SDK function by name with camelCase arguments (the package's facades use it)."""

@final
class Native:
    """An SDK object of one kind, called by method name (the package's facades use it)."""

    def __new__(cls, kind: str, args: Optional[Mapping[str, Any]] = None) -> "Native": ...
    def call(self, method: str, args: Optional[Mapping[str, Any]] = None) -> Any: ...

class _ClientBase:
    """What ``Client`` and ``AsyncClient`` share: the constructors and the configuration."""

    def __new__(
        cls,
        *,
        client_id: str,
        client_secret: str,
        private_key: Union[str, PrivateKey],
        notification_public_key: Union[str, PublicKey, None] = None,
        base_url: Optional[str] = None,
        environment: str = "sandbox",
        host_family: str = "classic",
        channel_id: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        on_exchange: Optional[Callable[[Exchange], object]] = None,
        connect_retries: Optional[int] = None,
        token_refresh_margin: Optional[float] = None,
        store: Optional[str] = None,
    ) -> Self: ...
    @classmethod
    def from_env(
        cls,
        *,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        on_exchange: Optional[Callable[[Exchange], object]] = None,
        connect_retries: Optional[int] = None,
        token_refresh_margin: Optional[float] = None,
        store: Optional[str] = None,
    ) -> Self:
        """A client from ``NICEPAY_CLIENT_ID``, ``NICEPAY_CLIENT_SECRET``, ``NICEPAY_PRIVATE_KEY``
        and the optional ``NICEPAY_NOTIFICATION_PUBLIC_KEY``, ``NICEPAY_BASE_URL``,
        ``NICEPAY_ENVIRONMENT``, ``NICEPAY_HOST_FAMILY``, ``NICEPAY_CHANNEL_ID``."""
    @property
    def client_id(self) -> str:
        """The client id (iMid)."""
    @property
    def base_url(self) -> str:
        """The base URL including ``/nicepay``."""

@final
class Client(_ClientBase):
    """Blocking NICEPAY SNAP client (ureq under the hood; the GIL is released during calls).

    Caches the access token (refreshed before its 900 s expiry), retries once on
    ``401xx01``, gives every request a fresh ``X-EXTERNAL-ID`` and never resends a refund whose
    outcome is unknown: that raises ``OutcomeUnknownError``. Requests and responses are dicts
    with NICEPAY's camelCase JSON names. Thread-safe; share one instance.

    ``base_url`` (e.g. ``"http://127.0.0.1:8080"``, ``/nicepay`` is appended) overrides
    ``environment`` (``"sandbox"`` or ``"production"``); ``host_family`` is ``"classic"``
    (``dev``/``www.nicepay.co.id``) or ``"cloud"`` (``dev-services``/``services``).
    Timeouts are in seconds.

    ``on_exchange`` is called after every HTTP exchange (token requests, the ``401xx01`` retry
    and resends included) with a ``types.Exchange`` dict (operation, ``external_id``, attempt,
    ``elapsed_ms``, ``http_status``, ``response_code``, ``transport_error``; never a secret), on
    the calling thread (``Client``) or a runtime thread (``AsyncClient``), holding the GIL. For
    logs and metrics: keep it quick; an exception in it is reported via ``sys.unraisablehook``.

    ``connect_retries`` (default 1, at most 10): byte-identical resends of a request that
    certainly never reached NICEPAY (connection refused, DNS, TLS handshake).
    ``token_refresh_margin`` (seconds, default 60, at most 600): refresh the access token this
    long before it expires.

    ``store`` is where the access token, the journal of money-moving calls and the processed
    notifications live: ``"memory:"`` (the default, this client only), ``"sqlite:///abs/path.db"``
    (the processes of one machine) or ``"redis://host:port/db"`` (many machines); see the README's
    "State store". A bad URL, an unwritable file or an unreachable Redis raises at construction
    (``InvalidInputError`` / ``StoreError``); a money-moving call whose journal entry cannot be
    written raises ``StoreError`` and sends nothing.
    """

    def pending_outcomes(self) -> List[Dict[str, Any]]:
        """The money-moving calls whose outcome is open in the ``store`` (any process's),
        oldest first: ``state`` ``"inFlight"`` (its process may have died) or ``"unknown"``."""
    def resolve_pending(self) -> List[Dict[str, Any]]:
        """Settles each pending outcome by the product's status query (never by resending) and
        records the result (``state`` ``"succeeded"`` or ``"refused"``); returns every entry it
        looked at, with ``detail`` saying why one stays open."""

    def access_token(self) -> str:
        """A valid access token (cached). A secret: never log it."""
    def execute(self, operation: str, request: Mapping[str, Any], /) -> _Json:
        """Any operation by name (one of ``OPERATIONS``) with a dict payload."""
    def execute_raw(self, method: str, path: str, body: Mapping[str, Any], /, *, money_moving: bool) -> _Json:
        """A raw signed call for endpoints the SDK does not type yet (same token, retry and
        money-safety rules; with ``money_moving`` a timeout or 5xx raises ``OutcomeUnknownError``)."""
    def customer_token(self, request: Mapping[str, Any], /) -> _Json:
        """A customer (B2B2C) token for an account binding: ``{"grantType": "AUTHORIZATION_CODE",
        "authCode": ...}`` or ``{"grantType": "REFRESH_TOKEN", "refreshToken": ...}``."""
    # <generated: Client named methods>
    def qris_generate(self, request: QrisGenerateRequest, /) -> QrisGenerateResponse:
        """QRIS generate: create a dynamic QR for an amount (``referenceNo``, ``qrContent``) (``qris.generate``)."""
    def qris_query(self, request: QrisQueryRequest, /) -> QrisQueryResponse:
        """QRIS status query: the latest status of a QRIS transaction (``qris.query``)."""
    def qris_refund(self, request: QrisRefundRequest, /) -> QrisRefundResponse:
        """QRIS refund: return (part of) a paid QRIS payment (``qris.refund``). Moves money: an unknown outcome raises ``OutcomeUnknownError``; resolve it with a status query, never by resending."""
    def va_create(self, request: VaCreateRequest, /) -> VaCreateResponse:
        """Virtual Account create: an empty ``virtualAccountNo`` is generated; keep ``additionalInfo.tXidVA`` for status and delete (``va.create``)."""
    def va_status(self, request: VaStatusRequest, /) -> VaStatusResponse:
        """Virtual Account status inquiry: ``latestTransactionStatus`` ``03`` unpaid, ``00`` paid, ``04`` cancelled or expired (``va.status``)."""
    def va_delete(self, request: VaDeleteRequest, /) -> VaDeleteResponse:
        """Virtual Account delete, sent and signed as HTTP ``DELETE`` with a JSON body (a paid VA cannot be deleted) (``va.delete``)."""
    def ewallet_payment(self, request: EwalletPaymentRequest, /) -> EwalletPaymentResponse:
        """E-wallet payment host-to-host: the customer then approves at ``webRedirectUrl`` (or ``appRedirectUrl``) (``ewallet.payment``)."""
    def ewallet_status(self, request: EwalletStatusRequest, /) -> EwalletStatusResponse:
        """E-wallet payment status: ``latestTransactionStatus`` ``03`` pending, ``00`` paid, ``04`` refunded, ``05`` declined (``ewallet.status``)."""
    def ewallet_refund(self, request: EwalletRefundRequest, /) -> EwalletRefundResponse:
        """E-wallet refund of a paid e-wallet payment (``ewallet.refund``). Moves money: an unknown outcome raises ``OutcomeUnknownError``; resolve it with a status query, never by resending."""
    def payout_registration(self, request: PayoutRegistrationRequest, /) -> PayoutRegistrationResponse:
        """Payout registration: creates a payout awaiting approve or reject (``transactionStatus`` ``03``; no money moves yet) (``payout.registration``)."""
    def payout_approve(self, request: PayoutReference, /) -> PayoutResponse:
        """Payout approve: sends a registered payout (``payout.approve``). Moves money: an unknown outcome raises ``OutcomeUnknownError``; resolve it with a status query, never by resending."""
    def payout_inquiry(self, request: PayoutReference, /) -> PayoutResponse:
        """Payout status inquiry (needs ``beneficiaryAccountNo``): ``transactionStatus`` ``03`` pending, ``00`` success, ``04`` cancelled, ``05`` rejected (``payout.inquiry``)."""
    def payout_cancel(self, request: PayoutReference, /) -> PayoutResponse:
        """Payout cancel (scheduled payouts only) (``payout.cancel``)."""
    def payout_reject(self, request: PayoutReference, /) -> PayoutResponse:
        """Payout reject of a registered payout (``payout.reject``)."""
    def balance_inquiry(self, request: BalanceInquiryRequest, /) -> BalanceInquiryResponse:
        """Merchant balance inquiry: ``accountInfos[0].availableBalance`` (``payout.balance``)."""
    def account_binding(self, request: AccountBindingRequest, /) -> AccountBindingResponse:
        """E-wallet account binding (AstraPay ``ASTR``, AlloBank ``ALLO``): send the customer to ``redirectUrl``; the auth code then buys a customer token (``account.binding``)."""
    def account_inquiry(self, request: AccountInquiryRequest, /) -> AccountInquiryResponse:
        """E-wallet binding inquiry, with the customer token's refresh token (``account.inquiry``)."""
    def account_unbinding(self, request: AccountUnbindingRequest, /) -> AccountUnbindingResponse:
        """E-wallet account unbinding, with the binding's ``referenceNo`` and auth code (``account.unbinding``)."""
    # </generated: Client named methods>
    def verify_notification(self, *, headers: _Headers, body: _Body) -> _Json:
        """Verifies a NICEPAY notification (fresh ``X-TIMESTAMP``, ``X-CLIENT-KEY``,
        ``X-SIGNATURE``) and returns its JSON body. Raises ``SignatureError`` or
        ``InvalidInputError``. The signature does not cover the body: confirm with a query."""
    @overload
    def verify_and_confirm(self, *, product: Literal["qris"], headers: _Headers, body: _Body) -> QrisConfirmation: ...
    @overload
    def verify_and_confirm(self, *, product: Literal["va"], headers: _Headers, body: _Body) -> VaConfirmation: ...
    @overload
    def verify_and_confirm(
        self, *, product: Literal["ewallet"], headers: _Headers, body: _Body
    ) -> EwalletConfirmation: ...
    @overload
    def verify_and_confirm(
        self, *, product: Literal["payout"], headers: _Headers, body: _Body
    ) -> PayoutConfirmation: ...
    @overload
    def verify_and_confirm(
        self, *, product: str, headers: _Headers, body: _Body
    ) -> Union[QrisConfirmation, VaConfirmation, EwalletConfirmation, PayoutConfirmation]:
        """Verifies a notification, then confirms it with a status query.

        ``product`` is ``"qris"``, ``"va"``, ``"ewallet"`` or ``"payout"``. Returns ``{"notification": dict,
        "status": dict, "paid": bool, "duplicate": bool}`` (typed per product): fulfil the order
        only when ``paid`` is ``True`` and ``duplicate`` is ``False`` (``duplicate``: the client's
        ``store`` already confirmed this notification as paid, in this or another process).
        """

@final
class AsyncClient(_ClientBase):
    """asyncio twin of ``Client`` (reqwest on a tokio runtime); methods return awaitables."""

    def pending_outcomes(self) -> Awaitable[List[Dict[str, Any]]]:
        """The money-moving calls whose outcome is open (see ``Client``)."""
    def resolve_pending(self) -> Awaitable[List[Dict[str, Any]]]:
        """Settles the pending outcomes by status query (see ``Client``)."""
    def access_token(self) -> Awaitable[str]:
        """A valid access token (cached). A secret: never log it."""
    def execute(self, operation: str, request: Mapping[str, Any], /) -> Awaitable[_Json]:
        """Any operation by name (one of ``OPERATIONS``) with a dict payload."""
    def execute_raw(
        self, method: str, path: str, body: Mapping[str, Any], /, *, money_moving: bool
    ) -> Awaitable[_Json]:
        """A raw signed call (see ``Client.execute_raw``)."""
    def customer_token(self, request: Mapping[str, Any], /) -> Awaitable[_Json]:
        """A customer (B2B2C) token for an account binding (see ``Client.customer_token``)."""
    # <generated: AsyncClient named methods>
    def qris_generate(self, request: QrisGenerateRequest, /) -> Awaitable[QrisGenerateResponse]:
        """QRIS generate: create a dynamic QR for an amount (``referenceNo``, ``qrContent``) (``qris.generate``)."""
    def qris_query(self, request: QrisQueryRequest, /) -> Awaitable[QrisQueryResponse]:
        """QRIS status query: the latest status of a QRIS transaction (``qris.query``)."""
    def qris_refund(self, request: QrisRefundRequest, /) -> Awaitable[QrisRefundResponse]:
        """QRIS refund: return (part of) a paid QRIS payment (``qris.refund``). Moves money: an unknown outcome raises ``OutcomeUnknownError``; resolve it with a status query, never by resending."""
    def va_create(self, request: VaCreateRequest, /) -> Awaitable[VaCreateResponse]:
        """Virtual Account create: an empty ``virtualAccountNo`` is generated; keep ``additionalInfo.tXidVA`` for status and delete (``va.create``)."""
    def va_status(self, request: VaStatusRequest, /) -> Awaitable[VaStatusResponse]:
        """Virtual Account status inquiry: ``latestTransactionStatus`` ``03`` unpaid, ``00`` paid, ``04`` cancelled or expired (``va.status``)."""
    def va_delete(self, request: VaDeleteRequest, /) -> Awaitable[VaDeleteResponse]:
        """Virtual Account delete, sent and signed as HTTP ``DELETE`` with a JSON body (a paid VA cannot be deleted) (``va.delete``)."""
    def ewallet_payment(self, request: EwalletPaymentRequest, /) -> Awaitable[EwalletPaymentResponse]:
        """E-wallet payment host-to-host: the customer then approves at ``webRedirectUrl`` (or ``appRedirectUrl``) (``ewallet.payment``)."""
    def ewallet_status(self, request: EwalletStatusRequest, /) -> Awaitable[EwalletStatusResponse]:
        """E-wallet payment status: ``latestTransactionStatus`` ``03`` pending, ``00`` paid, ``04`` refunded, ``05`` declined (``ewallet.status``)."""
    def ewallet_refund(self, request: EwalletRefundRequest, /) -> Awaitable[EwalletRefundResponse]:
        """E-wallet refund of a paid e-wallet payment (``ewallet.refund``). Moves money: an unknown outcome raises ``OutcomeUnknownError``; resolve it with a status query, never by resending."""
    def payout_registration(self, request: PayoutRegistrationRequest, /) -> Awaitable[PayoutRegistrationResponse]:
        """Payout registration: creates a payout awaiting approve or reject (``transactionStatus`` ``03``; no money moves yet) (``payout.registration``)."""
    def payout_approve(self, request: PayoutReference, /) -> Awaitable[PayoutResponse]:
        """Payout approve: sends a registered payout (``payout.approve``). Moves money: an unknown outcome raises ``OutcomeUnknownError``; resolve it with a status query, never by resending."""
    def payout_inquiry(self, request: PayoutReference, /) -> Awaitable[PayoutResponse]:
        """Payout status inquiry (needs ``beneficiaryAccountNo``): ``transactionStatus`` ``03`` pending, ``00`` success, ``04`` cancelled, ``05`` rejected (``payout.inquiry``)."""
    def payout_cancel(self, request: PayoutReference, /) -> Awaitable[PayoutResponse]:
        """Payout cancel (scheduled payouts only) (``payout.cancel``)."""
    def payout_reject(self, request: PayoutReference, /) -> Awaitable[PayoutResponse]:
        """Payout reject of a registered payout (``payout.reject``)."""
    def balance_inquiry(self, request: BalanceInquiryRequest, /) -> Awaitable[BalanceInquiryResponse]:
        """Merchant balance inquiry: ``accountInfos[0].availableBalance`` (``payout.balance``)."""
    def account_binding(self, request: AccountBindingRequest, /) -> Awaitable[AccountBindingResponse]:
        """E-wallet account binding (AstraPay ``ASTR``, AlloBank ``ALLO``): send the customer to ``redirectUrl``; the auth code then buys a customer token (``account.binding``)."""
    def account_inquiry(self, request: AccountInquiryRequest, /) -> Awaitable[AccountInquiryResponse]:
        """E-wallet binding inquiry, with the customer token's refresh token (``account.inquiry``)."""
    def account_unbinding(self, request: AccountUnbindingRequest, /) -> Awaitable[AccountUnbindingResponse]:
        """E-wallet account unbinding, with the binding's ``referenceNo`` and auth code (``account.unbinding``)."""
    # </generated: AsyncClient named methods>
    def verify_notification(self, *, headers: _Headers, body: _Body) -> _Json:
        """Verifies a notification (synchronous: no IO) and returns its JSON body."""
    @overload
    def verify_and_confirm(
        self, *, product: Literal["qris"], headers: _Headers, body: _Body
    ) -> Awaitable[QrisConfirmation]: ...
    @overload
    def verify_and_confirm(
        self, *, product: Literal["va"], headers: _Headers, body: _Body
    ) -> Awaitable[VaConfirmation]: ...
    @overload
    def verify_and_confirm(
        self, *, product: Literal["ewallet"], headers: _Headers, body: _Body
    ) -> Awaitable[EwalletConfirmation]: ...
    @overload
    def verify_and_confirm(
        self, *, product: Literal["payout"], headers: _Headers, body: _Body
    ) -> Awaitable[PayoutConfirmation]: ...
    @overload
    def verify_and_confirm(
        self, *, product: str, headers: _Headers, body: _Body
    ) -> Awaitable[Union[QrisConfirmation, VaConfirmation, EwalletConfirmation, PayoutConfirmation]]:
        """Verifies a notification, then confirms it with a status query (see ``Client``)."""
