"""Typed use of the package, checked by ``mypy --strict`` in CI (scripts/test-python.sh); never run.

It shows what the stubs and ``nicepay_snap.types`` give a type checker. The deliberate mistakes
at the end carry ``# type: ignore[code]`` comments: ``--strict`` includes
``--warn-unused-ignores``, so if mypy stopped catching one of them, the run would fail.
"""

from typing import Iterable, List, Optional, Tuple

import nicepay_snap as snap
from nicepay_snap.types import (
    Amount,
    PayoutReference,
    PayoutResponse,
    QrisGenerateAdditionalInfo,
    QrisGenerateRequest,
    QrisGenerateResponse,
    QrisQueryResponse,
    UrlParam,
)


def generate(client: snap.Client) -> Optional[str]:
    request = QrisGenerateRequest(
        partnerReferenceNo="ord-1",
        amount=Amount(value="10000.00", currency="IDR"),
        merchantId="IONPAYTEST",
        storeId="NicepayStoreID1",
        additionalInfo=QrisGenerateAdditionalInfo(goodsNm="Coffee", dbProcessUrl="https://shop.example/notify"),
    )
    response: QrisGenerateResponse = client.qris_generate(request)
    code: str = response["responseCode"]
    assert code.startswith("200")
    return response["qrContent"]


def payout_status(client: snap.Client, reference: PayoutReference) -> Optional[str]:
    response: PayoutResponse = client.payout_inquiry(reference)
    return response["transactionStatus"]


def balances(client: snap.Client) -> List[str]:
    response = client.balance_inquiry({"accountNo": "", "additionalInfo": {"msId": ""}})
    return [info["availableBalance"]["value"] for info in response["accountInfos"] if info["availableBalance"]]


async def confirm(client: snap.AsyncClient, headers: Iterable[Tuple[str, str]], body: bytes) -> bool:
    confirmed = await client.verify_and_confirm(product="qris", headers=headers, body=body)
    status: QrisQueryResponse = confirmed["status"]
    return confirmed["paid"] and status["latestTransactionStatus"] == "00"


def links(notify: str) -> List[UrlParam]:
    return [UrlParam(url=notify, type="PAY_NOTIFY", isDeeplink="N")]


def receive(client: snap.Client, headers: Iterable[Tuple[str, str]], body: bytes) -> int:
    result: snap.NotificationResult = snap.NotificationHandler(client).handle(headers, body, path="/api/v1.0/debit/notify")
    answer: bytes = result.body
    return result.status_code if result.fulfil and answer else 0


async def receive_async(client: snap.AsyncClient, body: bytes) -> bool:
    result = await snap.NotificationHandler(client, confirm=True).handle({"X-TIMESTAMP": "t"}, body)
    return result.paid and not result.duplicate


def mistakes(client: snap.Client, request: QrisGenerateRequest) -> None:
    client.qris_generate({**request, "amountt": {"value": "1.00", "currency": "IDR"}})  # type: ignore[typeddict-unknown-key]
    client.qris_refund(request)  # type: ignore[arg-type]
    client.qris_generate({"partnerReferenceNo": "ord-1"})  # type: ignore[typeddict-item]
    response = client.qris_generate(request)
    response["qrContentt"]  # type: ignore[typeddict-item]
    amount: int = response["partnerReferenceNo"]  # type: ignore[assignment]
    del amount
    paid: bool = snap.NotificationHandler(client).handle({}, b"").status_code  # type: ignore[assignment]
    del paid
