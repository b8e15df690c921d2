"""The user guide's Python code (guide.py next to this file, included into docs/src/*.md) run
against the packaged simulator: key generation, the first payment, a refund whose outcome is
unknown and its settlement from the journal, and the Flask notification receiver under a real
WSGI server on loopback."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator, List

import pytest

import nicepay_snap as snap
import guide
from nicepay_snap.testing import Simulator
from test_receivers import serve_wsgi

NOTIFY_PATH = "/api/v1.0/qr/qr-mpm-notify"


def order_id() -> str:
    return f"order-{uuid.uuid4().hex[:16]}"


# ANCHOR: fixture
@pytest.fixture
def env_client(nicepay_simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> snap.Client:
    """The guide's ``make_client()`` with the NICEPAY_* variables naming the simulator."""
    info = nicepay_simulator.info
    for name, key in [("CLIENT_ID", "clientId"), ("CLIENT_SECRET", "clientSecret"), ("PRIVATE_KEY", "privateKeyPem"),
                      ("NOTIFICATION_PUBLIC_KEY", "notificationPublicKey"), ("BASE_URL", "baseUrl")]:
        monkeypatch.setenv(f"NICEPAY_{name}", info[key])
    client: snap.Client = guide.make_client()
    return client
# ANCHOR_END: fixture


def test_new_merchant_keys_writes_the_private_key_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    public_pem = guide.new_merchant_keys()
    private = snap.PrivateKey((tmp_path / "merchant-private.pem").read_text())
    assert private.public_key() == snap.PublicKey(public_pem)
    with pytest.raises(FileExistsError):
        guide.new_merchant_keys()


def test_first_payment_generate_pay_query(env_client: snap.Client, nicepay_simulator: Simulator) -> None:
    order = order_id()
    generated = guide.create_qr(env_client, order, "15000.00", "https://shop.example" + NOTIFY_PATH)
    assert generated["qrContent"]
    assert not guide.is_paid(env_client, generated["referenceNo"], order)
    nicepay_simulator.pay_qris(generated["referenceNo"])
    assert guide.is_paid(env_client, generated["referenceNo"], order)


# ANCHOR: unknown
def test_refund_unknown_outcome_settled_from_the_journal(nicepay_simulator: Simulator) -> None:
    client = snap.Client(**nicepay_simulator.client_kwargs(store="memory:?grace=0"))
    order = order_id()
    reference = guide.create_qr(client, order, "15000.00", "https://shop.example" + NOTIFY_PATH)["referenceNo"]
    nicepay_simulator.pay_qris(reference)
    assert guide.refund(client, reference, order, order + "-r1", "5000.00") == "refunded"
    # NICEPAY applies the next refund but answers 504: the outcome is unknown.
    nicepay_simulator.add_fault(path="/api/v1.0/qr/qr-mpm-refund", kind="respondAfter", status=504, times=1)
    assert guide.refund(client, reference, order, order + "-r2", "10000.00") == "processing"
    assert [e["state"] for e in client.pending_outcomes()] == ["unknown"]
    settled = guide.settle_pending(client)
    assert [(e["state"], e["references"]["partnerRefundNo"]) for e in settled] == [("succeeded", order + "-r2")]
    assert client.pending_outcomes() == []
    # A refusal is an ApiError, not an unknown outcome: nothing is left to refund.
    with pytest.raises(snap.ApiError):
        guide.refund(client, reference, order, order + "-r3", "1.00")
# ANCHOR_END: unknown


def test_flask_receiver_confirms_a_delivered_notification(nicepay_simulator: Simulator) -> None:
    client = snap.Client(**nicepay_simulator.client_kwargs())
    paid: List[snap.NotificationResult] = []
    served: Iterator[str] = serve_wsgi(guide.flask_app(client, paid.append))
    url = next(served)
    try:
        order = order_id()
        reference = guide.create_qr(client, order, "15000.00", url + NOTIFY_PATH)["referenceNo"]
        outcome = nicepay_simulator.pay_qris(reference)
        delivery = outcome["notification"]
        assert delivery["delivered"] and "2005200" in delivery["responseBody"]
        assert [r.notification["originalPartnerReferenceNo"] for r in paid if r.notification] == [order]
        # The same delivery through the adapter-less handler of another client: confirmed
        # (its store has not seen it), then a duplicate; a forged signature is refused.
        other = snap.Client(**nicepay_simulator.client_kwargs())
        headers, body = delivery["headers"], delivery["body"].encode()
        assert guide.receive(other, headers, body, NOTIFY_PATH).fulfil
        again = guide.receive(other, headers, body, NOTIFY_PATH)
        assert again.status_code == 200 and again.duplicate and not again.fulfil
        forged = {k: ("Zm9yZ2Vk" if k.lower() == "x-signature" else v) for k, v in headers.items()}
        assert guide.receive(other, forged, body, NOTIFY_PATH).status_code == 401
    finally:
        served.close()


def test_source_check() -> None:
    assert guide.from_nicepay("103.20.51.33")
    assert not guide.from_nicepay("127.0.0.1")

