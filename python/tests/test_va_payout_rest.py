"""What the other suites leave out, against the simulator: ``va_delete``, ``payout_cancel``, the
VA and payout notifications' ``verify_and_confirm``, account binding with ``customer_token``,
and raw signed calls."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict

import pytest

import nicepay_snap as snap
from conftest import NotificationInbox
from test_client import (  # noqa: F401
    _NoRedirect,
    admin,
    client_for,
    client_kwargs,
    info,
    payout_reference,
    payout_registration,
)
from va_helpers import create_va, delete_request, va_status


def api_code(call: Any) -> str:
    with pytest.raises(snap.ApiError) as err:
        call()
    return err.value.response_code


def test_va_notification_is_verified_and_confirmed_then_delete_is_refused(
    info: Dict[str, Any], inbox: NotificationInbox  # noqa: F811
) -> None:
    client = client_for(info)
    va = create_va(client, "25000.00", inbox.url)
    assert va_status(client, va) == "03"
    paid = admin(info, "POST", f"/__admin/va/{va['vaNo']}/pay")
    assert paid["notification"]["delivered"] is True
    headers, body = inbox.next()
    confirmed = client.verify_and_confirm(product="va", headers=headers, body=body)
    assert confirmed["paid"] is True
    assert confirmed["notification"]["virtualAccountNo"] == va["vaNo"]
    assert confirmed["notification"]["trxId"] == va["trxId"]
    # The signature does not cover the body: an edited amount is caught by the status query.
    edited = body.replace(b"25000.00", b"1.00")
    assert edited != body
    assert client.verify_and_confirm(product="va", headers=headers, body=edited)["paid"] is False
    assert va_status(client, va) == "00"
    assert api_code(lambda: client.va_delete(delete_request(va))) == "4043113"


def test_va_delete_cancels_an_unpaid_va_once(info: Dict[str, Any]) -> None:  # noqa: F811
    client = client_for(info)
    va = create_va(client, "10000.00")
    deleted = client.va_delete(delete_request(va))
    assert deleted["responseCode"] == "2003100"
    assert va_status(client, va) == "04"
    assert api_code(lambda: client.va_delete(delete_request(va))) == "4033115"


def test_va_delete_and_confirm_async(info: Dict[str, Any], inbox: NotificationInbox) -> None:  # noqa: F811

    sync_client = client_for(info)
    va = create_va(sync_client, "12000.00", inbox.url)
    admin(info, "POST", f"/__admin/va/{va['vaNo']}/pay")
    headers, body = inbox.next()
    unpaid = create_va(sync_client, "5000.00")

    async def flow() -> None:
        client = snap.AsyncClient(**client_kwargs(info))
        confirmed = await client.verify_and_confirm(product="va", headers=headers, body=body)
        assert confirmed["paid"] is True
        deleted = await client.va_delete(delete_request(unpaid))
        assert deleted["responseCode"] == "2003100"

    asyncio.run(flow())
    assert va_status(sync_client, unpaid) == "04"


def test_payout_cancel_of_a_scheduled_payout_credits_the_balance(info: Dict[str, Any]) -> None:  # noqa: F811
    admin(info, "POST", "/__admin/payout/balance", {"availableBalance": "100000.00"})
    client = client_for(info)
    request = payout_registration(info, "2000.00")
    request["reservedDt"], request["reservedTm"] = "20991231", "100000"
    registered = client.payout_registration(request)
    assert registered["transactionStatus"] == "03"
    client.payout_approve(payout_reference(info, registered))
    balance = admin(info, "GET", "/__admin/payout/balance")["payoutBalances"][info["clientId"]]
    assert balance == "98000.00"
    cancelled = client.payout_cancel(payout_reference(info, registered))
    assert cancelled["responseCode"] == "2000000"
    assert cancelled["transactionStatus"] == "04"
    balance = admin(info, "GET", "/__admin/payout/balance")["payoutBalances"][info["clientId"]]
    assert balance == "100000.00"
    assert api_code(lambda: client.payout_cancel(payout_reference(info, registered))) == "4030015"


def test_account_binding_with_customer_token(info: Dict[str, Any]) -> None:  # noqa: F811
    client = client_for(info)
    order = f"bind{uuid.uuid4().hex[:16]}"
    bound = client.account_binding(
        {
            "partnerReferenceNo": order,
            "merchantId": info["clientId"],
            "additionalData": {"userId": "Budi Santoso", "email": "budi@example.com", "phoneNo": "081234567890"},
            "additionalInfo": {"mitraCd": "ASTR", "callbackUrl": "https://merchant.example/bound"},
        }
    )
    assert bound["responseCode"] == "2000700"
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as page:
        opener.open(bound["redirectUrl"], timeout=10)  # loopback only
    assert page.value.code == 303
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.value.headers["Location"]).query)
    auth_code = query["authCode"][0]
    token = client.customer_token({"grantType": "AUTHORIZATION_CODE", "authCode": auth_code})
    assert token["responseCode"] == "2007400"
    assert api_code(lambda: client.customer_token({"grantType": "AUTHORIZATION_CODE", "authCode": auth_code})) == "4017400"
    with pytest.raises(snap.InvalidInputError):
        client.customer_token({"grantType": "AUTHORIZATION_CODE"})
    account = client.account_inquiry(
        {"partnerReferenceNo": order, "additionalInfo": {"refreshToken": token["refreshToken"], "mitraCd": "ASTR"}}
    )
    assert account["accountName"] == "Budi Santoso"
    unbound = client.account_unbinding(
        {
            "partnerReferenceNo": order,
            "merchantId": info["clientId"],
            "additionalInfo": {"referenceNo": bound["referenceNo"], "mitraCd": "ASTR", "authCode": auth_code},
        }
    )
    assert unbound["unlinkResult"] == "success"


def test_raw_calls_keep_the_money_rules(info: Dict[str, Any]) -> None:  # noqa: F811
    client = client_for(info)
    generated = client.execute_raw(
        "POST",
        "/api/v1.0/qr/qr-mpm-generate",
        {
            "partnerReferenceNo": f"raw{uuid.uuid4().hex[:16]}",
            "amount": {"value": "10000.00", "currency": "IDR"},
            "merchantId": info["clientId"],
            "storeId": "NICEPAY",
            "additionalInfo": {"goodsNm": "Kopi"},
        },
        money_moving=False,
    )
    assert generated["responseCode"] == "2004700"
    admin(info, "POST", f"/__admin/qris/{generated['referenceNo']}/pay")
    admin(info, "POST", "/__admin/faults", {"path": "/api/v1.0/qr/qr-mpm-refund", "kind": "respondAfter", "status": 504, "times": 1})
    refund = {
        "originalReferenceNo": generated["referenceNo"],
        "originalPartnerReferenceNo": generated["partnerReferenceNo"],
        "partnerRefundNo": f"rf{uuid.uuid4().hex[:16]}",
        "merchantId": info["clientId"],
        "externalStoreId": "",
        "refundAmount": {"value": "10000.00", "currency": "IDR"},
        "reason": "test",
        "additionalInfo": {"cancelType": "1"},
    }
    with pytest.raises(snap.OutcomeUnknownError) as err:
        client.execute_raw("POST", "/api/v1.0/qr/qr-mpm-refund", refund, money_moving=True)
    assert err.value.operation == "raw"
    assert err.value.identifiers["partnerRefundNo"] == refund["partnerRefundNo"]
    with pytest.raises(snap.InvalidInputError):
        client.execute_raw("POST", "/api/x?q=1", {}, money_moving=False)

    async def raw_async() -> Any:
        return await snap.AsyncClient(**client_kwargs(info)).execute_raw(
            "POST", "/api/v1.0/qr/qr-mpm-query", {"originalReferenceNo": "x"}, money_moving=False
        )

    with pytest.raises(snap.ApiError):
        asyncio.run(raw_async())


def test_payout_notification_is_confirmed_by_inquiry(
    info: Dict[str, Any], inbox: NotificationInbox  # noqa: F811
) -> None:
    admin(info, "POST", "/__admin/payout/notification-url", {"url": inbox.url})
    try:
        client = client_for(info)
        registered = client.payout_registration(payout_registration(info, "1500.00"))
        client.payout_approve(payout_reference(info, registered))
        headers, body = inbox.next()
        confirmed = client.verify_and_confirm(product="payout", headers=headers, body=body)
        assert confirmed["paid"] is True
        assert confirmed["notification"]["originalReferenceNo"] == registered["referenceNo"]
    finally:
        admin(info, "POST", "/__admin/payout/notification-url", {"url": ""})
