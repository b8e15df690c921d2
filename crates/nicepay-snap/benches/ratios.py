#!/usr/bin/env python3
"""Prints the `signing` bench results as ratios against baselines measured in the same run.

Reads criterion's `<target>/criterion/<group>/<id>/new/estimates.json` (median point estimates).
Usage: python3 crates/nicepay-snap/benches/ratios.py [CRITERION_DIR] [--check]

CRITERION_DIR defaults to $CARGO_TARGET_DIR/criterion, else target/criterion at the repo root.
--check exits 1 when typed transaction signing costs more than 1.5x the floor, as measured by
`transaction/typed_per_floor`: the two timed in alternating blocks within every sample, and
reported as 1 ns per 1x (so its "time" is the ratio). The ratio of the separately timed
`typed_prepare` and `floor` is printed too; on a shared machine it moves with the load.
"""

import json
import os
import sys
from pathlib import Path

# (label, numerator, denominator, target or None)
RATIOS = [
    ("typed signing / floor, paired samples (typed_per_floor)", "transaction/typed_per_floor", None, 1.5),
    ("typed signing (Config::prepare::<QrisRefund>) / floor", "transaction/typed_prepare", "transaction/floor", None),
    ("signing alone (SymmetricSigner::sign_transaction) / floor", "transaction/sign_transaction", "transaction/floor", None),
    ("JSON signing, compact input (prepare_json) / floor", "transaction/json_prepare_compact", "transaction/floor", None),
    ("JSON signing, pretty input (prepare_json) / floor", "transaction/json_prepare_pretty", "transaction/floor", None),
    ("floor keying HMAC per request / floor", "transaction/floor_with_hmac_key_setup", "transaction/floor", None),
    ("body_sha256_hex / raw SHA-256", "hash/body_sha256_hex", "hash/sha256_raw", None),
    ("RSA sign, core backend / rsa crate direct", "rsa/sign_base64", "rsa/rsa_crate_sign", None),
    ("RSA verify (notification), core backend / rsa crate direct", "rsa/verify_notification", "rsa/rsa_crate_verify", None),
    ("prepare_access_token / RSA sign alone", "rsa/prepare_access_token", "rsa/sign_base64", None),
    ("RSA sign / typed transaction signing", "rsa/sign_base64", "transaction/typed_prepare", None),
    ("parse PKCS#8 PEM private key / typed transaction signing", "keys/parse_private_pkcs8_pem", "transaction/typed_prepare", None),
    ("Config::build / typed transaction signing", "keys/config_build", "transaction/typed_prepare", None),
]


def median_ns(root: Path, bench_id: str):
    path = root / bench_id / "new" / "estimates.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data["median"]["point_estimate"]


def fmt_ns(ns):
    if ns is None:
        return "n/a"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.0f} ns"


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    check = "--check" in argv
    if args:
        root = Path(args[0])
    elif os.environ.get("CARGO_TARGET_DIR"):
        root = Path(os.environ["CARGO_TARGET_DIR"]) / "criterion"
    else:
        root = Path(__file__).resolve().parents[3] / "target" / "criterion"
    if not root.is_dir():
        print(f"no criterion results under {root}; run `cargo bench -p nicepay-snap --bench signing` first")
        return 1
    failed = False
    width = max(len(r[0]) for r in RATIOS)
    for label, num, den, target in RATIOS:
        # No denominator: the bench reports the ratio itself, as 1 ns per 1x.
        a, b = median_ns(root, num), (median_ns(root, den) if den else 1.0)
        if a is None or b is None:
            print(f"{label:<{width}}  missing ({num} or {den})")
            continue
        ratio = a / b
        note = ""
        if target is not None:
            ok = ratio <= target
            failed |= not ok
            note = f"  target <= {target:g}x: {'ok' if ok else 'MISSED'}"
        parts = f"({fmt_ns(a)} / {fmt_ns(b)})" if den else "(measured within each sample)"
        print(f"{label:<{width}}  {ratio:8.2f}x  {parts}{note}")
    return 1 if (check and failed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
