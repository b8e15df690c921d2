"""Pure-Python facades over the native SDK functions and objects (``native_call`` / ``Native``).

Each class or function here converts Python arguments to the camelCase JSON arguments of one
entry of the Rust table (``nicepay_snap_client::native``) and the result back; the rules live in
Rust. Errors are the package's exception classes (``InvalidInputError`` for bad arguments).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Union

from nicepay_snap._nicepay_snap import Native, PublicKey, native_call

Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]


def _args(**kwargs: Any) -> Dict[str, Any]:
    """snake_case keyword arguments as the camelCase JSON arguments, ``None`` left out."""

    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)

    return {camel(k): v for k, v in kwargs.items() if v is not None}


def _pairs(headers: Headers) -> List[List[str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [[name, value] for name, value in items]


def _text(body: Union[str, bytes, bytearray]) -> str:
    # A body that is not UTF-8 is not JSON either: its replacement characters make the
    # signature or the JSON check fail, so it is refused like any other bad body.
    if isinstance(body, str):
        return body
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body).decode("utf-8", "replace")
    raise TypeError(f"body must be str or bytes, not {type(body).__name__}")


def signed_path(path: str) -> str:
    """The path that is signed: without ``/nicepay``, checked (leading ``/``, no query, no
    trailing ``/``)."""
    result: str = native_call("signedPath", {"path": path})
    return result


def normalize_timestamp(timestamp: str) -> str:
    """The same instant as ``yyyy-MM-ddTHH:mm:ss+07:00`` (accepts ``Z`` or any ``±HH:MM``)."""
    result: str = native_call("normalizeTimestamp", {"timestamp": timestamp})
    return result


def timestamp_now() -> str:
    """The current time as an ``X-TIMESTAMP`` in Jakarta time (``+07:00``)."""
    result: str = native_call("timestampNow")
    return result


def token_string_to_sign(*, client_id: str, timestamp: str) -> str:
    """``clientId|X-TIMESTAMP``: what the token request (and a NICEPAY notification) signs."""
    result: str = native_call("tokenStringToSign", {"clientId": client_id, "timestamp": timestamp})
    return result


def verify_notification(*, public_key: Union[str, PublicKey], client_id: str, timestamp: str, signature: str) -> bool:
    """``True`` when ``signature`` is NICEPAY's SHA256withRSA signature of
    ``clientId|timestamp`` (the timestamp exactly as received). Does not check freshness and
    does not cover the body. ``public_key``: PEM or bare base64 text, or a ``PublicKey``."""
    key = public_key.to_pem() if isinstance(public_key, PublicKey) else public_key
    args = {"publicKey": key, "signature": signature, "clientId": client_id, "timestamp": timestamp}
    return bool(native_call("verifyNotification", args))


class HttpAnswer(NamedTuple):
    """An HTTP answer to send: the status, the headers and the exact body bytes."""

    status: int
    headers: Dict[str, str]
    body: bytes


def _answer(value: Mapping[str, Any]) -> HttpAnswer:
    return HttpAnswer(value["status"], dict(value["headers"]), value["body"].encode("utf-8"))


def acknowledgement(
    product: str,
    kind: str = "success",
    *,
    message: Optional[str] = None,
) -> HttpAnswer:
    """The answer to a NICEPAY notification of ``product`` (``"qris"``, ``"va"``, ``"ewallet"``,
    ``"payout"``): ``kind`` ``"success"`` (``200{svc}00``), ``"unauthorized"`` (``401{svc}00``,
    a bad signature) or ``"bad_request"`` (``400{svc}01``, with ``message``)."""
    kind = "badRequest" if kind == "bad_request" else kind
    return _answer(native_call("acknowledgement", _args(product=product, kind=kind, message=message)))


def generate_key_pair(bits: int = 2048) -> Tuple[str, str]:
    """A new RSA key pair from the operating system's random source, as
    ``(private_key_pem, public_key_pem)``: register the public key with NICEPAY, keep the
    private key secret (PKCS#8 PEM)."""
    pair = native_call("generateKeyPair", {"bits": bits})
    return pair["privateKeyPem"], pair["publicKeyPem"]


def source_allowed(ip: str, ranges: Optional[Iterable[str]] = None) -> bool:
    """Whether a notification came from an allowed address: NICEPAY's published ranges by
    default, or ``ranges`` (CIDR networks or single addresses) when given."""
    return bool(native_call("sourceAllowed", _args(ip=ip, ranges=None if ranges is None else list(ranges))))


class PreparedRequest(NamedTuple):
    """A signed request to send as it is: the exact ``body`` bytes were hashed and signed."""

    method: str
    url: str
    path: str
    headers: List[Tuple[str, str]]
    body: bytes


class _Facade:
    """An object of the native table; its repr shows nothing of the settings (secrets)."""

    _native: Native

    def __repr__(self) -> str:
        return f"{type(self).__name__}(...)"


def _open(kind: str, settings: Dict[str, Any]) -> Native:
    """The native object ``kind`` from a constructor's ``locals()`` (its keyword arguments)."""
    return Native(kind, _args(**{k: v for k, v in settings.items() if k not in ("self", "__class__")}))


class RequestBuilder(_Facade):
    """The sans-IO request side, for sending with your own HTTP client: prepares signed requests
    (URL, headers, exact body bytes) and parses NICEPAY's answers into dicts or the package's
    errors. Takes the settings of ``Client`` (``private_key`` as PEM text). Nothing here does
    IO; the access token and its caching are yours."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        private_key: str,
        notification_public_key: Optional[str] = None,
        base_url: Optional[str] = None,
        environment: Optional[str] = None,
        host_family: Optional[str] = None,
        channel_id: Optional[str] = None,
    ) -> None:
        self._native = _open("requestBuilder", locals())

    def _prepare(self, **kwargs: Any) -> PreparedRequest:
        p = self._native.call("prepare", _args(**kwargs))
        headers = [(name, value) for name, value in p["headers"]]
        return PreparedRequest(p["method"], p["url"], p["path"], headers, p["body"].encode("utf-8"))

    def prepare_access_token(self, *, timestamp: Optional[str] = None) -> PreparedRequest:
        """The B2B access-token request (signed with the private key)."""
        return self._prepare(operation="access-token", timestamp=timestamp)

    def prepare(
        self,
        operation: str,
        request: Mapping[str, Any],
        *,
        access_token: str,
        timestamp: Optional[str] = None,
        external_id: Optional[str] = None,
    ) -> PreparedRequest:
        """A named operation (``"qris.refund"``, ... see ``OPERATIONS``). ``timestamp``
        defaults to now and ``external_id`` to a fresh unique one: to resend a money-moving
        request after an unknown outcome, resend the same prepared bytes, never a new one."""
        return self._prepare(
            operation=operation,
            request=request,
            access_token=access_token,
            timestamp=timestamp,
            external_id=external_id,
        )

    def prepare_raw(
        self,
        method: str,
        path: str,
        request: Mapping[str, Any],
        *,
        access_token: str,
        timestamp: Optional[str] = None,
        external_id: Optional[str] = None,
    ) -> PreparedRequest:
        """An endpoint the SDK does not type yet: ``request`` is sent as compact JSON."""
        return self._prepare(
            method=method,
            path=path,
            request=request,
            access_token=access_token,
            timestamp=timestamp,
            external_id=external_id,
        )

    def parse(
        self,
        operation: str,
        http_status: int,
        body: Union[str, bytes, bytearray],
        headers: Optional[Headers] = None,
    ) -> Dict[str, Any]:
        """NICEPAY's answer to ``operation`` (or ``"access-token"``) as a dict; a SNAP refusal
        raises ``ApiError``, a body that is not the operation's answer ``DecodeError``."""
        args = _args(operation=operation, http_status=http_status, body=_text(body))
        if headers is not None:
            args["headers"] = _pairs(headers)
        result: Dict[str, Any] = self._native.call("parse", args)
        return result


Bill = Union[Mapping[str, Any], str, None]


def _bill(bill: Bill) -> Dict[str, Any]:
    if bill is None:
        return {"status": "notFound"}
    if isinstance(bill, str):
        return {"status": {"not_found": "notFound"}.get(bill, bill)}
    return {"status": "open", **bill}


class Received(NamedTuple):
    """What ``MerchantServer.receive`` made of a request: ``kind`` ``"respond"`` (send
    ``response`` as it is), or ``"va_inquiry"`` / ``"va_payment"`` / ``"va_reversal"`` with the
    verified ``request`` to answer."""

    kind: str
    request: Optional[Dict[str, Any]]
    response: Optional[HttpAnswer]


_KINDS = {"respond": "respond", "vaInquiry": "va_inquiry", "vaPayment": "va_payment", "vaReversal": "va_reversal"}


class MerchantServer(_Facade):
    """The merchant's side of NIVA (NICEPAY calls the merchant's SNAP endpoints, spec §8.2),
    sans-IO: hand it each request NICEPAY sends and send back what it answers. It verifies
    NICEPAY's token request (RSA, ``nicepay_public_key``), issues tokens, verifies the HMAC
    signature of each inquiry, payment and reversal under ``client_secret`` (the secret the
    merchant issued to NICEPAY), refuses replays of ``X-EXTERNAL-ID``, and builds every SNAP
    answer. Tokens and seen ids live in this object: one per process."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        nicepay_public_key: str,
        token_lifetime_seconds: Optional[int] = None,
        max_skew_seconds: Optional[int] = None,
        mount_prefix: Optional[str] = None,
    ) -> None:
        self._native = _open("merchantServer", locals())

    def receive(
        self,
        method: str,
        path: str,
        headers: Headers,
        body: Union[str, bytes, bytearray],
        *,
        timestamp: Optional[str] = None,
    ) -> Received:
        """Verifies one request (``path`` as received, query ignored)."""
        args = _args(method=method, path=path, headers=_pairs(headers), body=_text(body), timestamp=timestamp)
        r = self._native.call("receive", args)
        response = _answer(r["response"]) if "response" in r else None
        return Received(_KINDS[r["kind"]], r.get("request"), response)

    def _answer(self, kind: str, request: Mapping[str, Any], **extra: Any) -> HttpAnswer:
        return _answer(self._native.call("answer", {"kind": kind, "request": request, **extra}))

    def answer_inquiry(self, request: Mapping[str, Any], bill: Bill) -> HttpAnswer:
        """The answer to a verified inquiry. ``bill``: a dict with ``virtualAccountName``,
        ``totalAmount`` (``{"value": "10000.00", "currency": "IDR"}``) and optionally
        ``additionalInfo``; or ``None`` / ``"not_found"``, ``"paid"``, ``"expired"``."""
        return self._answer("vaInquiry", request, answer=_bill(bill))

    def answer_payment(self, request: Mapping[str, Any], bill: Bill) -> HttpAnswer:
        """The answer to a verified payment: accepted (``2002500``) only when ``bill`` is open
        and the paid amount equals its total. Record the payment only when the status is 200."""
        return self._answer("vaPayment", request, answer=_bill(bill))

    def answer_reversal(self, request: Mapping[str, Any], accepted: bool) -> HttpAnswer:
        """The answer to a verified reversal of a paid VA."""
        return self._answer("vaReversal", request, accepted=accepted)

    def handle(
        self,
        method: str,
        path: str,
        headers: Headers,
        body: Union[str, bytes, bytearray],
        lookup: Callable[[str, Dict[str, Any]], Any],
        on_paid: Optional[Callable[[Dict[str, Any]], None]] = None,
    ) -> HttpAnswer:
        """``receive``, then the answer: ``lookup(kind, request)`` returns the bill (for
        ``va_inquiry`` / ``va_payment``, see ``answer_inquiry``) or whether a reversal is
        accepted (``va_reversal``); ``on_paid(request)`` runs once a payment is accepted (the
        answer is 200), before the answer is returned. Both run only for verified requests."""
        received = self.receive(method, path, headers, body)
        if received.response is not None:
            return received.response
        request = received.request or {}
        answer = lookup(received.kind, request)
        if received.kind == "va_reversal":
            return self.answer_reversal(request, bool(answer))
        if received.kind == "va_inquiry":
            return self.answer_inquiry(request, answer)
        response = self.answer_payment(request, answer)
        if response.status == 200 and on_paid is not None:
            on_paid(request)
        return response

    def live_tokens(self) -> int:
        """Tokens issued and not yet expired."""
        count: int = self._native.call("liveTokens")
        return count
