"""Requests shared by the suites: Virtual Account create, status, delete; e-wallet payment and status."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

IDR = "IDR"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:20]}"


def create_va(client: Any, value: str, db_process_url: str = "") -> Dict[str, str]:
    trx = unique("va")
    additional: Dict[str, Any] = {"bankCd": "BMRI", "goodsNm": "Kopi", "vacctValidDt": "", "vacctValidTm": ""}
    if db_process_url:
        additional["dbProcessUrl"] = db_process_url
    created = client.va_create(
        {
            "partnerServiceId": "",
            "customerNo": "",
            "virtualAccountNo": "",
            "virtualAccountName": "Budi Santoso",
            "trxId": trx,
            "totalAmount": {"value": value, "currency": IDR},
            "additionalInfo": additional,
        }
    )
    assert created["responseCode"] == "2002700"
    data = created["virtualAccountData"]
    return {"vaNo": data["virtualAccountNo"], "txid": data["additionalInfo"]["tXidVA"], "trxId": trx, "value": value}


def va_status(client: Any, va: Dict[str, str]) -> str:
    status = client.va_status(
        {
            "partnerServiceId": "",
            "customerNo": "",
            "virtualAccountNo": va["vaNo"],
            "inquiryRequestId": unique("inq"),
            "additionalInfo": {
                "totalAmount": {"value": va["value"], "currency": IDR},
                "trxId": va["trxId"],
                "tXidVA": va["txid"],
            },
        }
    )
    return str(status["virtualAccountData"]["additionalInfo"]["latestTransactionStatus"])


def delete_request(va: Dict[str, str]) -> Dict[str, Any]:
    return {
        "partnerServiceId": "",
        "customerNo": "",
        "virtualAccountNo": va["vaNo"],
        "trxId": va["trxId"],
        "additionalInfo": {
            "totalAmount": {"value": va["value"], "currency": IDR},
            "tXidVA": va["txid"],
            "cancelMessage": "Order cancelled",
        },
    }


def ewallet_payment_request(client_id: str, order: str, value: str, url_param: List[Dict[str, str]]) -> Dict[str, Any]:
    """An e-wallet payment (host-to-host) request paid with DANA."""
    return {
        "partnerReferenceNo": order,
        "merchantId": client_id,
        "subMerchantId": "",
        "externalStoreId": "",
        "validUpTo": "",
        "pointOfInitiation": "Mobile App",
        "amount": {"value": value, "currency": IDR},
        "urlParam": url_param,
        "additionalInfo": {"mitraCd": "DANA", "goodsNm": "Kopi"},
    }


def ewallet_status_request(client_id: str, order: str, reference_no: str, value: str, now: str) -> Dict[str, Any]:
    """The status request of e-wallet payment ``reference_no`` (``now``: a +07:00 timestamp)."""
    return {
        "merchantId": client_id,
        "subMerchantId": "",
        "originalPartnerReferenceNo": order,
        "originalReferenceNo": reference_no,
        "serviceCode": "54",
        "transactionDate": now,
        "externalStoreId": "",
        "amount": {"value": value, "currency": IDR},
        "additionalInfo": {},
    }
