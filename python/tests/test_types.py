"""``nicepay_snap.types``: one request and one response TypedDict per operation, and the runtime
checker (tests/typed.py) that the client tests run every payload through."""

from __future__ import annotations

import re
import typing
from typing import Any, Dict

import pytest

import nicepay_snap as snap
from nicepay_snap import types as t
from typed import METHODS, conforms


def test_every_operation_has_request_and_response_types() -> None:
    assert sorted(t.OPERATION_TYPES) == sorted(snap.OPERATIONS)
    for operation, (request, response) in t.OPERATION_TYPES.items():
        assert typing.is_typeddict(request) and typing.is_typeddict(response), operation
        assert "responseCode" in response.__required_keys__, operation
        assert typing.get_type_hints(request) and typing.get_type_hints(response)
    assert sorted(METHODS.values()) == sorted(snap.OPERATIONS)


def test_public_names() -> None:
    assert snap.types is t
    for name in t.__all__:
        assert not name.startswith("_") and hasattr(t, name), name
    public = {n for n, v in vars(t).items() if typing.is_typeddict(v) and not n.startswith("_")}
    assert public <= set(t.__all__)


def test_calling_a_typeddict_builds_a_plain_dict() -> None:
    amount = t.Amount(value="10000.00", currency="IDR")
    assert amount == {"value": "10000.00", "currency": "IDR"} and type(amount) is dict


def generate() -> Dict[str, Any]:
    return {
        "partnerReferenceNo": "ord-1",
        "amount": {"value": "10000.00", "currency": "IDR"},
        "merchantId": "IONPAYTEST",
        "storeId": "NicepayStoreID1",
        "additionalInfo": {"goodsNm": "Coffee", "userIP": "127.0.0.1"},
    }


def test_checker_accepts_a_valid_request_and_rejects_each_kind_of_mistake() -> None:
    conforms(generate(), t.QrisGenerateRequest, strict=True)
    missing = generate()
    del missing["storeId"]
    unknown = {**generate(), "storeID": "x"}
    wrong_type = {**generate(), "amount": "10000.00"}
    nested = {**generate(), "additionalInfo": {"goodsNm": 5}}
    nested_unknown = {**generate(), "additionalInfo": {"userIp": "127.0.0.1"}}
    for bad, message in [
        (missing, "lacks required keys ['storeId']"),
        (unknown, "keys ['storeID'] are not declared"),
        (wrong_type, "$.amount: expected an object"),
        (nested, "$.additionalInfo.goodsNm"),
        (nested_unknown, "keys ['userIp'] are not declared in QrisGenerateAdditionalInfo"),
    ]:
        with pytest.raises(AssertionError, match=re.escape(message)):
            conforms(bad, t.QrisGenerateRequest, strict=True)


def test_checker_on_responses_allows_undeclared_keys_but_not_missing_ones() -> None:
    response = {
        "responseCode": "2001100",
        "responseMessage": "Successful",
        "accountNo": None,
        "accountInfos": [{"availableBalance": {"value": "1.00", "currency": "IDR"}, "newKey": 1}],
        "additionalInfo": None,
        "somethingNew": True,
    }
    hints = typing.get_type_hints(t.BalanceInquiryResponse)
    response = {**{k: None for k in hints}, **response}
    conforms(response, t.BalanceInquiryResponse, strict=False)
    with pytest.raises(AssertionError):
        conforms(response, t.BalanceInquiryResponse, strict=True)
    del response["accountInfos"]
    with pytest.raises(AssertionError, match="accountInfos"):
        conforms(response, t.BalanceInquiryResponse, strict=False)
    with pytest.raises(AssertionError, match="expected bool"):
        conforms(1, bool, strict=False)
    with pytest.raises(AssertionError, match="expected int"):
        conforms(True, int, strict=False)
