"""Properties (hypothesis): the binding agrees with a plain-Python reference implementation,
and no input makes it panic."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import nicepay_snap as snap

TS = "2024-07-05T10:11:40+07:00"
printable = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40)
segments = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-", min_size=1, max_size=10),
    min_size=1,
    max_size=4,
)


def reference_signature(secret: str, method: str, path: str, token: str, body: bytes, ts: str) -> str:
    digest = hashlib.sha256(body).hexdigest()
    message = f"{method}:{path}:{token}:{digest}:{ts}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha512).digest()).decode()


@settings(max_examples=200, deadline=None)
@given(
    secret=st.text(min_size=1, max_size=40),
    method=st.sampled_from(["POST", "DELETE"]),
    parts=segments,
    token=printable,
    body=st.binary(max_size=300),
    prefixed=st.booleans(),
)
def test_sign_transaction_matches_reference(
    secret: str, method: str, parts: Any, token: str, body: bytes, prefixed: bool
) -> None:
    try:
        secret.encode("utf-8")
    except UnicodeEncodeError:
        return
    path = "/" + "/".join(parts)
    sent_path = "/nicepay" + path if prefixed else path
    got = snap.sign_transaction(
        client_secret=secret, method=method, path=sent_path, access_token=token, body=body, timestamp=TS
    )
    assert got == reference_signature(secret, method, path, token, body, TS)
    assert snap.body_sha256_hex(body) == hashlib.sha256(body).hexdigest()


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_str_body_signs_its_utf8_bytes(text: str) -> None:
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    kwargs: Any = dict(client_secret="k", method="POST", path="/a", access_token="t", timestamp=TS)
    assert snap.sign_transaction(body=text, **kwargs) == snap.sign_transaction(body=raw, **kwargs)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(value=json_values, indent=st.sampled_from([None, 0, 2, 4]), ascii_only=st.booleans())
def test_minify_equals_compact_dumps(value: Any, indent: Any, ascii_only: bool) -> None:
    pretty = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only)
    assert snap.minify_json(pretty) == compact
    assert snap.minify_json(compact) == compact
    assert snap.minify_json(pretty.encode()) == compact.encode()


@settings(max_examples=300, deadline=None)
@given(
    method=st.text(max_size=8),
    path=st.text(max_size=30),
    token=st.text(max_size=20),
    body=st.binary(max_size=40) | st.text(max_size=40),
    ts=st.text(max_size=30) | st.just(TS),
    key=st.text(max_size=60),
    sig=st.text(max_size=60),
)
def test_no_input_panics(method: str, path: str, token: str, body: Any, ts: str, key: str, sig: str) -> None:
    """Arbitrary input raises NicepayError (or returns); never pyo3's PanicException."""
    calls = [
        lambda: snap.sign_transaction(
            client_secret="k", method=method, path=path, access_token=token, body=body, timestamp=ts
        ),
        lambda: snap.transaction_string_to_sign(
            method=method, path=path, access_token=token, body=body, timestamp=ts
        ),
        lambda: snap.verify_notification(public_key=key, client_id=token, timestamp=ts, signature=sig),
        lambda: snap.sign_token_request(private_key=key, client_id=token, timestamp=ts),
        lambda: snap.minify_json(body),
        lambda: snap.signed_path(path),
        lambda: snap.normalize_timestamp(ts),
        lambda: snap.PublicKey(key),
    ]
    for call in calls:
        try:
            call()
        except snap.NicepayError:
            pass


@settings(max_examples=300, deadline=None)
@given(
    unix=st.integers(min_value=-62_135_596_800 + 86_400, max_value=253_402_300_799 - 86_400),
    offset_minutes=st.sampled_from([0, 7 * 60, -5 * 60, 5 * 60 + 30, 14 * 60, -12 * 60]),
)
def test_outbound_timestamp_accepted_iff_canonical(unix: int, offset_minutes: int) -> None:
    import datetime as dt

    tz = dt.timezone(dt.timedelta(minutes=offset_minutes))
    instant = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=unix)
    text = instant.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S%z")
    text = text[:-2] + ":" + text[-2:]
    if len(text) != 25:
        return  # years before 1000 render with fewer digits on some platforms
    canonical = snap.normalize_timestamp(text)
    assert canonical.endswith("+07:00") and len(canonical) == 25
    kwargs: Any = dict(client_secret="k", method="POST", path="/a", access_token="t", body=b"{}")
    if text == canonical:
        assert snap.sign_transaction(timestamp=text, **kwargs)
    else:
        try:
            snap.sign_transaction(timestamp=text, **kwargs)
        except snap.InvalidInputError as err:
            assert err.field == "timestamp" and canonical in str(err)
        else:
            raise AssertionError(f"{text} was accepted although it is not {canonical}")


def test_alternating_secrets_and_threads_sign_correctly() -> None:
    """The per-thread prepared-key cache never signs with a stale secret."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(f"secret-{i % 7}", f'{{"n":{i}}}'.encode()) for i in range(400)]

    def sign(job: Any) -> bool:
        secret, body = job
        got = snap.sign_transaction(
            client_secret=secret, method="POST", path="/a", access_token="t", body=body, timestamp=TS
        )
        return got == reference_signature(secret, "POST", "/a", "t", body, TS)

    assert all(map(sign, jobs))
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(sign, jobs))
