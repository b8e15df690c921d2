"""The framework adapters under their real servers on loopback ports (FastAPI under uvicorn,
Flask under werkzeug's WSGI server, Django under wsgiref): the simulator pays a QRIS, a VA and
an e-wallet transaction and delivers the signed notifications; ``on_paid`` runs once per
payment; forged, stale, foreign, malformed, oversize and replayed deliveries are refused or
acknowledged as ``tests/receivers/scenario.json`` says (shared with the Rust and Node suites).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import types
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import nicepay_snap as snap
from conftest import KEYS, REPO_ROOT
from test_client import admin, client_kwargs, info  # noqa: F401

SCENARIO = json.loads((REPO_ROOT / "tests" / "receivers" / "scenario.json").read_text(encoding="utf-8"))
FRAMEWORKS = ["fastapi", "flask", "django"]

Serve = Callable[[snap.NotificationHandler[Any], Callable[[snap.NotificationResult], None]], Iterator[str]]


def serve_fastapi(handler: snap.NotificationHandler[Any], on_paid: Callable[..., None]) -> Iterator[str]:
    """uvicorn on a loopback socket, in a thread; the handler over an ``AsyncClient``."""
    import uvicorn
    from fastapi import FastAPI

    from nicepay_snap.integrations.fastapi import notification_router

    async def paid(result: snap.NotificationResult) -> None:
        on_paid(result)

    app = FastAPI()
    app.include_router(notification_router(handler, paid))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve_forever(server: Any) -> Iterator[str]:
    """A ``socketserver``-style server (wsgiref's, werkzeug's) in a thread; yields its URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def serve_wsgi(app: Any) -> Iterator[str]:
    """A WSGI app under wsgiref on a loopback port."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    yield from serve_forever(make_server("127.0.0.1", 0, app, handler_class=Quiet))


def serve_flask(handler: snap.NotificationHandler[Any], on_paid: Callable[..., None]) -> Iterator[str]:
    """Flask under werkzeug's threaded development server (what ``flask run`` uses)."""
    from flask import Flask
    from werkzeug.serving import make_server

    from nicepay_snap.integrations.flask import notification_blueprint

    app = Flask("receivers")
    app.register_blueprint(notification_blueprint(handler, on_paid))
    yield from serve_forever(make_server("127.0.0.1", 0, app, threaded=True))


# Django's settings are per process: its URL conf is this module object, filled per test.
DJANGO_URLS = types.ModuleType("receivers_urls")


def serve_django(handler: snap.NotificationHandler[Any], on_paid: Callable[..., None]) -> Iterator[str]:
    """Django's WSGI application under wsgiref (what ``manage.py runserver`` builds on)."""
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import clear_url_caches

    from nicepay_snap.integrations.django import notification_urlpatterns

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="receivers-test",
            ALLOWED_HOSTS=["127.0.0.1"],
            ROOT_URLCONF=DJANGO_URLS,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
        )
        django.setup()
    DJANGO_URLS.urlpatterns = notification_urlpatterns(handler, on_paid)  # type: ignore[attr-defined]
    clear_url_caches()
    yield from serve_wsgi(get_wsgi_application())


SERVERS: Dict[str, Serve] = {"fastapi": serve_fastapi, "flask": serve_flask, "django": serve_django}


def fill(template: Any, values: Dict[str, str]) -> Any:
    text = json.dumps(template)
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return json.loads(text)


def pointer(document: Any, path: str) -> Any:
    for part in path.strip("/").split("/"):
        document = document[part]
    return document


def sign(key: str, client_id: str, timestamp: str) -> str:
    return snap.PrivateKey((KEYS / key).read_text(encoding="utf-8")).sign(f"{client_id}|{timestamp}")


def delivery(info: Dict[str, Any], reported: Dict[str, Any], change: Dict[str, Any]) -> Tuple[Dict[str, str], bytes]:
    """The simulator's reported delivery (X-TIMESTAMP and body), re-signed as NICEPAY signs it,
    with a scenario refusal's ``change``."""
    timestamp = change.get("timestamp", reported["timestamp"])
    key = "merchant-test-private-pkcs8.pem" if change.get("signWith") == "merchant" else "nicepay-notification-test-private-pkcs8.pem"
    headers = {
        "Content-Type": "application/json",
        "X-TIMESTAMP": timestamp,
        "X-CLIENT-KEY": change.get("clientKey", info["clientId"]),
        "X-SIGNATURE": sign(key, info["clientId"], timestamp),
    }
    body = reported["body"].encode()
    if "body" in change:
        body = change["body"].encode()
    elif "bodyRepeat" in change:
        body = b"x" * change["bodyRepeat"]
    return headers, body


def post(url: str, headers: Dict[str, str], body: bytes) -> Tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # loopback only
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as refused:
        status, raw = refused.code, refused.read()
    return status, json.loads(raw)["responseCode"]


def acknowledged(answer: Dict[str, Any]) -> str:
    """The responseCode the app acknowledged a simulator delivery with (after HTTP 200)."""
    reported = answer["notification"]
    assert reported["httpStatus"] == 200, reported
    return str(json.loads(reported["responseBody"])["responseCode"])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_framework_receives_verifies_and_acknowledges(framework: str, info: Dict[str, Any]) -> None:  # noqa: F811
    pytest.importorskip(framework)
    client_type = snap.AsyncClient if framework == "fastapi" else snap.Client
    handler = snap.NotificationHandler(client_type(**client_kwargs(info)))
    merchant = snap.Client(**client_kwargs(info))
    paid: List[snap.NotificationResult] = []
    served = SERVERS[framework](handler, paid.append)
    base = next(served)
    try:
        resends: List[Tuple[str, str]] = []
        qris: Dict[str, Any] = {}
        for i, payment in enumerate(SCENARIO["payments"]):
            order = f"recv{uuid.uuid4().hex[:16]}"
            request = fill(payment["request"], {"order": order, "clientId": info["clientId"], "base": base})
            created = merchant.execute(payment["operation"], request)
            reference = str(pointer(created, payment["idPointer"]))
            outcome = admin(info, "POST", payment["pay"].replace("{id}", reference))
            assert acknowledged(outcome) == payment["ack"], payment["operation"]
            assert len(paid) == i + 1, "on_paid runs once per payment"
            assert paid[-1].product == payment["product"] and paid[-1].paid and not paid[-1].duplicate
            assert order in json.dumps(paid[-1].notification)
            if payment["product"] == "qris":
                qris = outcome["notification"]
            resends.append((payment["resend"].replace("{id}", reference), payment["ack"]))

        url = base + SCENARIO["payments"][0]["path"]
        for refusal in SCENARIO["refusals"]:
            status, code = post(url, *delivery(info, qris, refusal["change"]))
            assert (status, code) == (refusal["status"], refusal["responseCode"]), refusal["name"]
        assert len(paid) == 3, "no refusal runs on_paid"

        # NICEPAY's retries and a replay of the exact delivery are acknowledged, fulfilling nothing.
        for resend, ack in resends:
            assert acknowledged(admin(info, "POST", resend)) == ack, resend
        assert post(url, *delivery(info, qris, {})) == (200, "2005200")
        assert len(paid) == 3, "a redelivery ran on_paid again"
    finally:
        served.close()


def test_handler_without_a_framework_refuses_unknown_products_and_can_skip_confirmation(
    info: Dict[str, Any],  # noqa: F811
) -> None:
    handler = snap.NotificationHandler(snap.Client(**client_kwargs(info)), confirm=False, max_body_bytes=1024)
    unknown = handler.handle({"X-TIMESTAMP": "x"}, b'{"originalReferenceNo":"T"}', path="/hooks/nicepay")
    assert (unknown.status_code, unknown.refusal, unknown.product) == (400, "unknown_product", None)
    assert json.loads(unknown.body)["responseCode"] == "4000001"
    assert unknown.headers["Content-Type"] == "application/json" and not unknown.fulfil
    timestamp = snap.timestamp_now()
    headers = [
        ("X-TIMESTAMP", timestamp),
        ("X-CLIENT-KEY", info["clientId"]),
        ("X-SIGNATURE", sign("nicepay-notification-test-private-pkcs8.pem", info["clientId"], timestamp)),
    ]
    body = b'{"trxId":"t1","virtualAccountNo":"123","additionalInfo":{"latestTransactionStatus":"00"}}'
    claimed = handler.handle(headers, body)
    assert (claimed.status_code, claimed.product, claimed.paid, claimed.status) == (200, "va", True, None)
    assert claimed.body == b'{"responseCode":"2002500","responseMessage":"Successful"}'
    with pytest.raises(TypeError):
        snap.NotificationHandler("not a client")  # type: ignore[type-var]
