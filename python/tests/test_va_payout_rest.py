"""The named methods the other suites leave out: ``va_delete``, ``payout_cancel`` and the VA
notification's ``verify_and_confirm``, against the simulator."""

from __future__ import annotations

from typing import Any, Dict

import pytest

import nicepay_snap as snap
from conftest import NotificationInbox
from test_client import admin, client_for, client_kwargs, info, payout_reference, payout_registration  # noqa: F401
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
    import asyncio

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
