"""The Python code of the user guide (docs/src/*.md include it between its ANCHOR lines).

python/tests/test_guide.py runs every function here against the packaged simulator, so the guide
cannot drift from the real API.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import nicepay_snap as snap
from nicepay_snap import types


# ANCHOR: keys
def new_merchant_keys() -> str:
    """A new key pair: the private key stays with you, NICEPAY gets the public key."""
    private_pem, public_pem = snap.generate_key_pair()  # RSA-2048, PKCS#8 PEM
    with open("merchant-private.pem", "x") as f:  # never overwrite a key
        f.write(private_pem)
    return public_pem  # send this to NICEPAY (PEM, or the bare base64 between the lines)
# ANCHOR_END: keys


# ANCHOR: client
def make_client() -> snap.Client:
    # NICEPAY_CLIENT_ID, NICEPAY_CLIENT_SECRET, NICEPAY_PRIVATE_KEY (PEM or bare base64),
    # NICEPAY_NOTIFICATION_PUBLIC_KEY; NICEPAY_ENVIRONMENT is "sandbox" (the default) or
    # "production". One client per process: it caches the access token.
    return snap.Client.from_env()
# ANCHOR_END: client


# ANCHOR: generate
def create_qr(client: snap.Client, order_id: str, amount: str, notify_url: str) -> types.QrisGenerateResponse:
    return client.qris_generate({
        "partnerReferenceNo": order_id,  # your order id, unique per QR
        "amount": {"value": amount, "currency": "IDR"},  # a string with two decimals
        "merchantId": client.client_id,
        "storeId": "NICEPAY",
        "validityPeriod": "",
        "additionalInfo": {"goodsNm": "Kopi susu", "dbProcessUrl": notify_url},
    })
    # show generated["qrContent"] as a QR code; keep generated["referenceNo"] with the order
# ANCHOR_END: generate


# ANCHOR: query
def is_paid(client: snap.Client, reference_no: str, order_id: str) -> bool:
    status = client.qris_query({
        "originalReferenceNo": reference_no,
        "originalPartnerReferenceNo": order_id,
        "merchantId": client.client_id,
        "externalStoreId": "NICEPAY",
        "serviceCode": "47",
        "additionalInfo": {},
    })
    return status.get("latestTransactionStatus") == "00"
# ANCHOR_END: query


# ANCHOR: refund
def refund(client: snap.Client, reference_no: str, order_id: str, refund_no: str, amount: str) -> str:
    """``"refunded"``, or ``"processing"`` when the outcome is unknown."""
    try:
        client.qris_refund({
            "originalReferenceNo": reference_no,
            "originalPartnerReferenceNo": order_id,
            "partnerRefundNo": refund_no,  # unique per refund: store it before calling
            "merchantId": client.client_id,
            "externalStoreId": "NICEPAY",
            "refundAmount": {"value": amount, "currency": "IDR"},
            "reason": "Customer request",
            "additionalInfo": {"cancelType": "1"},
        })
        return "refunded"
    except snap.OutcomeUnknownError as unknown:
        # Timeout, 5xx, 504 or 202: maybe applied, maybe not. Never resend with a new
        # partnerRefundNo; the journal entry is settled by resolve_pending() below.
        assert unknown.identifiers["partnerRefundNo"] == refund_no
        return "processing"
    # snap.ApiError: NICEPAY refused it (e.g. 403 amount too high); nothing happened.
# ANCHOR_END: refund


# ANCHOR: resolve
def settle_pending(client: snap.Client) -> List[Dict[str, Any]]:
    """A periodic job: every open money-moving call, settled by status query."""
    settled = []
    for entry in client.resolve_pending():  # never resends anything
        if entry["state"] in ("succeeded", "refused"):
            settled.append(entry)  # e.g. mark the refund entry["references"]["partnerRefundNo"] done
        # still "unknown" or "inFlight": entry["detail"] says why; it is tried again next run
    return settled
# ANCHOR_END: resolve


# ANCHOR: flask
def flask_app(client: snap.Client, on_paid: Callable[[snap.NotificationResult], None]) -> Any:
    from flask import Flask

    from nicepay_snap.integrations.flask import notification_blueprint

    app = Flask(__name__)
    # POST on every notification path NICEPAY documents: verify, confirm by status query,
    # acknowledge; on_paid(result) runs once per new confirmed payment.
    app.register_blueprint(notification_blueprint(snap.NotificationHandler(client), on_paid))
    return app
# ANCHOR_END: flask


# ANCHOR: verify
def receive(client: snap.Client, headers: Dict[str, str], body: bytes, path: str) -> snap.NotificationResult:
    """Without an adapter: hand the raw body bytes and headers to a NotificationHandler."""
    result = snap.NotificationHandler(client).handle(headers, body, path=path)
    if result.fulfil:  # paid and not seen before
        pass  # mark result.notification["originalPartnerReferenceNo"] paid
    # answer with result.status_code, result.headers and exactly result.body
    return result
# ANCHOR_END: verify


# ANCHOR: source
def from_nicepay(peer_ip: str) -> bool:
    return snap.source_allowed(peer_ip)  # NICEPAY's published ranges; or pass your own list
# ANCHOR_END: source
