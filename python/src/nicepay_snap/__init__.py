"""NICEPAY SNAP for Python: exact-bytes signatures and notification verification.

Everything is implemented by the Rust core (``nicepay_snap._nicepay_snap``); this module is the
public facade. Quick start::

    import nicepay_snap as snap

    signature = snap.sign_transaction(
        client_secret=secret,
        method="POST",
        path="/api/v1.0/qr/qr-mpm-refund",
        access_token=token,
        body=body,                      # str or bytes: these exact bytes are signed; send them
        timestamp=snap.timestamp_now(), # yyyy-MM-ddTHH:mm:ss+07:00
    )

Client requests and responses are dicts keyed by NICEPAY's camelCase JSON names; their typed
shapes (``TypedDict``) are in ``nicepay_snap.types``, e.g. ``types.QrisGenerateRequest``.

Errors derive from ``NicepayError``; bad arguments raise ``InvalidInputError`` (also a
``ValueError``) naming the offending ``field``. Secrets never appear in a ``repr`` or in an
exception message.
"""

from nicepay_snap import _errors, types
from nicepay_snap._errors import *  # the exception classes: `_errors.__all__`
from nicepay_snap._sdk import (
    HttpAnswer,
    MerchantServer,
    PreparedRequest,
    Received,
    RequestBuilder,
    acknowledgement,
    generate_key_pair,
    normalize_timestamp,
    signed_path,
    source_allowed,
    timestamp_now,
    token_string_to_sign,
    verify_notification,
)
from nicepay_snap._nicepay_snap import (
    OPERATIONS,
    AsyncClient,
    Client,
    PrivateKey,
    PublicKey,
    __version__,
    body_sha256_hex,
    minify_json,
    sign_token_request,
    sign_transaction,
    transaction_string_to_sign,
)

__all__ = [
    "__version__",
    # signatures and canonical strings
    "sign_transaction",
    "transaction_string_to_sign",
    "body_sha256_hex",
    "sign_token_request",
    "token_string_to_sign",
    "verify_notification",
    "minify_json",
    "signed_path",
    "normalize_timestamp",
    "timestamp_now",
    # clients
    "OPERATIONS",
    "types",
    "Client",
    "AsyncClient",
    # keys
    "PrivateKey",
    "PublicKey",
    "generate_key_pair",
    # sending with your own HTTP client
    "RequestBuilder",
    "PreparedRequest",
    # receiving: notification acknowledgements, source check, the NIVA merchant server
    "HttpAnswer",
    "acknowledgement",
    "source_allowed",
    "MerchantServer",
    "Received",
]
__all__ += _errors.__all__  # errors
