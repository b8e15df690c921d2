"""Regression tests for the defects found by adversarial testing (the "Hardening" issue), each
named after its defect. Every wait is bounded, so a regression fails instead of hanging."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable, Dict, List

import pytest

import nicepay_snap as snap
from conftest import client_kwargs, reply

LIMIT = 20.0


def kwargs(info: Dict[str, Any]) -> Dict[str, Any]:
    return {**client_kwargs(info), "timeout": 5.0}


def within_limit(call: Callable[[], Any]) -> Any:
    """Runs `call` on a daemon thread; fails (instead of hanging) when it does not return."""
    result: List[Any] = []
    errors: List[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as e:  # noqa: BLE001 (re-raised below)
            errors.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(LIMIT)
    assert not t.is_alive(), "the call did not return: the client deadlocked"
    if errors:
        raise errors[0]
    return result[0]


def test_on_exchange_calling_access_token_does_not_deadlock(simulator: Dict[str, Any]) -> None:
    inner: List[str] = []
    failures: List[BaseException] = []

    def on_exchange(e: Dict[str, Any]) -> None:
        if e["operation"] == "access-token":
            try:
                inner.append(c.access_token())
            except BaseException as err:  # noqa: BLE001 (asserted below)
                failures.append(err)

    c = snap.Client(**kwargs(simulator), on_exchange=on_exchange)
    token = within_limit(c.access_token)
    assert not failures
    assert inner == [token], "the callback saw the fresh token"
    # Other threads are not blocked by the callback either.
    tokens = [within_limit(c.access_token) for _ in range(3)]
    assert tokens == [token] * 3


def test_async_on_exchange_waiting_on_the_client_does_not_deadlock(simulator: Dict[str, Any]) -> None:
    seen: List[Any] = []

    async def main() -> str:
        loop = asyncio.get_running_loop()

        async def again() -> str:
            return await c.access_token()

        def on_exchange(e: Dict[str, Any]) -> None:
            if e["operation"] == "access-token":
                # Runs on a runtime thread: wait for a call into the same client on the loop.
                try:
                    seen.append(asyncio.run_coroutine_threadsafe(again(), loop).result(timeout=10))
                except BaseException as err:  # noqa: BLE001 (asserted below)
                    seen.append(err)

        c = snap.AsyncClient(**kwargs(simulator), on_exchange=on_exchange)
        return await asyncio.wait_for(c.access_token(), LIMIT)

    token = within_limit(lambda: asyncio.run(main()))
    assert seen == [token]


@pytest.mark.parametrize("cls", [snap.Client, snap.AsyncClient])
@pytest.mark.parametrize(
    "option",
    [
        {"connect_retries": 2**63},
        {"connect_retries": 2**200},
        {"connect_retries": -(2**70)},
        {"timeout": 2**2000},
        {"connect_timeout": 2**2000},
        {"timeout": float("inf")},
        {"token_refresh_margin": 2**2000},
        {"token_refresh_margin": -(2**2000)},
    ],
)
def test_huge_numeric_options_raise_invalid_input_not_overflow(
    simulator: Dict[str, Any], cls: Any, option: Dict[str, Any]
) -> None:
    base = kwargs(simulator)
    base.pop("timeout")
    with pytest.raises(snap.InvalidInputError) as err:
        cls(**base, **option)
    assert err.value.field == next(iter(option))
    assert len(str(err.value)) < 200


TOKEN = "ECHOED-TOKEN-0123456789"
SECRET = "echo-client-secret-value"


class EchoServer:
    """A server that echoes the secrets it receives: the access token and signature in its
    error messages and bodies, and the client secret it was told."""

    def __init__(self) -> None:
        import http.server
        import json

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                if self.path.endswith("/access-token/b2b"):
                    status, body = 200, json.dumps({
                        "responseCode": "2007300", "responseMessage": "Successful",
                        "accessToken": TOKEN, "tokenType": "Bearer", "expiresIn": "900",
                    }).encode()
                elif self.path.endswith("qr-mpm-query"):
                    echoed = f"{self.headers.get('Authorization')} {self.headers.get('X-SIGNATURE')} {SECRET}"
                    status, body = 401, json.dumps({
                        "responseCode": "4015100", "responseMessage": f"Unauthorized: {echoed}",
                    }).encode()
                else:
                    echoed = f"{self.headers.get('Authorization')} {self.headers.get('X-SIGNATURE')} {SECRET}"
                    status, body = 500, f"<html>internal error {echoed}</html>".encode()
                reply(self, status, body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_secrets_echoed_by_a_server_are_scrubbed_from_errors_and_reports(merchant_private_pem: str) -> None:
    server = EchoServer()
    reports: List[Dict[str, Any]] = []
    try:
        client = snap.Client(
            client_id="IONPAYTEST", client_secret=SECRET, private_key=merchant_private_pem,
            base_url=server.url, timeout=5.0, on_exchange=reports.append,
        )
        query = {
            "originalReferenceNo": "IONPAYTEST00000000000000000001", "originalPartnerReferenceNo": "ord-1",
            "merchantId": "IONPAYTEST", "externalStoreId": "NICEPAY", "serviceCode": "47",
            "additionalInfo": {},
        }
        refund = {
            "originalReferenceNo": "IONPAYTEST00000000000000000001", "originalPartnerReferenceNo": "ord-1",
            "partnerRefundNo": "refund-1", "merchantId": "IONPAYTEST", "externalStoreId": "NICEPAY",
            "refundAmount": {"value": "1000.00", "currency": "IDR"}, "reason": "test",
            "additionalInfo": {"cancelType": "1"},
        }
        errors: List[BaseException] = []
        for call in (lambda: client.qris_query(query), lambda: client.qris_refund(refund)):
            with pytest.raises(snap.NicepayError) as err:
                call()
            errors.append(err.value)
        assert isinstance(errors[0], snap.ApiError)
        assert isinstance(errors[1], snap.OutcomeUnknownError)
        texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(e.args) for e in errors]
        texts += [repr(vars(e)) for e in errors] + [repr(r) for r in reports]
        assert "[redacted]" in str(errors[0]), str(errors[0])
        for text in texts:
            assert TOKEN not in text and SECRET not in text, text
    finally:
        server.close()


def test_credentials_in_base_url_are_refused_without_echo(merchant_private_pem: str) -> None:
    with pytest.raises(snap.InvalidInputError) as err:
        snap.Client(client_id="IONPAYTEST", client_secret="s", private_key=merchant_private_pem,
                    base_url="http://user:hunter2-password@127.0.0.1:9")
    assert err.value.field == "base_url"
    assert "hunter2" not in str(err.value) and "hunter2" not in repr(err.value.args)
