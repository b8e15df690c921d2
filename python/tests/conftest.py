"""Shared helpers: where the repository's golden vectors and test keys live."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from hypothesis import settings

# No example database on disk: runs stay reproducible and leave no .hypothesis/ behind.
settings.register_profile("nicepay", database=None)
settings.load_profile("nicepay")

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


def simulator_binary() -> Optional[str]:
    """The `nicepay-snap` CLI: $NICEPAY_SIMULATOR_BIN, else target/debug/nicepay-snap if built."""
    env = os.environ.get("NICEPAY_SIMULATOR_BIN")
    if env:
        return env
    built = REPO_ROOT / "target" / "debug" / "nicepay-snap"
    return str(built) if built.exists() else None


def _unavailable(reason: str) -> None:
    # scripts/test-python.sh sets NICEPAY_REQUIRE_SIMULATOR=1 once the CLI exists, so a
    # simulator that cannot start fails the run instead of skipping the client tests.
    if os.environ.get("NICEPAY_REQUIRE_SIMULATOR") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@contextlib.contextmanager
def launch_simulator(*extra_args: str) -> Iterator[Tuple[Dict[str, Any], "subprocess.Popen[str]"]]:
    """`nicepay-snap simulate --port 0 EXTRA_ARGS` on loopback: its one-line JSON info and the
    process (stderr still unread); stopped on exit."""
    binary = simulator_binary()
    if binary is None:
        _unavailable("nicepay-snap CLI not built (cargo build -p nicepay-snap-cli)")
        return
    proc = subprocess.Popen(
        [binary, "simulate", "--port", "0", *extra_args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else ""
        if not line.strip():
            proc.kill()
            err = proc.stderr.read() if proc.stderr else ""
            _unavailable(f"simulator did not start: {err.strip()[:500]}")
            return
        info = json.loads(line)
        assert info["baseUrl"].startswith("http://127.0.0.1:"), info["baseUrl"]
        yield info, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def simulator() -> Iterator[Dict[str, Any]]:
    """`nicepay-snap simulate --port 0` on loopback; yields its one-line JSON info."""
    with launch_simulator() as (info, _):
        yield info


def client_kwargs(info: Dict[str, Any]) -> Dict[str, Any]:
    """The keyword arguments of a Client for the simulator ``info`` describes."""
    return dict(
        client_id=info["clientId"],
        client_secret=info["clientSecret"],
        private_key=info["privateKeyPem"],
        notification_public_key=info["notificationPublicKey"],
        base_url=info["baseUrl"],
        timeout=10.0,
    )


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
    """Sends ``body`` as the JSON response of an ``http.server`` handler."""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class NotificationInbox:
    """A loopback HTTP endpoint that records notifications and acknowledges them."""

    def __init__(self) -> None:
        self.received: "queue.Queue[Tuple[List[Tuple[str, str]], bytes]]" = queue.Queue()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                inbox.received.put((list(self.headers.items()), body))
                reply(self, 200, b'{"responseCode":"2005200","responseMessage":"Successful"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1.0/qr/qr-mpm-notify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout: float = 10) -> Tuple[List[Tuple[str, str]], bytes]:
        return self.received.get(timeout=timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def inbox() -> Iterator[NotificationInbox]:
    box = NotificationInbox()
    try:
        yield box
    finally:
        box.close()
