"""Binding vs pure Python: transaction signing, token signing, notification verification.

The pure-Python side is what a careful Python SDK would write: ``hashlib``/``hmac`` for the
HMAC-SHA512 transaction signature, the ``cryptography`` package for SHA256withRSA, keys parsed
once. Both sides get the same inputs and their outputs are asserted equal before timing.

Not run in CI. Build the wheel in release mode first for meaningful numbers::

    cd python && maturin build --release -o ../dist && pip install ../dist/nicepay_snap-*.whl
    pip install cryptography
    python bench/bench_sign.py            # or: --quick
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import platform
import sys
import time
import timeit
from pathlib import Path
from typing import Callable, List, Tuple

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import nicepay_snap as snap

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
KEYS = ROOT / "tests" / "keys"


# --- the pure-Python reference implementation ------------------------------------------------


def py_sign_transaction(
    client_secret: str, method: str, path: str, access_token: str, body: bytes, timestamp: str
) -> str:
    signed_path = path[len("/nicepay") :] if path.startswith("/nicepay/") else path
    body_hash = hashlib.sha256(body).hexdigest()
    string_to_sign = f"{method}:{signed_path}:{access_token}:{body_hash}:{timestamp}"
    mac = hmac.new(client_secret.encode(), string_to_sign.encode(), hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


def py_sign_token(key: rsa.RSAPrivateKey, client_id: str, timestamp: str) -> str:
    message = f"{client_id}|{timestamp}".encode()
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def py_verify_notification(key: rsa.RSAPublicKey, client_id: str, timestamp: str, signature: str) -> bool:
    try:
        key.verify(
            base64.b64decode(signature, validate=True),
            f"{client_id}|{timestamp}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        return True
    except Exception:
        return False


# --- harness ----------------------------------------------------------------------------------


def per_call(fn: Callable[[], object], quick: bool) -> float:
    """Best-of-N CPU seconds per call (process time, so other processes on a busy machine
    do not count)."""
    timer = timeit.Timer(fn, timer=time.process_time)
    number, _ = timer.autorange()
    number *= 2  # autorange stops at 0.2 s; CPU clocks are coarser than wall clocks
    if quick:
        number = max(1, number // 4)
    return min(timer.repeat(repeat=3 if quick else 7, number=number)) / number


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:9.2f} µs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()

    case = VECTORS / "spec-hmac-qris-refund"
    ctx = json.loads((case / "context.json").read_text())
    body = (case / "body.json").read_bytes()
    big_body = json.dumps(
        {"items": [json.loads(body) for _ in range(40)]}, separators=(",", ":")
    ).encode()
    tx = dict(
        client_secret=ctx["clientSecret"],
        method=ctx["method"],
        path=ctx["path"],
        access_token=ctx["accessToken"],
        timestamp=ctx["timestamp"],
    )

    pem = (KEYS / "merchant-test-private-pkcs8.pem").read_text()
    py_key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(py_key, rsa.RSAPrivateKey)
    rs_key = snap.PrivateKey(pem)
    token_args = ("IONPAYTEST", "2024-07-05T10:11:40+07:00")

    ncase = VECTORS / "spec-notification-va"
    nctx = json.loads((ncase / "context.json").read_text())
    nsig = (ncase / "signature.txt").read_text()
    py_pub = serialization.load_der_public_key(base64.b64decode(nctx["publicKey"]))
    assert isinstance(py_pub, rsa.RSAPublicKey)
    rs_pub = snap.PublicKey(nctx["publicKey"])

    benches: List[Tuple[str, Callable[[], object], Callable[[], object]]] = [
        (
            f"sign_transaction ({len(body)} B body)",
            lambda: snap.sign_transaction(body=body, **tx),
            lambda: py_sign_transaction(body=body, **tx),
        ),
        (
            f"sign_transaction ({len(big_body)} B body)",
            lambda: snap.sign_transaction(body=big_body, **tx),
            lambda: py_sign_transaction(body=big_body, **tx),
        ),
        (
            "sign_token_request (parsed key)",
            lambda: snap.sign_token_request(private_key=rs_key, client_id=token_args[0], timestamp=token_args[1]),
            lambda: py_sign_token(py_key, *token_args),
        ),
        (
            "verify_notification (parsed key)",
            lambda: snap.verify_notification(
                public_key=rs_pub, client_id=nctx["clientId"], timestamp=nctx["timestamp"], signature=nsig
            ),
            lambda: py_verify_notification(py_pub, nctx["clientId"], nctx["timestamp"], nsig),
        ),
    ]

    # Same inputs, same outputs.
    for name, binding, pure in benches:
        assert binding() == pure(), name
    assert snap.sign_transaction(body=body, **tx) == (case / "signature.txt").read_text()
    assert snap.verify_notification(
        public_key=rs_pub, client_id=nctx["clientId"], timestamp=nctx["timestamp"], signature=nsig
    ) is True

    print(f"nicepay_snap {snap.__version__}, Python {platform.python_version()}, {platform.machine()}")
    print(f"{'operation':38} {'binding':>12} {'pure Python':>12} {'speed-up':>9}")
    for name, binding, pure in benches:
        b, p = per_call(binding, args.quick), per_call(pure, args.quick)
        print(f"{name:38} {fmt(b):>12} {fmt(p):>12} {p / b:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
