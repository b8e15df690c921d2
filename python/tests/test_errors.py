"""Bad input raises the right exception class (never a panic), and the hierarchy is as documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict

import pytest

import nicepay_snap as snap
from conftest import REPO_ROOT

TS = "2024-07-05T10:11:40+07:00"
GOOD: Dict[str, Any] = dict(
    client_secret="test-client-secret",
    method="POST",
    path="/api/v1.0/qr/qr-mpm-refund",
    access_token="TESTACCESSTOKEN123",
    body=b"{}",
    timestamp=TS,
)


def test_version_is_the_cargo_version() -> None:
    cargo = (REPO_ROOT / "Cargo.toml").read_text(encoding="utf-8")
    section = cargo.split("[workspace.package]", 1)[1]
    version = re.search(r'^version\s*=\s*"([^"]+)"', section, re.M)
    assert version is not None
    assert snap.__version__ == version.group(1)


def test_hierarchy() -> None:
    for cls in (
        snap.InvalidInputError,
        snap.SignatureError,
        snap.ApiError,
        snap.DecodeError,
        snap.TransportError,
        snap.OutcomeUnknownError,
    ):
        assert issubclass(cls, snap.NicepayError)
        assert issubclass(cls, Exception)
    assert issubclass(snap.InvalidInputError, ValueError)
    assert not issubclass(snap.ApiError, ValueError)
    # The native module re-exports the very same classes.
    from nicepay_snap import _nicepay_snap

    assert _nicepay_snap.InvalidInputError is snap.InvalidInputError
    assert _nicepay_snap.NicepayError is snap.NicepayError


def test_api_error_attributes() -> None:
    err = snap.ApiError(
        "NICEPAY API error 4017301 (HTTP 401): Access Token Invalid",
        http_status=401,
        response_code="4017301",
        response_message="Access Token Invalid",
    )
    assert (err.http_status, err.response_code, err.service_code, err.case_code) == (
        401,
        "4017301",
        "73",
        "01",
    )
    assert err.response_message == "Access Token Invalid"
    with pytest.raises(snap.NicepayError):
        raise err


def _invalid(field: str, **overrides: Any) -> snap.InvalidInputError:
    with pytest.raises(snap.InvalidInputError) as info:
        snap.sign_transaction(**{**GOOD, **overrides})
    assert isinstance(info.value, ValueError)
    assert info.value.field == field, info.value
    return info.value


@pytest.mark.parametrize(
    "field,overrides",
    [
        ("timestamp", {"timestamp": "2024-07-05T03:11:40Z"}),
        ("timestamp", {"timestamp": "2024-07-05T10:11:40-05:00"}),
        ("timestamp", {"timestamp": "2024-07-05 10:11:40+07:00"}),
        ("timestamp", {"timestamp": "2024-02-30T10:11:40+07:00"}),
        ("timestamp", {"timestamp": ""}),
        ("timestamp", {"timestamp": "2024-07-05T10:11:40.123+07:00"}),
        ("method", {"method": "GET"}),
        ("method", {"method": ""}),
        ("path", {"path": "api/v1.0/qr/qr-mpm-refund"}),
        ("path", {"path": "https://dev.nicepay.co.id/nicepay/api/v1.0/qr/qr-mpm-refund"}),
        ("path", {"path": "/api/v1.0/qr/qr-mpm-refund?x=1"}),
        ("path", {"path": "/api/v1.0/qr/qr-mpm-refund/"}),
        ("path", {"path": "/nicepay"}),
        ("path", {"path": "/api/v1.0/qr/ü"}),
        ("access_token", {"access_token": ""}),
        ("access_token", {"access_token": "Bearer abc"}),
        ("client_secret", {"client_secret": ""}),
        ("body", {"body": "\ud800"}),
    ],
)
def test_sign_transaction_bad_input(field: str, overrides: Dict[str, Any]) -> None:
    _invalid(field, **overrides)


def test_non_canonical_timestamp_names_the_canonical_form() -> None:
    err = _invalid("timestamp", timestamp="2024-07-05T03:11:40Z")
    assert TS in str(err)
    assert snap.normalize_timestamp("2024-07-05T03:11:40Z") == TS
    assert snap.normalize_timestamp("2024-07-04T22:11:40-05:00") == TS
    with pytest.raises(snap.InvalidInputError):
        snap.normalize_timestamp("yesterday")


def test_timestamp_now_is_canonical() -> None:
    now = snap.timestamp_now()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", now)
    assert snap.normalize_timestamp(now) == now


@pytest.mark.parametrize("body", [1, None, 1.5, ["{}"], {"a": 1}, memoryview(b"{}")])
def test_body_of_wrong_type_is_a_type_error(body: Any) -> None:
    with pytest.raises(TypeError):
        snap.sign_transaction(**{**GOOD, "body": body})
    with pytest.raises(TypeError):
        snap.body_sha256_hex(body)


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        snap.sign_transaction(*GOOD.values())  # type: ignore[misc]
    with pytest.raises(TypeError):
        snap.sign_token_request("key", "IONPAYTEST", TS)  # type: ignore[misc]
    with pytest.raises(TypeError):
        snap.sign_transaction(**{k: v for k, v in GOOD.items() if k != "body"})  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "text", ["", "   ", "not a key", "QUJD", "-----BEGIN PRIVATE KEY-----\nQUJD", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJD\n-----END ENCRYPTED PRIVATE KEY-----"]
)
def test_bad_private_key(text: str) -> None:
    with pytest.raises(snap.InvalidInputError) as info:
        snap.PrivateKey(text)
    assert info.value.field == "private_key"
    with pytest.raises(snap.InvalidInputError):
        snap.sign_token_request(private_key=text, client_id="IONPAYTEST", timestamp=TS)


def test_bad_public_key(merchant_private_pem: str) -> None:
    with pytest.raises(snap.InvalidInputError) as info:
        snap.PublicKey("QUJD")
    assert info.value.field == "public_key"
    with pytest.raises(snap.InvalidInputError):
        snap.verify_notification(public_key="nope", client_id="IONPAYTEST", timestamp=TS, signature="QUJD")
    # A private key is not a public key.
    with pytest.raises(TypeError):
        snap.verify_notification(
            public_key=snap.PrivateKey(merchant_private_pem),  # type: ignore[arg-type]
            client_id="IONPAYTEST",
            timestamp=TS,
            signature="QUJD",
        )
    with pytest.raises(TypeError):
        snap.sign_token_request(private_key=b"bytes", client_id="IONPAYTEST", timestamp=TS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "client_id",
    ["", "A|B", "with space", "é", "I" * 21, "I" * 100_000],
    ids=["empty", "pipe", "space", "non-ascii", "21-chars", "100k-chars"],
)
def test_bad_client_id(client_id: str, merchant_private_pem: str, merchant_public_pem: str) -> None:
    with pytest.raises(snap.InvalidInputError) as info:
        snap.sign_token_request(private_key=merchant_private_pem, client_id=client_id, timestamp=TS)
    assert info.value.field == "client_id"
    with pytest.raises(snap.InvalidInputError):
        snap.verify_notification(
            public_key=merchant_public_pem, client_id=client_id, timestamp=TS, signature="QUJD"
        )


def test_token_timestamp_must_be_canonical(merchant_private_pem: str) -> None:
    with pytest.raises(snap.InvalidInputError) as info:
        snap.sign_token_request(
            private_key=merchant_private_pem, client_id="IONPAYTEST", timestamp="2024-07-05T03:11:40Z"
        )
    assert info.value.field == "timestamp"


@pytest.mark.parametrize("signature", ["", "QUJD", "***not base64***", "A" * 344, "é"])
def test_garbage_notification_signature_is_false_not_an_error(
    signature: str, merchant_public_pem: str
) -> None:
    assert (
        snap.verify_notification(
            public_key=merchant_public_pem, client_id="IONPAYTEST", timestamp=TS, signature=signature
        )
        is False
    )


def test_notification_timestamp_is_checked_as_received(merchant_private_pem: str) -> None:
    key = snap.PrivateKey(merchant_private_pem)
    public = key.public_key()
    # Inbound timestamps may carry any offset: the signature covers the string as received.
    ts = "2024-07-05T03:11:40Z"
    sig = key.sign(f"IONPAYTEST|{ts}")
    assert snap.verify_notification(public_key=public, client_id="IONPAYTEST", timestamp=ts, signature=sig)
    assert not snap.verify_notification(
        public_key=public, client_id="IONPAYTEST", timestamp=TS, signature=sig
    )
    with pytest.raises(snap.InvalidInputError) as info:
        snap.verify_notification(public_key=public, client_id="IONPAYTEST", timestamp="later", signature=sig)
    assert info.value.field == "timestamp"


@pytest.mark.parametrize("bad", ["", "{", '{"a":1}x', '{"a" 1}', "[1,]", '"unterminated', b"\xff"])
def test_minify_rejects_malformed_json(bad: Any) -> None:
    with pytest.raises(snap.InvalidInputError) as info:
        snap.minify_json(bad)
    assert info.value.field == "body"


def test_signed_path() -> None:
    assert snap.signed_path("/nicepay/api/v1.0/qr/qr-mpm-refund") == "/api/v1.0/qr/qr-mpm-refund"
    assert snap.signed_path("/nicepayfoo") == "/nicepayfoo"
    with pytest.raises(snap.InvalidInputError):
        snap.signed_path("relative")


HUGE = "9" * (10 * 1024 * 1024)


def _assert_short(err: BaseException) -> None:
    message = str(err)
    assert len(message) < 300, message[:300]
    assert f"({len(HUGE)} bytes)" in message


def test_ten_megabyte_timestamp_gives_a_short_message(merchant_private_pem: str) -> None:
    public = snap.PrivateKey(merchant_private_pem).public_key()
    with pytest.raises(snap.InvalidInputError) as info:
        snap.verify_notification(public_key=public, client_id="IONPAYTEST", timestamp=HUGE, signature="QUJD")
    assert info.value.field == "timestamp"
    _assert_short(info.value)


def test_ten_megabyte_method_gives_a_short_message() -> None:
    with pytest.raises(snap.InvalidInputError) as info:
        snap.sign_transaction(
            client_secret="s", method=HUGE, path="/api/x", access_token="T", body="{}", timestamp=TS
        )
    _assert_short(info.value)
