"""Native core of the ``nicepay_snap`` package (hand-written stub, checked by mypy.stubtest)."""

from typing import Union, overload

from typing_extensions import final

from nicepay_snap._errors import ApiError as ApiError
from nicepay_snap._errors import DecodeError as DecodeError
from nicepay_snap._errors import InvalidInputError as InvalidInputError
from nicepay_snap._errors import NicepayError as NicepayError
from nicepay_snap._errors import OutcomeUnknownError as OutcomeUnknownError
from nicepay_snap._errors import SignatureError as SignatureError
from nicepay_snap._errors import TransportError as TransportError

_Body = Union[str, bytes, bytearray]

__all__ = [
    "__version__",
    "ApiError",
    "DecodeError",
    "InvalidInputError",
    "NicepayError",
    "OutcomeUnknownError",
    "PrivateKey",
    "PublicKey",
    "SignatureError",
    "TransportError",
    "body_sha256_hex",
    "minify_json",
    "normalize_timestamp",
    "sign_token_request",
    "sign_transaction",
    "signed_path",
    "timestamp_now",
    "token_string_to_sign",
    "transaction_string_to_sign",
    "verify_notification",
]

__version__: str

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

def token_string_to_sign(*, client_id: str, timestamp: str) -> str:
    """``clientId|X-TIMESTAMP``, what the access-token request signs."""

def sign_token_request(
    *, private_key: Union[str, PrivateKey], client_id: str, timestamp: str
) -> str:
    """base64 SHA256withRSA over ``clientId|X-TIMESTAMP``: the access-token request's ``X-SIGNATURE``."""

def verify_notification(
    *,
    public_key: Union[str, PublicKey],
    client_id: str,
    timestamp: str,
    signature: str,
) -> bool:
    """``True`` when ``signature`` is NICEPAY's signature of ``clientId|timestamp``.

    The timestamp is used exactly as received. Freshness is not checked and the body is not
    covered by NICEPAY's signature: confirm a payment with a status query before fulfilling.
    Raises ``InvalidInputError`` for an unusable key, client id or timestamp.
    """

@overload
def minify_json(body: str) -> str: ...
@overload
def minify_json(body: Union[bytes, bytearray]) -> bytes: ...
def signed_path(path: str) -> str:
    """The path that is signed: without the ``/nicepay`` prefix, validated."""

def normalize_timestamp(timestamp: str) -> str:
    """The same instant as ``yyyy-MM-ddTHH:mm:ss+07:00`` (accepts ``Z`` or any ``±HH:MM``)."""

def timestamp_now() -> str:
    """The current time as an ``X-TIMESTAMP`` in Jakarta time (``+07:00``)."""
