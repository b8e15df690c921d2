"""What the three example apps share: the client's credentials and a QRIS checkout.

With ``NICEPAY_SIMULATOR`` set (e.g. ``http://127.0.0.1:8800``, a running
``nicepay-snap simulate --port 8800``) the credentials come from the simulator's
``/__admin/info``; otherwise from the ``NICEPAY_*`` environment variables (``Client.from_env``).
``APP_URL`` is where NICEPAY reaches this app (default ``http://127.0.0.1:8000``).
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from typing import Any, Dict

import nicepay_snap as snap

SIMULATOR = os.environ.get("NICEPAY_SIMULATOR", "")
APP_URL = os.environ.get("APP_URL", "http://127.0.0.1:8000")


def client_kwargs() -> Dict[str, Any]:
    with urllib.request.urlopen(SIMULATOR + "/__admin/info", timeout=10) as response:
        info = json.loads(response.read())
    # The simulator's /__admin/info names -> the client's keyword arguments.
    names = {
        "clientId": "client_id",
        "clientSecret": "client_secret",
        "privateKeyPem": "private_key",
        "notificationPublicKey": "notification_public_key",
        "baseUrl": "base_url",
    }
    return {argument: info[name] for name, argument in names.items()}


def client() -> snap.Client:
    return snap.Client(**client_kwargs()) if SIMULATOR else snap.Client.from_env()


def async_client() -> snap.AsyncClient:
    return snap.AsyncClient(**client_kwargs()) if SIMULATOR else snap.AsyncClient.from_env()


def checkout_request(merchant_id: str) -> Dict[str, Any]:
    """A QRIS for a new order, notified to this app."""
    return {
        "partnerReferenceNo": f"order-{uuid.uuid4().hex[:12]}",
        "amount": {"value": "15000.00", "currency": "IDR"},
        "merchantId": merchant_id,
        "storeId": "NICEPAY",
        "validityPeriod": "",
        "additionalInfo": {"goodsNm": "Kopi", "dbProcessUrl": APP_URL + "/api/v1.0/qr/qr-mpm-notify"},
    }


def checkout_answer(generated: Dict[str, Any]) -> Dict[str, Any]:
    """What /checkout answers: the QR and, against the simulator, how to pay it."""
    reference = generated["referenceNo"]
    answer = {"referenceNo": reference, "qrContent": generated.get("qrContent")}
    if SIMULATOR:
        answer["pay"] = f"curl -X POST {SIMULATOR}/__admin/qris/{reference}/pay"
    return answer


def fulfil(result: snap.NotificationResult) -> None:
    """on_paid: runs once per confirmed payment (a real app marks the order paid here)."""
    order = (result.notification or {}).get("originalPartnerReferenceNo") or (result.notification or {}).get("trxId")
    print(f"paid: {result.product} order {order}", flush=True)
