"""The facades over the native SDK table: acknowledgements, key generation, the source check,
the sans-IO RequestBuilder (golden vectors, and a whole flow sent with urllib) and the NIVA
MerchantServer (driven by the simulator playing NICEPAY on loopback)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import nicepay_snap as snap
from conftest import KEYS, read_text, reply, vector_cases
from test_client import admin, generate_request, info  # noqa: F401 (fixture)


def test_acknowledgements_for_every_product() -> None:
    for product, code in [("qris", "52"), ("va", "25"), ("ewallet", "56"), ("payout", "00")]:
        ok = snap.acknowledgement(product)
        assert ok.status == 200
        assert ok.headers == {"Content-Type": "application/json"}
        assert json.loads(ok.body) == {"responseCode": f"200{code}00", "responseMessage": "Successful"}
    denied = snap.acknowledgement("va", "unauthorized")
    assert (denied.status, json.loads(denied.body)["responseCode"]) == (401, "4012500")
    bad = snap.acknowledgement("qris", "bad_request", message="not JSON")
    assert json.loads(bad.body) == {"responseCode": "4005201", "responseMessage": "not JSON"}
    with pytest.raises(snap.InvalidInputError):
        snap.acknowledgement("cash")
    with pytest.raises(snap.InvalidInputError):
        snap.acknowledgement("qris", "maybe")


def test_generated_keys_sign_and_verify() -> None:
    private_pem, public_pem = snap.generate_key_pair()
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    ts = "2024-07-05T10:11:40+07:00"
    signature = snap.sign_token_request(private_key=private_pem, client_id="IONPAYTEST", timestamp=ts)
    assert snap.verify_notification(public_key=public_pem, client_id="IONPAYTEST", timestamp=ts, signature=signature)
    assert snap.generate_key_pair()[1] != public_pem
    with pytest.raises(snap.InvalidInputError):
        snap.generate_key_pair(1024)


def test_source_allowed_defaults_to_nicepay_ranges() -> None:
    assert snap.source_allowed("103.20.51.33")
    assert not snap.source_allowed("127.0.0.1")
    assert snap.source_allowed("127.0.0.1", ["127.0.0.0/8"])
    with pytest.raises(snap.InvalidInputError):
        snap.source_allowed("127.0.0.1", ["not a network"])
    with pytest.raises(snap.InvalidInputError):
        snap.source_allowed("127.0.0.1", ["10.0.0.0/8"] * 2000)


def builder(**overrides: Any) -> snap.RequestBuilder:
    kwargs: Dict[str, Any] = dict(
        client_id="IONPAYTEST",
        client_secret="test-client-secret",
        private_key=read_text(KEYS / "merchant-test-private-pkcs8.pem"),
        base_url="http://127.0.0.1:9",
    )
    kwargs.update(overrides)
    return snap.RequestBuilder(**kwargs)


@pytest.mark.parametrize(
    "case", [c for c, ctx in vector_cases() if ctx.get("operation")], ids=lambda c: c.name
)
def test_prepare_reproduces_the_golden_vectors(case: Any) -> None:
    ctx = json.loads((case / "context.json").read_text())
    body = (case / "body.json").read_bytes()
    prepared = builder(client_secret=ctx["clientSecret"]).prepare(
        ctx["operation"],
        json.loads(body),
        access_token=ctx["accessToken"],
        timestamp=ctx["timestamp"],
        external_id=ctx["externalId"],
    )
    headers = dict(prepared.headers)
    assert prepared.body == body.strip()
    assert prepared.path == ctx["signedPath"]
    assert prepared.url == "http://127.0.0.1:9/nicepay" + ctx["signedPath"]
    assert headers["X-SIGNATURE"] == (case / "signature.txt").read_text().strip()
    assert headers["X-EXTERNAL-ID"] == ctx["externalId"]
    assert headers["Authorization"] == "Bearer " + ctx["accessToken"]


def test_builder_refuses_bad_input_with_typed_errors() -> None:
    with pytest.raises(snap.InvalidInputError):
        builder(private_key="not a key")
    b = builder()
    with pytest.raises(snap.InvalidInputError):
        b.prepare("qris.nope", {}, access_token="TOKEN")
    with pytest.raises(snap.InvalidInputError):
        b.prepare("qris.generate", {"amount": 5}, access_token="TOKEN")
    with pytest.raises(snap.InvalidInputError):
        b.prepare("qris.generate", {}, access_token="has space")
    with pytest.raises(snap.InvalidInputError):
        b.prepare_raw("GET", "/api/v1.0/x", {}, access_token="TOKEN")
    assert "test-client-secret" not in repr(b)


def send(prepared: snap.PreparedRequest) -> Tuple[int, bytes]:
    request = urllib.request.Request(
        prepared.url, data=prepared.body, method=prepared.method, headers=dict(prepared.headers)
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_a_whole_flow_sent_with_urllib(info: Dict[str, Any]) -> None:  # noqa: F811 (fixture)
    b = builder(
        client_id=info["clientId"],
        client_secret=info["clientSecret"],
        private_key=info["privateKeyPem"],
        base_url=info["baseUrl"],
    )
    token = b.parse("access-token", *send(b.prepare_access_token()))["accessToken"]
    request = generate_request(info)
    prepared = b.prepare("qris.generate", request, access_token=token)
    status, body = send(prepared)
    generated = b.parse("qris.generate", status, body)
    assert generated["partnerReferenceNo"] == request["partnerReferenceNo"]
    assert generated["qrContent"]
    # A raw call of the same operation is signed over the JSON as given.
    raw = b.prepare_raw("POST", "/api/v1.0/qr/qr-mpm-generate", generate_request(info), access_token=token)
    assert b.parse("qris.generate", *send(raw))["qrContent"]
    # NICEPAY's refusals become the package's errors.
    with pytest.raises(snap.ApiError) as refused:
        b.parse("qris.generate", *send(b.prepare("qris.generate", request, access_token="WRONGTOKEN")))
    assert refused.value.http_status == 401
    with pytest.raises(snap.DecodeError):
        b.parse("qris.generate", 200, b"<html>")


class NivaMerchant:
    """A merchant's NIVA endpoint on loopback: http.server around MerchantServer.handle."""

    def __init__(self, server: snap.MerchantServer, bills: Dict[str, Dict[str, Any]]) -> None:
        self.bills = bills
        self.paid: List[str] = []
        merchant = self

        def lookup(kind: str, request: Dict[str, Any]) -> Any:
            bill = merchant.bills.get(request["virtualAccountNo"].strip())
            return None if bill is None else (bill["bill"] if bill["status"] == "open" else bill["status"])

        def on_paid(request: Dict[str, Any]) -> None:
            va = request["virtualAccountNo"].strip()
            merchant.bills[va]["status"] = "paid"
            merchant.paid.append(va)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = server.handle("POST", self.path, list(self.headers.items()), body, lookup, on_paid)
                reply(self, answer.status, answer.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def niva(info: Dict[str, Any]) -> Iterator[Tuple[NivaMerchant, snap.MerchantServer]]:  # noqa: F811
    server = snap.MerchantServer(
        client_id="MERCHANT-NIVA", client_secret="merchant-issued-secret", nicepay_public_key=info["notificationPublicKey"]
    )
    amount = {"value": "150000.00", "currency": "IDR"}
    merchant = NivaMerchant(
        server, {"700140001": {"status": "open", "bill": {"virtualAccountName": "Budi", "totalAmount": amount}}}
    )
    try:
        yield merchant, server
    finally:
        merchant.close()


def niva_pay(info: Dict[str, Any], merchant: NivaMerchant, **payment: Any) -> Dict[str, Any]:
    body = {
        "merchant": {"baseUrl": merchant.url, "clientId": "MERCHANT-NIVA", "clientSecret": "merchant-issued-secret"},
        "payment": {"partnerServiceId": "70014", "customerNo": "0001", **payment},
    }
    result: Dict[str, Any] = admin(info, "POST", "/__admin/niva/pay", body)
    return result


def test_niva_merchant_server_end_to_end(info: Dict[str, Any], niva: Any) -> None:  # noqa: F811
    merchant, server = niva
    forged = niva_pay(info, merchant, fault="forged-signature")
    assert not forged["paid"] and forged["steps"][-1]["httpStatus"] == 401
    wrong = niva_pay(info, merchant, paidAmount={"value": "1.00", "currency": "IDR"})
    assert not wrong["paid"] and wrong["steps"][-1]["responseCode"] == "4042513"
    assert merchant.paid == []
    run = niva_pay(info, merchant)
    assert run["paid"], run
    assert [s["step"] for s in run["steps"]] == ["access-token", "inquiry", "payment"]
    assert run["steps"][1]["responseCode"] == "2002400"
    assert merchant.paid == ["700140001"]
    again = niva_pay(info, merchant)
    assert not again["paid"] and again["steps"][-1]["responseCode"] == "4042414"
    assert server.live_tokens() >= 1
    for fault in ["unknown-token", "forged-token-request"]:
        assert not niva_pay(info, merchant, customerNo="0002", fault=fault)["paid"]
    assert merchant.paid == ["700140001"]


def test_merchant_server_refuses_bad_configuration_and_requests(info: Dict[str, Any]) -> None:  # noqa: F811
    with pytest.raises(snap.InvalidInputError):
        snap.MerchantServer(client_id="M", client_secret="", nicepay_public_key=info["notificationPublicKey"])
    with pytest.raises(snap.InvalidInputError):
        snap.MerchantServer(client_id="M", client_secret="s", nicepay_public_key="nope")
    server = snap.MerchantServer(client_id="M", client_secret="s", nicepay_public_key=info["notificationPublicKey"])
    assert "s" not in repr(server).replace("MerchantServer", "")
    unknown = server.receive("POST", "/api/v1.0/other", {}, b"{}")
    assert unknown.kind == "respond" and unknown.response is not None and unknown.response.status == 404
    unsigned = server.receive("POST", "/api/v1.0/transfer-va/inquiry", {"Content-Type": "application/json"}, b"{}")
    assert unsigned.response is not None and unsigned.response.status == 401
    with pytest.raises(snap.InvalidInputError):
        server.answer_inquiry({"partnerServiceId": "1"}, {"virtualAccountName": "x", "totalAmount": 5})
