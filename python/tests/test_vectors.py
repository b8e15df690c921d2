"""Every golden vector in tests/vectors passes through the Python API, artifact by artifact.

The same files are checked by crates/nicepay-snap/tests/vectors.rs; passing here too is what
shows the binding is thin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

import nicepay_snap as snap
from conftest import REPO_ROOT, read_text, vector_cases

CASES = vector_cases()
KINDS = {"transaction", "token", "notification"}


def ids(kind: str):
    return [(case, ctx) for case, ctx in CASES if ctx["kind"] == kind]


def test_every_vector_has_a_known_kind_and_is_collected():
    assert len(CASES) >= 9, f"expected the committed vectors, found {len(CASES)}"
    for case, ctx in CASES:
        assert ctx["kind"] in KINDS, f"{case.name}: unknown kind {ctx['kind']!r}"
    assert len(ids("transaction")) >= 4
    assert len(ids("token")) >= 2
    assert len(ids("notification")) >= 3


@pytest.mark.parametrize(
    "case,ctx", ids("transaction"), ids=[c.name for c, _ in ids("transaction")]
)
def test_transaction_vector(case: Path, ctx: Dict[str, Any]) -> None:
    body = (case / "body.json").read_bytes()
    method, path, token, ts = ctx["method"], ctx["path"], ctx["accessToken"], ctx["timestamp"]

    assert snap.signed_path(path) == ctx["signedPath"]
    assert snap.body_sha256_hex(body) == read_text(case / "body-sha256.txt")

    sts = snap.transaction_string_to_sign(
        method=method, path=path, access_token=token, body=body, timestamp=ts
    )
    assert sts == read_text(case / "string-to-sign.txt")

    expected = read_text(case / "signature.txt")
    kwargs = dict(
        client_secret=ctx["clientSecret"], method=method, path=path, access_token=token, timestamp=ts
    )
    # bytes, bytearray and str (its UTF-8 bytes) all sign the same exact bytes.
    assert snap.sign_transaction(body=body, **kwargs) == expected
    assert snap.sign_transaction(body=bytearray(body), **kwargs) == expected
    assert snap.sign_transaction(body=body.decode("utf-8"), **kwargs) == expected
    # The signed path and the full /nicepay path sign identically.
    assert snap.sign_transaction(body=body, **{**kwargs, "path": ctx["signedPath"]}) == expected

    # A pretty-printed rendering minifies back to the exact bytes, as str and as bytes.
    pretty = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    assert pretty.encode("utf-8") != body
    assert snap.minify_json(pretty) == body.decode("utf-8")
    assert snap.minify_json(pretty.encode("utf-8")) == body
    assert snap.minify_json(body) == body


def test_transaction_vectors_interleaved_across_client_secrets() -> None:
    """The binding keeps the last secret's prepared HMAC key: switching secrets back and forth
    (and a secret that is a prefix of another) must never sign with a stale key."""
    cases = ids("transaction")
    assert len({ctx["clientSecret"] for _, ctx in cases}) >= 2, "vectors should use several secrets"
    for case, ctx in cases + cases[::-1] + cases:
        kwargs = dict(
            client_secret=ctx["clientSecret"],
            method=ctx["method"],
            path=ctx["path"],
            access_token=ctx["accessToken"],
            timestamp=ctx["timestamp"],
        )
        body = (case / "body.json").read_bytes()
        assert snap.sign_transaction(body=body, **kwargs) == read_text(case / "signature.txt"), case.name
        prefix = {**kwargs, "client_secret": ctx["clientSecret"][:-1]}
        assert snap.sign_transaction(body=body, **prefix) != read_text(case / "signature.txt"), case.name


@pytest.mark.parametrize("case,ctx", ids("token"), ids=[c.name for c, _ in ids("token")])
def test_token_vector(case: Path, ctx: Dict[str, Any]) -> None:
    key_text = read_text(REPO_ROOT / ctx["privateKeyFile"])
    public_text = read_text(REPO_ROOT / ctx["publicKeyFile"])
    client_id, ts = ctx["clientId"], ctx["timestamp"]
    sts = read_text(case / "token-string-to-sign.txt")
    expected = read_text(case / "token-signature.txt")

    assert snap.token_string_to_sign(client_id=client_id, timestamp=ts) == sts

    key = snap.PrivateKey(key_text)
    bare = "".join(line for line in key_text.splitlines() if not line.startswith("-----"))
    escaped = key_text.replace("\n", "\\n")
    for form in (key_text, key, bare, escaped):
        assert snap.sign_token_request(private_key=form, client_id=client_id, timestamp=ts) == expected
    assert key.sign(sts) == expected
    assert key.sign(sts.encode()) == expected

    public = snap.PublicKey(public_text)
    assert key.public_key() == public
    assert snap.PublicKey(public.to_base64()) == public
    assert snap.PublicKey(public.to_pem()) == public
    assert public.verify(sts, expected)
    assert not public.verify(sts + "x", expected)


@pytest.mark.parametrize(
    "case,ctx", ids("notification"), ids=[c.name for c, _ in ids("notification")]
)
def test_notification_vector(case: Path, ctx: Dict[str, Any]) -> None:
    client_id, ts, public = ctx["clientId"], ctx["timestamp"], ctx["publicKey"]
    signature = read_text(case / "signature.txt")
    assert snap.token_string_to_sign(client_id=client_id, timestamp=ts) == read_text(
        case / "string-to-sign.txt"
    )
    for key in (public, snap.PublicKey(public)):
        got = snap.verify_notification(
            public_key=key, client_id=client_id, timestamp=ts, signature=signature
        )
        assert got is ctx["valid"], case.name
