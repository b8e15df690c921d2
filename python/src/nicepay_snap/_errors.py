"""The exception hierarchy of ``nicepay_snap``.

The classes are plain Python (so they can inherit from two bases and carry attributes on every
Python version the abi3 wheel supports); the native module raises them, and
``bindings/python/src/errors.rs`` is the one place that maps a core error to one of them.

No message or attribute of these exceptions ever contains a client secret, a private key or an
access token.
"""

from __future__ import annotations

from typing import Dict, Optional

__all__ = [
    "NicepayError",
    "InvalidInputError",
    "SignatureError",
    "ApiError",
    "DecodeError",
    "TransportError",
    "OutcomeUnknownError",
    "StoreError",
]


class NicepayError(Exception):
    """Base class of every error raised by ``nicepay_snap``."""


class InvalidInputError(NicepayError, ValueError):
    """A caller-supplied value (or configured key) is missing or malformed; nothing was sent.

    ``field`` names the offending argument, header or JSON field (``"timestamp"``,
    ``"private_key"``, ``"partnerReferenceNo"``, ...).
    """

    field: Optional[str]

    def __init__(self, message: str, *, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.field = field


class SignatureError(NicepayError):
    """A signature did not verify (for example an inbound notification's ``X-SIGNATURE``)."""


class ApiError(NicepayError):
    """NICEPAY answered with a ``responseCode`` that is not a final success.

    ``response_code`` is the 7-character SNAP code: HTTP status (3) + service code (2) +
    case code (2), e.g. ``"4017301"``; ``http_status`` is the status the transport saw.
    """

    http_status: int
    response_code: str
    service_code: str
    case_code: str
    response_message: str

    def __init__(
        self,
        message: str,
        *,
        http_status: int,
        response_code: str,
        response_message: str,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.response_code = response_code
        self.service_code = response_code[3:5]
        self.case_code = response_code[5:7]
        self.response_message = response_message


class DecodeError(NicepayError):
    """A response or notification body was not the JSON document expected.

    ``body`` keeps the raw bytes for diagnostics (empty for the access-token response, which may
    hold the token); it is never part of the message.
    ``http_status`` is ``0`` when no HTTP response was involved (a notification body).
    """

    http_status: int
    body: bytes

    def __init__(self, message: str, *, http_status: int = 0, body: bytes = b"") -> None:
        super().__init__(message)
        self.http_status = http_status
        self.body = body


class TransportError(NicepayError):
    """The request could not be delivered or its response not read.

    ``kind`` is one of ``"connect"``, ``"timeout"``, ``"io"``, ``"body_too_large"``,
    ``"other"``; ``not_delivered`` is ``True`` only when the request certainly never reached the
    server (so sending it again cannot apply it twice).
    """

    kind: str
    not_delivered: bool

    def __init__(self, message: str, *, kind: str = "other", not_delivered: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.not_delivered = not_delivered


class OutcomeUnknownError(NicepayError):
    """A call that moves money may or may not have been applied (timeout, dropped connection,
    HTTP 5xx, ``504``, ``202``, or an unreadable success).

    Do **not** resend it under a new identity: resolve it with a status query for
    ``identifiers`` (e.g. ``originalReferenceNo``, ``partnerRefundNo``). Resending the very same
    request never applies it twice, but does not settle it either: if NICEPAY recorded the first
    attempt, the resend raises ``ApiError`` with ``http_status`` 409 and ``case_code`` ``"01"``
    (Duplicate), which only proves the first attempt arrived. ``http_status`` / ``response_code`` are set when a
    response was received (``0`` / ``None`` otherwise); ``external_id`` is the last attempt's
    ``X-EXTERNAL-ID``.
    """

    operation: str
    external_id: Optional[str]
    identifiers: Dict[str, str]
    http_status: int
    response_code: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        operation: str = "",
        external_id: Optional[str] = None,
        identifiers: Optional[Dict[str, str]] = None,
        http_status: int = 0,
        response_code: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.operation = operation
        self.external_id = external_id
        self.identifiers = dict(identifiers or {})
        self.http_status = http_status
        self.response_code = response_code


class StoreError(NicepayError):
    """The state store (``store="sqlite:///..."`` or ``"redis://..."``) could not be opened, read
    or written. Raised by a money-moving call, it means its journal entry could not be written
    and nothing was sent. ``backend`` is ``"memory"``, ``"sqlite"`` or ``"redis"``; the message
    never contains a password.
    """

    backend: Optional[str]

    def __init__(self, message: str, *, backend: Optional[str] = None) -> None:
        super().__init__(message)
        self.backend = backend
