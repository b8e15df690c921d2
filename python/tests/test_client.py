"""Client and AsyncClient: the full QRIS flow against the simulator on loopback, error mapping,
money safety, redaction, from_env."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, Iterator, List

import pytest

import nicepay_snap as snap
from conftest import NotificationInbox, client_kwargs
from typed import Checked
from va_helpers import create_va, ewallet_payment_request, ewallet_status_request, va_status

REFUND_PATH = "/api/v1.0/qr/qr-mpm-refund"


def admin(info: Dict[str, Any], method: str, path: str, payload: Any = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(
        info["baseUrl"] + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:  # loopback only
        raw = resp.read()
    return json.loads(raw) if raw else None


@pytest.fixture
def info(simulator: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    admin(simulator, "DELETE", "/__admin/faults")
    yield simulator
    admin(simulator, "DELETE", "/__admin/faults")


def client_for(info: Dict[str, Any]) -> Any:
    """A Client whose requests and responses are checked against ``nicepay_snap.types``."""
    return Checked(snap.Client(**client_kwargs(info)))


def async_client_for(info: Dict[str, Any]) -> Any:
    """An AsyncClient whose requests and responses are checked against ``nicepay_snap.types``."""
    return Checked(snap.AsyncClient(**client_kwargs(info)))


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:20]}"


def generate_request(info: Dict[str, Any], db_process_url: str = "", value: str = "10000.00") -> Dict[str, Any]:
    extra: Dict[str, Any] = {"goodsNm": "Test goods", "billingNm": "Budi"}
    if db_process_url:
        extra["dbProcessUrl"] = db_process_url
    return {
        "partnerReferenceNo": unique("ord"),
        "amount": {"value": value, "currency": "IDR"},
        "merchantId": info["clientId"],
        "storeId": "NicepayStoreID1",
        "validityPeriod": "",
        "additionalInfo": extra,
    }


def query_request(info: Dict[str, Any], generated: Dict[str, Any], order: str) -> Dict[str, Any]:
    return {
        "originalReferenceNo": generated["referenceNo"],
        "originalPartnerReferenceNo": order,
        "merchantId": info["clientId"],
        "externalStoreId": "NicepayStoreID1",
        "serviceCode": "47",
        "additionalInfo": {},
    }


def refund_request(info: Dict[str, Any], generated: Dict[str, Any], order: str, value: str) -> Dict[str, Any]:
    return {
        "originalReferenceNo": generated["referenceNo"],
        "originalPartnerReferenceNo": order,
        "partnerRefundNo": unique("rfd"),
        "merchantId": info["clientId"],
        "externalStoreId": "NicepayStoreID1",
        "refundAmount": {"value": value, "currency": "IDR"},
        "reason": "Customer request",
        "additionalInfo": {"cancelType": "1"},
    }


def paid_qr(client: snap.Client, info: Dict[str, Any], inbox: NotificationInbox) -> Any:
    gen_req = generate_request(info, db_process_url=inbox.url)
    generated = client.qris_generate(gen_req)
    admin(info, "POST", f"/__admin/qris/{generated['referenceNo']}/pay")
    return gen_req["partnerReferenceNo"], generated


def test_full_qris_flow_sync(info: Dict[str, Any], inbox: NotificationInbox) -> None:
    client = client_for(info)
    token = client.access_token()
    assert token and client.access_token() == token, "the token is cached"

    gen_req = generate_request(info, db_process_url=inbox.url)
    generated = client.qris_generate(gen_req)
    assert generated["responseCode"] == "2004700"
    assert generated["referenceNo"] and generated["qrContent"]
    order = gen_req["partnerReferenceNo"]

    pending = client.qris_query(query_request(info, generated, order))
    assert pending["responseCode"] == "2005100"
    assert pending["latestTransactionStatus"] == "03"

    admin(info, "POST", f"/__admin/qris/{generated['referenceNo']}/pay")
    headers, body = inbox.next()
    notification = client.verify_notification(headers=headers, body=body)
    assert notification["originalReferenceNo"] == generated["referenceNo"]
    # dict headers and str body work too
    assert client.verify_notification(headers=dict(headers), body=body.decode()) == notification

    paid = client.qris_query(query_request(info, generated, order))
    assert paid["latestTransactionStatus"] == "00"

    confirmed = client.verify_and_confirm(product="qris", headers=headers, body=body)
    assert confirmed["paid"] is True and confirmed["duplicate"] is False
    assert confirmed["status"]["latestTransactionStatus"] == "00"
    # Delivered again to the same client (its in-memory store): a repeat.
    again = client.verify_and_confirm(product="qris", headers=headers, body=body)
    assert again["paid"] is True and again["duplicate"] is True
    assert confirmed["notification"]["originalReferenceNo"] == generated["referenceNo"]
    with pytest.raises(snap.InvalidInputError) as bad_product:
        client.verify_and_confirm(product="card", headers=headers, body=body)
    assert bad_product.value.field == "product"

    async def confirm_async() -> Any:
        return await async_client_for(info).verify_and_confirm(
            product="qris", headers=headers, body=body
        )

    assert asyncio.run(confirm_async())["paid"] is True

    refund = refund_request(info, generated, order, "10000.00")
    refunded = client.qris_refund(refund)
    assert refunded["responseCode"] == "2007800"
    assert refunded["partnerRefundNo"] == refund["partnerRefundNo"]

    # A second full refund is rejected: ApiError with the parsed code.
    with pytest.raises(snap.ApiError) as err:
        client.qris_refund({**refund, "partnerRefundNo": unique("rfd")})
    assert err.value.http_status == 403
    assert err.value.service_code == "78"
    assert err.value.response_code.startswith("40378")
    assert err.value.response_message


def test_full_qris_flow_async(info: Dict[str, Any]) -> None:
    async def flow() -> None:
        client = async_client_for(info)
        gen_req = generate_request(info)
        order = gen_req["partnerReferenceNo"]
        generated, token = await asyncio.gather(client.qris_generate(gen_req), client.access_token())
        assert token
        assert generated["responseCode"] == "2004700"
        admin(info, "POST", f"/__admin/qris/{generated['referenceNo']}/pay")
        paid = await client.qris_query(query_request(info, generated, order))
        assert paid["latestTransactionStatus"] == "00"
        # Two partial refunds concurrently.
        results = await asyncio.gather(
            client.qris_refund(refund_request(info, generated, order, "4000.00")),
            client.qris_refund(refund_request(info, generated, order, "6000.00")),
        )
        assert [r["responseCode"] for r in results] == ["2007800", "2007800"]
        with pytest.raises(snap.ApiError):
            await client.qris_refund(refund_request(info, generated, order, "1.00"))

    asyncio.run(flow())


def test_unknown_refund_outcome_is_not_resent(info: Dict[str, Any], inbox: NotificationInbox) -> None:
    client = client_for(info)
    order, generated = paid_qr(client, info, inbox)
    admin(info, "POST", "/__admin/faults", {"path": REFUND_PATH, "kind": "respondAfter", "status": 504, "times": 1})
    refund = refund_request(info, generated, order, "10000.00")
    with pytest.raises(snap.OutcomeUnknownError) as err:
        client.qris_refund(refund)
    e = err.value
    assert e.operation == "qris.refund"
    assert e.http_status == 504
    assert e.response_code == "5047800"
    assert e.identifiers.get("partnerRefundNo") == refund["partnerRefundNo"]
    assert e.external_id
    # The refund was applied once (respondAfter), and never resent.
    status = client.qris_query(query_request(info, generated, order))
    assert status["latestTransactionStatus"] == "04"


def test_async_unknown_outcome_on_dropped_connection(info: Dict[str, Any], inbox: NotificationInbox) -> None:
    sync_client = client_for(info)
    order, generated = paid_qr(sync_client, info, inbox)
    admin(info, "POST", "/__admin/faults", {"path": REFUND_PATH, "kind": "dropAfter", "times": 1})

    async def refund() -> None:
        client = async_client_for(info)
        await client.qris_refund(refund_request(info, generated, order, "10000.00"))

    with pytest.raises(snap.OutcomeUnknownError) as err:
        asyncio.run(refund())
    assert err.value.http_status == 0 and err.value.response_code is None


def test_tampered_and_stale_notifications(info: Dict[str, Any], inbox: NotificationInbox) -> None:
    client = client_for(info)
    paid_qr(client, info, inbox)
    headers, body = inbox.next()
    h = dict(headers)
    sig_name = next(k for k in h if k.lower() == "x-signature")
    ts_name = next(k for k in h if k.lower() == "x-timestamp")
    with pytest.raises(snap.SignatureError):
        client.verify_notification(headers={**h, sig_name: h[sig_name][:-4] + "AAA="}, body=body)
    with pytest.raises(snap.InvalidInputError) as err:
        client.verify_notification(headers={**h, ts_name: "2020-01-01T00:00:00+07:00"}, body=body)
    assert err.value.field == "X-TIMESTAMP"
    with pytest.raises(snap.InvalidInputError):
        client.verify_notification(headers={k: v for k, v in h.items() if k != sig_name}, body=body)
    with pytest.raises(snap.DecodeError):
        client.verify_notification(headers=h, body=b"not json")


def test_gil_is_released_during_calls(info: Dict[str, Any]) -> None:
    client = client_for(info)
    client.access_token()
    admin(info, "POST", "/__admin/faults", {"path": "/api/v1.0/qr/qr-mpm-generate", "kind": "none", "latencyMs": 600, "times": 1})
    ticks = 0
    done = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.01)

    t = threading.Thread(target=spin)
    t.start()
    try:
        client.qris_generate(generate_request(info))
    finally:
        done.set()
        t.join()
    assert ticks >= 20, f"the Python thread was starved ({ticks} ticks during a 600 ms call)"


def test_bad_payloads(info: Dict[str, Any]) -> None:
    client = client_for(info).raw  # unchecked: these requests are wrong on purpose
    with pytest.raises(snap.InvalidInputError) as err:
        client.qris_generate({"partnerReferenceNo": "x"})
    assert err.value.field == "request"
    bad_amount = generate_request(info, value="10000")
    with pytest.raises(snap.InvalidInputError) as err:
        client.qris_generate(bad_amount)
    with pytest.raises(TypeError):
        client.qris_generate({**generate_request(info), "amount": object()})
    with pytest.raises(TypeError):
        client.qris_generate("{}")  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_a_transport_error(simulator: Dict[str, Any]) -> None:
    kwargs = {**client_kwargs(simulator), "base_url": f"http://127.0.0.1:{free_port()}", "connect_timeout": 2.0}
    with pytest.raises(snap.TransportError) as err:
        snap.Client(**kwargs).access_token()
    assert err.value.kind == "connect"
    assert err.value.not_delivered is True

    async def go() -> None:
        await snap.AsyncClient(**kwargs).access_token()

    with pytest.raises(snap.TransportError):
        asyncio.run(go())


def test_constructor_validation(merchant_private_pem: str) -> None:
    base = dict(client_id="IONPAYTEST", client_secret="s", private_key=merchant_private_pem)
    for cls in (snap.Client, snap.AsyncClient):
        with pytest.raises(snap.InvalidInputError) as err:
            cls(**{**base, "environment": "moon"})
        assert err.value.field == "environment"
        assert cls(**{**base, "environment": "staging"}).base_url == "https://staging.nicepay.co.id/nicepay"
        with pytest.raises(snap.InvalidInputError) as err:
            cls(**{**base, "client_secret": ""})
        assert err.value.field == "client_secret"
        with pytest.raises(snap.InvalidInputError) as err:
            cls(**{**base, "private_key": "nope"})
        assert err.value.field == "private_key"
        with pytest.raises(snap.InvalidInputError) as err:
            cls(**{**base, "timeout": -1.0})
        assert err.value.field == "timeout"
        with pytest.raises(snap.InvalidInputError):
            cls(**{**base, "base_url": "ftp://x"})
        with pytest.raises(TypeError):
            cls("IONPAYTEST", "s", merchant_private_pem)  # type: ignore[misc]
        c = cls(**{**base, "environment": "production", "host_family": "cloud"})
        assert c.base_url == "https://services.nicepay.co.id/nicepay"
        assert cls(**base).base_url == "https://dev.nicepay.co.id/nicepay"


def test_client_repr_has_no_secret(merchant_private_pem: str) -> None:
    secret = "Very-Secret-Client-Value"
    for cls in (snap.Client, snap.AsyncClient):
        c = cls(client_id="IONPAYTEST", client_secret=secret, private_key=merchant_private_pem)
        text = repr(c) + str(c)
        assert "IONPAYTEST" in text
        assert secret not in text
        for line in merchant_private_pem.splitlines()[1:5]:
            assert line not in text


def test_from_env(monkeypatch: pytest.MonkeyPatch, merchant_private_pem: str) -> None:
    for var in ("NICEPAY_CLIENT_ID", "NICEPAY_CLIENT_SECRET", "NICEPAY_PRIVATE_KEY", "NICEPAY_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(snap.InvalidInputError) as err:
        snap.Client.from_env()
    assert err.value.field == "NICEPAY_CLIENT_ID"
    monkeypatch.setenv("NICEPAY_CLIENT_ID", "IONPAYTEST")
    monkeypatch.setenv("NICEPAY_CLIENT_SECRET", "env-secret-value")
    # Keys in env vars often carry literal \n sequences.
    monkeypatch.setenv("NICEPAY_PRIVATE_KEY", merchant_private_pem.replace("\n", "\\n"))
    monkeypatch.setenv("NICEPAY_BASE_URL", "http://127.0.0.1:9")
    seen: list = []
    client = snap.Client.from_env(timeout=5, on_exchange=seen.append)
    assert isinstance(client, snap.Client)
    with pytest.raises(snap.TransportError):
        client.access_token()  # nothing listens on port 9: the exchanges still reach on_exchange
    assert [e["transport_error"] for e in seen] == ["connect", "connect"]
    assert client.base_url == "http://127.0.0.1:9/nicepay"
    assert "env-secret-value" not in repr(client)
    assert isinstance(snap.AsyncClient.from_env(), snap.AsyncClient)
    monkeypatch.delenv("NICEPAY_BASE_URL")
    monkeypatch.setenv("NICEPAY_ENVIRONMENT", "production")
    assert snap.Client.from_env().base_url == "https://www.nicepay.co.id/nicepay"


def test_execute_by_operation_name(info: Dict[str, Any]) -> None:
    assert "qris.refund" in snap.OPERATIONS and "va.create" in snap.OPERATIONS
    client = client_for(info)
    gen_req = generate_request(info)
    generated = client.execute("qris.generate", gen_req)
    assert generated["responseCode"] == "2004700"
    status = client.execute("qris.query", query_request(info, generated, gen_req["partnerReferenceNo"]))
    assert status["latestTransactionStatus"] == "03"
    with pytest.raises(snap.InvalidInputError) as err:
        client.raw.execute("qris.nope", {})
    assert err.value.field == "operation"
    with pytest.raises(snap.InvalidInputError) as err:
        client.raw.execute("va.create", {"unexpected": True})
    assert err.value.field == "request"

    async def go() -> Any:
        return await async_client_for(info).execute("qris.generate", generate_request(info))

    assert asyncio.run(go())["responseCode"] == "2004700"


def test_named_va_methods(info: Dict[str, Any]) -> None:
    client = client_for(info)
    va = create_va(client, "25000.00")
    assert va_status(client, va) == "03"
    # A method per operation, named after it, except `payout.balance`, which is
    # `balance_inquiry` in all three languages (Rust `balance_inquiry`, Node `balanceInquiry`).
    renamed = {"payout.balance": "balance_inquiry"}
    for name in snap.OPERATIONS:
        method = renamed.get(name, name.replace(".", "_"))
        assert callable(getattr(snap.Client, method)), method
        assert callable(getattr(snap.AsyncClient, method)), method
    assert not hasattr(snap.Client, "payout_balance")


PAYOUT_ACCOUNT = "5345000060"


def payout_registration(info: Dict[str, Any], value: str) -> Dict[str, Any]:
    return {
        "partnerReferenceNo": unique("po"),
        "merchantId": info["clientId"],
        "beneficiaryAccountNo": PAYOUT_ACCOUNT,
        "beneficiaryName": "Ani Wijaya",
        "beneficiaryPhone": "08123456789",
        "beneficiaryCustomerResidence": "1",
        "beneficiaryCustomerType": "1",
        "beneficiaryPostalCode": "10110",
        "beneficiaryBankCode": "BNIA",
        "payoutMethod": "0",
        "description": "Seller payout",
        "reservedDt": "",
        "reservedTm": "",
        "deliveryId": "",
        "deliveryNm": "Ani",
        "amount": {"value": value, "currency": "IDR"},
    }


def payout_reference(info: Dict[str, Any], registered: Dict[str, Any], with_account: bool = False) -> Dict[str, Any]:
    ref = {
        "originalReferenceNo": registered["referenceNo"],
        "originalPartnerReferenceNo": registered["partnerReferenceNo"],
        "merchantId": info["clientId"],
    }
    if with_account:
        ref["beneficiaryAccountNo"] = PAYOUT_ACCOUNT
    return ref


BALANCE_REQUEST = {"accountNo": "", "additionalInfo": {"msId": ""}}


def test_payout_flow_and_balance_inquiry_sync(info: Dict[str, Any]) -> None:
    admin(info, "POST", "/__admin/payout/balance", {"availableBalance": "100000.00"})
    client = client_for(info)

    def balance() -> str:
        res = client.balance_inquiry(BALANCE_REQUEST)
        assert res["responseCode"] == "2001100"
        return res["accountInfos"][0]["availableBalance"]["value"]

    assert balance() == "100000.00"
    registered = client.payout_registration(payout_registration(info, "1500.00"))
    assert (registered["responseCode"], registered["transactionStatus"]) == ("2000000", "03")
    approved = client.payout_approve(payout_reference(info, registered))
    assert (approved["responseCode"], approved["transactionStatus"]) == ("2000000", "00")
    inquiry = client.payout_inquiry(payout_reference(info, registered, with_account=True))
    assert inquiry["transactionStatus"] == "00"
    assert balance() == "98500.00"
    # Approving twice is refused with the simulator's (NICEPAY's) code, not retried.
    with pytest.raises(snap.ApiError) as err:
        client.payout_approve(payout_reference(info, registered))
    assert (err.value.http_status, err.value.response_code) == (403, "4030015")
    assert balance() == "98500.00"

    rejected_reg = client.payout_registration(payout_registration(info, "1000.00"))
    rejected = client.payout_reject(payout_reference(info, rejected_reg, with_account=True))
    assert rejected["transactionStatus"] == "05"
    assert balance() == "98500.00"


def test_balance_inquiry_async(info: Dict[str, Any]) -> None:
    admin(info, "POST", "/__admin/payout/balance", {"availableBalance": "2500.00"})

    async def flow() -> None:
        client = async_client_for(info)
        res = await client.balance_inquiry(BALANCE_REQUEST)
        assert res["accountInfos"][0]["availableBalance"]["value"] == "2500.00"

    asyncio.run(flow())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_ewallet_flow_sync(info: Dict[str, Any], inbox: NotificationInbox) -> None:
    client = client_for(info)
    shop_return = "https://shop.example/return"
    order = unique("ew")
    url_param = [
        {"url": inbox.url, "type": "PAY_NOTIFY", "isDeeplink": "N"},
        {"url": shop_return, "type": "PAY_RETURN", "isDeeplink": "N"},
    ]
    payment = client.ewallet_payment(ewallet_payment_request(info["clientId"], order, "30000.00", url_param))
    assert payment["responseCode"] == "2005400"
    reference_no, redirect = payment["referenceNo"], payment["webRedirectUrl"]

    def status() -> Dict[str, Any]:
        return client.ewallet_status(
            ewallet_status_request(info["clientId"], order, reference_no, "30000.00", snap.timestamp_now())
        )

    assert status()["latestTransactionStatus"] == "03"
    # The customer opens webRedirectUrl (served by the simulator on loopback): paid, notified,
    # sent back to the shop.
    assert redirect.startswith(info["baseUrl"]), redirect
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as page:
        opener.open(redirect, timeout=10)  # loopback only
    assert page.value.code == 303 and page.value.headers["Location"] == shop_return

    headers, body = inbox.next()
    confirmed = client.verify_and_confirm(product="ewallet", headers=headers, body=body)
    assert confirmed["paid"] is True
    assert confirmed["notification"]["originalReferenceNo"] == reference_no
    assert status()["latestTransactionStatus"] == "00"

    def refund(value: str) -> Dict[str, Any]:
        return client.ewallet_refund(
            {
                "merchantId": info["clientId"],
                "subMerchantId": "",
                "originalPartnerReferenceNo": order,
                "originalReferenceNo": reference_no,
                "partnerRefundNo": unique("rfd"),
                "externalStoreId": "",
                "refundAmount": {"value": value, "currency": "IDR"},
                "reason": "Customer request",
                "additionalInfo": {"refundType": "1"},
            }
        )

    assert refund("10000.00")["responseCode"] == "2005800"
    assert status()["additionalInfo"]["remainingAmount"]["value"] == "20000.00"
    with pytest.raises(snap.ApiError) as err:
        refund("20000.01")
    assert (err.value.http_status, err.value.response_code) == (403, "4035802")


def test_on_exchange_reports_every_exchange_without_secrets(info: Dict[str, Any]) -> None:
    seen: list = []
    client = snap.Client(**client_kwargs(info), on_exchange=seen.append)
    generated = client.qris_generate(generate_request(info))
    token = client.access_token()
    assert [(e["operation"], e["http_status"], e["response_code"]) for e in seen] == [
        ("access-token", 200, "2007300"),
        ("qris.generate", 200, "2004700"),
    ]
    token_exchange, generate = seen
    assert set(generate) == set(snap.types.Exchange.__annotations__)
    assert generate["method"] == "POST" and generate["path"] == "/api/v1.0/qr/qr-mpm-generate"
    assert generate["attempt"] == 1 and generate["elapsed_ms"] >= 0 and generate["transport_error"] is None
    assert generate["external_id"] and token_exchange["external_id"] is None
    assert generated["referenceNo"] not in repr(seen)
    for secret in (token, info["clientSecret"]):
        assert secret not in repr(seen)


def test_on_exchange_errors_are_unraisable_not_raised(info: Dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    reported: list = []
    monkeypatch.setattr("sys.unraisablehook", reported.append)

    def broken(exchange: Dict[str, Any]) -> None:
        raise RuntimeError(f"observer failed on {exchange['operation']}")

    client = snap.Client(**client_kwargs(info), on_exchange=broken)
    assert client.qris_generate(generate_request(info))["responseCode"] == "2004700"
    assert [str(r.exc_value) for r in reported] == [
        "observer failed on access-token",
        "observer failed on qris.generate",
    ]
    with pytest.raises(TypeError):
        snap.Client(**client_kwargs(info), on_exchange="print")


def test_on_exchange_async_and_transport_failures(info: Dict[str, Any]) -> None:
    seen: list = []

    async def flow() -> None:
        client = snap.AsyncClient(**client_kwargs(info), on_exchange=seen.append)
        await client.qris_generate(generate_request(info))

    asyncio.run(flow())
    assert [e["operation"] for e in seen] == ["access-token", "qris.generate"]

    refused: list = []
    kwargs = {**client_kwargs(info), "base_url": f"http://127.0.0.1:{free_port()}"}
    with pytest.raises(snap.TransportError):
        snap.Client(**kwargs, on_exchange=refused.append).access_token()
    # The token request is resent once (connect_retries = 1): two refused exchanges.
    assert [(e["attempt"], e["http_status"], e["transport_error"]) for e in refused] == [
        (1, None, "connect"),
        (2, None, "connect"),
    ]


@pytest.mark.parametrize("retries,expected_attempts", [(0, [1]), (2, [1, 2, 3])])
def test_connect_retries_resend_only_undelivered_requests(
    info: Dict[str, Any], retries: int, expected_attempts: List[int]
) -> None:
    seen: list = []
    kwargs = {**client_kwargs(info), "base_url": f"http://127.0.0.1:{free_port()}"}
    client = snap.Client(**kwargs, on_exchange=seen.append, connect_retries=retries)
    with pytest.raises(snap.TransportError) as err:
        client.access_token()
    assert err.value.not_delivered
    assert [e["attempt"] for e in seen] == expected_attempts


def test_client_tuning_is_validated(info: Dict[str, Any]) -> None:
    for cls in (snap.Client, snap.AsyncClient):
        for bad in ({"connect_retries": -1}, {"connect_retries": 11}, {"token_refresh_margin": -1.0},
                    {"token_refresh_margin": 601.0}, {"token_refresh_margin": float("nan")}):
            with pytest.raises(snap.InvalidInputError) as err:
                cls(**client_kwargs(info), **bad)
            assert err.value.field == next(iter(bad))
        cls(**client_kwargs(info), connect_retries=0, token_refresh_margin=0.0)
