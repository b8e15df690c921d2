"""Shared helpers: where the repository's golden vectors and test keys live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VECTORS = REPO_ROOT / "tests" / "vectors"
KEYS = REPO_ROOT / "tests" / "keys"


def vector_cases() -> List[Tuple[Path, Dict[str, Any]]]:
    """Every case directory of tests/vectors with its parsed context.json, sorted by name."""
    cases = []
    for case in sorted(p for p in VECTORS.iterdir() if p.is_dir()):
        cases.append((case, json.loads((case / "context.json").read_text(encoding="utf-8"))))
    return cases


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def merchant_private_pem() -> str:
    return read_text(KEYS / "merchant-test-private-pkcs8.pem")


@pytest.fixture(scope="session")
def merchant_public_pem() -> str:
    return read_text(KEYS / "merchant-test-public.pem")
