"""The NICEPAY simulator inside the package, for your own test suite: no cargo, no network.

``Simulator()`` starts the same Rust simulator the SDK is tested against, in this process, on a
free loopback port, with TEST-ONLY credentials::

    from nicepay_snap.testing import Simulator
    import nicepay_snap as snap

    with Simulator() as sim:
        client = snap.Client(**sim.client_kwargs())
        generated = client.qris_generate({...})
        sim.pay_qris(generated["referenceNo"])   # posts the signed notification to dbProcessUrl

With pytest the fixture ``nicepay_simulator`` (this package registers a pytest plugin) gives a
running simulator per test session, its faults cleared before each test. ``python -m nicepay_snap
simulate`` runs one standalone.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Dict, Optional

from nicepay_snap._nicepay_snap import Native


class Simulator:
    """A running NICEPAY SNAP simulator on ``127.0.0.1`` (``port=0``: any free port). Stops on
    ``stop()``, at the end of a ``with`` block, or with the process."""

    def __init__(self, *, port: int = 0) -> None:
        self._native = Native("simulator", {"port": port})
        self.info: Dict[str, Any] = self._native.call("info")

    @property
    def base_url(self) -> str:
        """Host root, e.g. ``http://127.0.0.1:41234`` (clients append ``/nicepay``)."""
        url: str = self.info["baseUrl"]
        return url

    def client_kwargs(self, **overrides: Any) -> Dict[str, Any]:
        """Keyword arguments of ``Client`` / ``AsyncClient`` for the simulator's merchant."""
        kwargs: Dict[str, Any] = dict(
            client_id=self.info["clientId"],
            client_secret=self.info["clientSecret"],
            private_key=self.info["privateKeyPem"],
            notification_public_key=self.info["notificationPublicKey"],
            base_url=self.base_url,
        )
        kwargs.update(overrides)
        return kwargs

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        """Calls the admin API (``/__admin/...``, see the simulator's docs) and returns its JSON;
        an error answer raises ``urllib.error.HTTPError``."""
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback only
            raw = response.read()
        return json.loads(raw) if raw else None

    def pay_qris(self, reference_no: str) -> Any:
        """The customer pays the QR; the signed notification goes to its ``dbProcessUrl``."""
        return self.admin("POST", f"/__admin/qris/{reference_no}/pay")

    def pay_va(self, virtual_account_no: str) -> Any:
        """The customer transfers to the VA (by number or ``tXidVA``)."""
        return self.admin("POST", f"/__admin/va/{virtual_account_no}/pay")

    def approve_ewallet(self, reference_no: str) -> Any:
        """The customer approves the e-wallet payment."""
        return self.admin("POST", f"/__admin/ewallet/{reference_no}/pay")

    def add_fault(self, **fault: Any) -> Any:
        """A fault rule, e.g. ``add_fault(path="/api/v1.0/qr/qr-mpm-refund", kind="respondAfter",
        status=504, times=1)``."""
        return self.admin("POST", "/__admin/faults", fault)

    def clear_faults(self) -> None:
        """Removes every fault rule."""
        self.admin("DELETE", "/__admin/faults")

    def state(self) -> Dict[str, Any]:
        """Every transaction, refund, fault and delivery (no secrets)."""
        state: Dict[str, Any] = self.admin("GET", "/__admin/state")
        return state

    def stop(self) -> None:
        """Stops the server (again: nothing)."""
        self._native.call("stop")

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(self, *exc: Optional[object]) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Simulator(base_url={self.base_url!r})"


__all__ = ["Simulator"]
