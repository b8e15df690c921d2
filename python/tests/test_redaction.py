"""Secrets (client secret, private key, access token) never show in repr(), str() or an error."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import pytest

import nicepay_snap as snap

SECRET = "S3cr3t-Client-Value"
TOKEN = "AccessTokenValue12345"
TS = "2024-07-05T10:11:40+07:00"


def key_fragments(pem: str) -> List[str]:
    """Distinctive chunks of the key's base64 body."""
    lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    return [line[8:40] for line in lines[1:6]]


def assert_clean(text: str, secrets: List[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"secret leaked into {text!r}"


def test_private_key_repr_is_redacted(merchant_private_pem: str) -> None:
    key = snap.PrivateKey(merchant_private_pem)
    assert repr(key) == "PrivateKey([redacted])"
    assert str(key) == "PrivateKey([redacted])"
    assert_clean(repr(key) + str(key) + format(key), key_fragments(merchant_private_pem))


def test_public_key_repr_shows_the_public_key(merchant_private_pem: str) -> None:
    public = snap.PrivateKey(merchant_private_pem).public_key()
    assert repr(public) == f'PublicKey("{public.to_base64()}")'


def _errors(merchant_private_pem: str) -> List[BaseException]:
    calls: List[Callable[[], Any]] = [
        # Valid secret and token, bad everything else.
        lambda: snap.sign_transaction(
            client_secret=SECRET, method="GET", path="/a", access_token=TOKEN, body="{}", timestamp=TS
        ),
        lambda: snap.sign_transaction(
            client_secret=SECRET, method="POST", path="a", access_token=TOKEN, body="{}", timestamp=TS
        ),
        lambda: snap.sign_transaction(
            client_secret=SECRET,
            method="POST",
            path="/a",
            access_token=TOKEN,
            body="{}",
            timestamp="2024-07-05T03:11:40Z",
        ),
        # A token that is itself invalid must not be echoed either.
        lambda: snap.sign_transaction(
            client_secret=SECRET,
            method="POST",
            path="/a",
            access_token=TOKEN + " with space",
            body="{}",
            timestamp=TS,
        ),
        lambda: snap.transaction_string_to_sign(
            method="POST", path="/a", access_token=TOKEN, body="{}", timestamp="bad"
        ),
        # A damaged private key: no fragment of it in the message.
        lambda: snap.PrivateKey(merchant_private_pem.replace("M", "!", 3)),
        lambda: snap.PrivateKey(merchant_private_pem[:-80]),
        lambda: snap.sign_token_request(
            private_key=merchant_private_pem, client_id="A|B", timestamp=TS
        ),
        lambda: snap.sign_token_request(
            private_key=merchant_private_pem[:200], client_id="IONPAYTEST", timestamp=TS
        ),
    ]
    out = []
    for call in calls:
        with pytest.raises(snap.NicepayError) as info:
            call()
        out.append(info.value)
    return out


def test_error_messages_carry_no_secret(merchant_private_pem: str) -> None:
    secrets = [SECRET, TOKEN] + key_fragments(merchant_private_pem)
    for err in _errors(merchant_private_pem):
        assert_clean(str(err), secrets)
        assert_clean(repr(err), secrets)
        assert_clean(repr(err.args), secrets)
        assert_clean(repr(vars(err)), secrets)


def test_dunder_dicts_carry_no_secret(merchant_private_pem: str) -> None:
    key = snap.PrivateKey(merchant_private_pem)
    state: Dict[str, Any] = getattr(key, "__dict__", {})
    assert_clean(repr(state), key_fragments(merchant_private_pem))
