"""The simulator's sandbox dashboard in a real browser: headless Chromium driven through
WebDriver (chromedriver's W3C HTTP API, spoken with urllib), against `nicepay-snap simulate`,
with the real SDK client making the calls.

scripts/test-python.sh installs Debian's chromium and chromium-driver when missing and runs this
file as its own stage (NICEPAY_REQUIRE_BROWSER=1: a missing browser fails instead of skipping).
Screenshots go to target/dashboard-screenshots/ (CI artifacts).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, TypeVar

import pytest

import nicepay_snap as snap
from conftest import REPO_ROOT, NotificationInbox, client_kwargs, launch_simulator, reply
from va_helpers import create_va, ewallet_payment_request, ewallet_status_request, va_status

CHROMIUM = os.environ.get("NICEPAY_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("NICEPAY_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = REPO_ROOT / "target" / "dashboard-screenshots"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C element reference key
T = TypeVar("T")


def _unavailable(reason: str) -> None:
    if os.environ.get("NICEPAY_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebDriverError(Exception):
    pass


class Browser:
    """A W3C WebDriver session with chromedriver (only the commands this test needs)."""

    def __init__(self, driver_url: str, profile: str) -> None:
        self.url = driver_url
        args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--window-size=1400,1000",
        ]
        caps = {"browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}
        self.session = self.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]

    def call(self, method: str, path: str, payload: Optional[Dict[str, Any]] = None) -> Any:
        if path != "/session":
            path = f"/session/{self.session}{path}"
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:  # loopback only
                return json.loads(resp.read())["value"]
        except urllib.error.HTTPError as e:
            raise WebDriverError(e.read().decode(errors="replace")[:500]) from None

    def open(self, url: str) -> None:
        self.call("POST", "/url", {"url": url})

    def find_all(self, css: str) -> List[str]:
        found = self.call("POST", "/elements", {"using": "css selector", "value": css})
        return [e[ELEMENT] for e in found]

    def find(self, css: str) -> str:
        return str(self.call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT])

    def text(self, element: str) -> str:
        return str(self.call("GET", f"/element/{element}/text"))

    def click(self, css: str) -> None:
        self.call("POST", f"/element/{self.find(css)}/click", {})

    def type_into(self, css: str, text: str) -> None:
        element = self.find(css)
        self.call("POST", f"/element/{element}/clear", {})
        self.call("POST", f"/element/{element}/value", {"text": text})

    def submit(self, css: str, keys: Optional[str] = None) -> None:
        """Clicks form button ``css`` (or types ``keys`` into field ``css``) and waits for the
        answer page: the old document is marked first, so a page still loading is never read."""
        self.run("document.documentElement.dataset.old = '1'")
        if keys is None:
            self.click(css)
        else:
            self.type_into(css, keys)
        new_page = "return document.readyState === 'complete' && !document.documentElement.dataset.old"
        wait_for("the answer page", lambda: self.run(new_page))

    def notice(self, kind: str) -> str:
        """The text of the page's ``ok`` or ``error`` notice."""
        return self.text(self.find(f".notice.{kind}"))

    def run(self, script: str, *args: Any) -> Any:
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        path.write_bytes(base64.b64decode(self.call("GET", "/screenshot")))
        return path

    def quit(self) -> None:
        try:
            self.call("DELETE", "")
        except (WebDriverError, OSError):
            pass


def wait_for(what: str, check: Callable[[], Optional[T]], timeout: float = 15) -> T:
    """Polls ``check`` until it returns something truthy (the page updates itself)."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except WebDriverError as e:
            last_error = e
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (last error: {last_error})")


@pytest.fixture(scope="module")
def sim() -> Iterator[Dict[str, Any]]:
    """`nicepay-snap simulate` with a short notification retry schedule."""
    with launch_simulator("--notification-retries", "300ms,600ms") as (info, proc):
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        assert f"dashboard at {info['baseUrl']}/__dashboard" in banner, banner
        yield info


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        _unavailable(f"{CHROMIUM} or {CHROMEDRIVER} missing (apt-get install chromium chromium-driver)")
        return
    port = free_port()
    driver = subprocess.Popen(
        [CHROMEDRIVER, f"--port={port}", "--allowed-ips=127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    profile = tempfile.mkdtemp(prefix="nicepay-chromium-")
    session: Optional[Browser] = None
    try:
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                with urllib.request.urlopen(url + "/status", timeout=2) as resp:  # loopback only
                    return bool(json.loads(resp.read())["value"]["ready"])
            except OSError:
                return False

        wait_for("chromedriver", ready, timeout=30)
        session = Browser(url, profile)
        yield session
    finally:
        if session is not None:
            session.quit()
        driver.terminate()
        driver.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def admin_state(info: Dict[str, Any]) -> Dict[str, Any]:
    with urllib.request.urlopen(info["baseUrl"] + "/__admin/state", timeout=10) as resp:  # loopback only
        return dict(json.loads(resp.read()))


def client_for(info: Dict[str, Any]) -> snap.Client:
    return snap.Client(**client_kwargs(info))


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:20]}"


class RefusingMerchant:
    """A notification endpoint that always answers 503: the simulator retries."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply(self, 503, b'{"responseCode":"5035200","responseMessage":"busy"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_dashboard_in_chromium(sim: Dict[str, Any], browser: Browser, inbox: NotificationInbox) -> None:
    client = client_for(sim)
    dashboard = sim["baseUrl"] + "/__dashboard"
    browser.open(dashboard)
    assert "NICEPAY SNAP simulator" in browser.text(browser.find("h1"))

    # 1. A QRIS generated by the merchant's code appears without a reload, with its QR code.
    order = unique("ord")
    generated = client.qris_generate(
        {
            "partnerReferenceNo": order,
            "amount": {"value": "25000.00", "currency": "IDR"},
            "merchantId": sim["clientId"],
            "storeId": "NicepayStoreID1",
            "validityPeriod": "",
            "additionalInfo": {"goodsNm": "Kopi", "dbProcessUrl": inbox.url},
        }
    )
    ref = generated["referenceNo"]
    wait_for("the QRIS row", lambda: browser.find_all(f"#qris-{ref} figure.qr svg path"))
    shown = browser.run(f"return document.querySelector('#qris-{ref} .qr-content').textContent")
    assert shown == generated["qrContent"]
    browser.screenshot("1-qris-generated.png")

    # 2. Pay as the customer: the notification attempt shows in the log, acknowledged.
    browser.submit(f"#qris-pay-{ref}")
    notice = browser.notice("ok")
    assert ref in notice and "notification acknowledged (HTTP 200)" in notice, notice
    headers, body = inbox.next()
    assert client.verify_notification(headers=headers, body=body)["originalReferenceNo"] == ref
    row = wait_for("the attempt", lambda: [r for r in browser.find_all("tr.attempt") if ref in browser.text(r)])
    assert "yes" in browser.text(row[0]) and "HTTP 200" in browser.text(row[0])
    browser.screenshot("2-qris-paid-notified.png")

    # 3. A merchant that answers 503 gets retries on the schedule, each one in the log.
    refusing = RefusingMerchant()
    try:
        retried = client.qris_generate(
            {
                "partnerReferenceNo": unique("ord"),
                "amount": {"value": "1000.00", "currency": "IDR"},
                "merchantId": sim["clientId"],
                "storeId": "NicepayStoreID1",
                "validityPeriod": "",
                "additionalInfo": {"dbProcessUrl": refusing.url},
            }
        )["referenceNo"]
        browser.open(dashboard)
        browser.submit(f"#qris-pay-{retried}")
        assert "HTTP 503; retry in 300 ms" in browser.notice("ok")

        def three_attempts() -> List[str]:
            rows = [browser.text(r) for r in browser.find_all("tr.attempt") if retried in browser.text(r)]
            return rows if len(rows) == 3 else []

        rows = wait_for("three attempts", three_attempts)
        assert "attempt 3" in rows[0] and "retry in" not in rows[0]
        assert "retry in 600 ms" in rows[1] and "retry in 300 ms" in rows[2]
    finally:
        refusing.close()

    # 4. An e-wallet payment: approve it as the customer. Meanwhile the developer reads the
    # headers of the first notification: the live update keeps them open.
    first_attempt = browser.run(
        "return [].find.call(document.querySelectorAll('tr.attempt'), r => r.textContent.includes(arguments[0])).id",
        ref,
    )
    browser.click(f"#{first_attempt}-headers summary")
    assert "X-SIGNATURE: " in browser.text(browser.find(f"#{first_attempt}-headers pre"))
    ew_order = unique("ew")
    notify = [{"url": inbox.url, "type": "PAY_NOTIFY", "isDeeplink": "N"}]
    payment = client.ewallet_payment(ewallet_payment_request(sim["clientId"], ew_order, "30000.00", notify))
    ew_ref = payment["referenceNo"]
    wait_for("the e-wallet row", lambda: browser.find_all(f"#ewallet-approve-{ew_ref}"))
    assert browser.run(f"return document.getElementById('{first_attempt}-headers').open") is True
    browser.submit(f"#ewallet-approve-{ew_ref}")
    assert "notification acknowledged" in browser.notice("ok")
    assert "00 Success" in browser.text(browser.find(f"#ewallet-{ew_ref}"))
    inbox.next()
    status = client.ewallet_status(
        ewallet_status_request(sim["clientId"], ew_order, ew_ref, "30000.00", snap.timestamp_now())
    )
    assert status["latestTransactionStatus"] == "00"

    # 5. A fault set in the dashboard: the refund is applied but answered 504, and the client
    # reports an unknown outcome (never a failure it could safely retry).
    browser.run(
        "document.getElementById('fault-path').value = arguments[0];"
        "document.getElementById('fault-kind').value = 'respondAfter';",
        "/api/v1.0/qr/qr-mpm-refund",
    )
    browser.type_into("#fault-status", "504")
    browser.type_into("#fault-times", "1")
    browser.submit("#fault-add")
    assert "fault added" in browser.notice("ok")
    assert "/api/v1.0/qr/qr-mpm-refund" in browser.text(browser.find("#live"))
    with pytest.raises(snap.OutcomeUnknownError):
        client.qris_refund(
            {
                "originalReferenceNo": ref,
                "originalPartnerReferenceNo": order,
                "partnerRefundNo": unique("rfd"),
                "merchantId": sim["clientId"],
                "externalStoreId": "NicepayStoreID1",
                "refundAmount": {"value": "5000.00", "currency": "IDR"},
                "reason": "Customer request",
                "additionalInfo": {"cancelType": "1"},
            }
        )
    # The live view shows the refund that did happen, and the used-up rule is gone.
    wait_for("the refund", lambda: "5000.00" in browser.text(browser.find(f"#qris-{ref}")))
    assert not any("qr-mpm-refund" in f.get("path", "") for f in admin_state(sim)["faults"])

    # 6. Bad input through the forms is refused and changes nothing; markup is shown as text.
    va = create_va(client, "15000.00")
    wait_for("the VA row", lambda: browser.find_all(f"#va-pay-{va['txid']}"))
    before = admin_state(sim)
    for amount in ["-5.00", "99999999999999999999.00", "5000.00", "<script>alert(1)</script>"]:
        browser.type_into(f"#va-amount-{va['txid']}", amount)
        browser.submit(f"#va-pay-{va['txid']}")
        error = browser.notice("error")
        assert error, amount
        assert admin_state(sim)["va"] == before["va"], amount
    assert "<script>alert(1)</script>" in error or "amount" in error
    # A merchant reference with markup in it is shown as text, never run.
    markup = "<img src=x onerror=alert(1)>"
    tagged = client.qris_generate(
        {
            "partnerReferenceNo": markup,
            "amount": {"value": "1.00", "currency": "IDR"},
            "merchantId": sim["clientId"],
            "storeId": "NicepayStoreID1",
            "validityPeriod": "",
            "additionalInfo": {},
        }
    )["referenceNo"]
    wait_for("the tagged row", lambda: markup in browser.text(browser.find(f"#qris-{tagged}")))
    assert browser.run("return document.images.length") == 0
    assert browser.run("return document.scripts.length") == 1, "only the dashboard's own script"
    assert va_status(client, va) == "03"
    browser.screenshot("3-bad-input-refused.png")

    # ... and the exact amount pays (keyboard only: type it and press Enter).
    browser.submit(f"#va-amount-{va['txid']}", keys="15000.00\ue007")
    wait_for("the VA paid", lambda: "00 Paid" in browser.text(browser.find(f"#va-{va['txid']}")))
    assert va_status(client, va) == "00"

    # The README's picture: the whole dashboard after the scenario.
    browser.call("POST", "/window/rect", {"width": 1280, "height": 1500})
    browser.open(dashboard)
    browser.screenshot("dashboard.png")
