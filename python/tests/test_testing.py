"""The simulator inside the package: ``nicepay_snap.testing.Simulator``, the pytest plugin's
``nicepay_simulator`` fixture and ``python -m nicepay_snap simulate`` (no cargo binary used)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
import uuid

import pytest

import nicepay_snap as snap
from nicepay_snap.testing import Simulator


def test_the_plugin_fixture_runs_a_whole_payment(nicepay_simulator: Simulator) -> None:
    client = snap.Client(**nicepay_simulator.client_kwargs(timeout=10.0))
    order = f"ord{uuid.uuid4().hex[:20]}"
    generated = client.qris_generate({
        "partnerReferenceNo": order,
        "amount": {"value": "10000.00", "currency": "IDR"},
        "merchantId": nicepay_simulator.info["clientId"],
        "storeId": "NicepayStoreID1",
        "validityPeriod": "",
        "additionalInfo": {"goodsNm": "Kopi", "billingNm": "Budi"},
    })
    outcome = nicepay_simulator.pay_qris(generated["referenceNo"])
    assert outcome is not None
    queried = client.qris_query({
        "originalReferenceNo": generated["referenceNo"],
        "originalPartnerReferenceNo": order,
        "merchantId": nicepay_simulator.info["clientId"],
        "externalStoreId": "NicepayStoreID1",
        "serviceCode": "47",
        "additionalInfo": {},
    })
    assert queried["latestTransactionStatus"] == "00"
    nicepay_simulator.add_fault(path="/api/v1.0/qr/qr-mpm-query", kind="respondAfter", status=504, times=1)
    assert len(nicepay_simulator.state()["faults"]) == 1


def test_faults_are_cleared_between_tests(nicepay_simulator: Simulator) -> None:
    assert nicepay_simulator.state()["faults"] == []


def test_a_private_simulator_stops_and_refuses_bad_ports() -> None:
    with Simulator() as sim:
        assert sim.base_url.startswith("http://127.0.0.1:")
        assert "clientSecret" not in repr(sim) and sim.info["clientSecret"] not in repr(sim)
        url = sim.base_url
    sim.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/__admin/info", timeout=2)  # loopback only
    with pytest.raises(snap.InvalidInputError):
        Simulator(port=70000)


def test_python_m_nicepay_snap_simulate_prints_its_details() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "nicepay_snap", "simulate", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        with urllib.request.urlopen(info["baseUrl"] + "/__admin/info", timeout=10) as r:  # loopback only
            assert json.loads(r.read())["clientId"] == info["clientId"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
