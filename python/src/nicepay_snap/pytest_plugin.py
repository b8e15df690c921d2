"""The pytest plugin of the package (registered through the ``pytest11`` entry point): the
``nicepay_simulator`` fixture, one running ``nicepay_snap.testing.Simulator`` per session with
its fault rules cleared before each test."""

from __future__ import annotations

from typing import Iterator

import pytest

from nicepay_snap.testing import Simulator


@pytest.fixture(scope="session")
def _nicepay_simulator_session() -> Iterator[Simulator]:
    with Simulator() as sim:
        yield sim


@pytest.fixture
def nicepay_simulator(_nicepay_simulator_session: Simulator) -> Simulator:
    """A running NICEPAY simulator on loopback (``.base_url``, ``.client_kwargs()``, ``.pay_qris``, ...)."""
    _nicepay_simulator_session.clear_faults()
    return _nicepay_simulator_session
