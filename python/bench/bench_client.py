"""End to end: ``Client`` and ``AsyncClient`` against hand-written peers, one simulator.

Every client makes QRIS status queries against the same ``nicepay-snap simulate`` on loopback:

- ``Client`` (blocking, ureq underneath) and ``AsyncClient`` (asyncio, tokio underneath);
- a hand-written ``requests`` client and an ``httpx`` client (sync and async): what a careful
  Python integration would write, with the token fetched once and cached, keep-alive sessions,
  ``hashlib``/``hmac`` for the transaction signature and ``cryptography`` for the token request.

Sequential (one call after another) and concurrent (``--concurrency`` threads or tasks) rates,
p50/p99 latencies, and each rate as a ratio of the blocking ``Client``'s sequential rate. The
modes run in interleaved rounds, so every ratio comes from one run on one machine load. With
``--node``, the Node package's ``Client`` (``node/bench/client.mjs``) runs its own rounds
between these against the same simulator, so its ratio is taken in the same run too.

Build the wheel in release mode first, and the simulator::

    cd python && maturin build --release -o ../dist && pip install ../dist/nicepay_snap-*.whl
    cargo build --release -p nicepay-snap-cli
    pip install requests httpx cryptography
    python bench/bench_client.py --simulator-bin target/release/nicepay-snap [--node]

``--smoke`` makes a few calls per mode and checks the answers; it prints no ratios (CI runs it so
the bench cannot rot; timings there are noise).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import os
import resource
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

import httpx
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import nicepay_snap as snap
from nicepay_snap import types

ROOT = Path(__file__).resolve().parents[2]
QUERY_PATH = "/api/v1.0/qr/qr-mpm-query"
JAKARTA = timezone(timedelta(hours=7))
OK = "2005100"


# --- the hand-written peers --------------------------------------------------------------------


class Signer:
    """Signs SNAP requests the way a hand-written integration does."""

    def __init__(self, info: Dict[str, Any]) -> None:
        self.client_id: str = info["clientId"]
        self.secret = info["clientSecret"].encode()
        key = serialization.load_pem_private_key(info["privateKeyPem"].encode(), None)
        assert isinstance(key, rsa.RSAPrivateKey)
        self.key = key
        self.base = info["baseUrl"] + "/nicepay"
        self.ids = itertools.count()
        self.prefix = secrets.token_hex(6)

    @staticmethod
    def timestamp() -> str:
        return datetime.now(JAKARTA).isoformat(timespec="seconds")

    def token_request(self) -> Tuple[str, Dict[str, str], bytes]:
        ts = self.timestamp()
        message = f"{self.client_id}|{ts}".encode()
        signature = self.key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        headers = {
            "Content-Type": "application/json",
            "X-TIMESTAMP": ts,
            "X-CLIENT-KEY": self.client_id,
            "X-SIGNATURE": base64.b64encode(signature).decode(),
        }
        body = b'{"grantType":"client_credentials","additionalInfo":{}}'
        return self.base + "/v1.0/access-token/b2b", headers, body

    def call(self, token: str, path: str, payload: Mapping[str, object]) -> Tuple[str, Dict[str, str], bytes]:
        body = json.dumps(payload, separators=(",", ":")).encode()
        ts = self.timestamp()
        string_to_sign = f"POST:{path}:{token}:{hashlib.sha256(body).hexdigest()}:{ts}"
        mac = hmac.new(self.secret, string_to_sign.encode(), hashlib.sha512).digest()
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "X-TIMESTAMP": ts,
            "X-SIGNATURE": base64.b64encode(mac).decode(),
            "X-PARTNER-ID": self.client_id,
            "X-EXTERNAL-ID": f"{self.prefix}{next(self.ids)}",
            "CHANNEL-ID": self.client_id + "01",
        }
        return self.base + path, headers, body


def answer(status: int, data: Mapping[str, object]) -> Mapping[str, object]:
    if status != 200 or data.get("responseCode") != OK:
        raise RuntimeError(f"unexpected answer {status}: {data}")
    return data


class RequestsClient:
    """``requests`` with a keep-alive ``Session`` per thread and the token cached."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer
        self.local = threading.local()
        url, headers, body = signer.token_request()
        self.token: str = self.session().post(url, data=body, headers=headers, timeout=10).json()["accessToken"]

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session  # type: ignore[no-any-return]

    def qris_query(self, payload: Mapping[str, object]) -> Mapping[str, object]:
        url, headers, body = self.signer.call(self.token, QUERY_PATH, payload)
        r = self.session().post(url, data=body, headers=headers, timeout=10)
        return answer(r.status_code, r.json())


class HttpxClient:
    """``httpx.Client`` (keep-alive pool, thread-safe) with the token cached."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer
        self.http = httpx.Client(timeout=10, limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))
        url, headers, body = signer.token_request()
        self.token: str = self.http.post(url, content=body, headers=headers).json()["accessToken"]

    def qris_query(self, payload: Mapping[str, object]) -> Mapping[str, object]:
        url, headers, body = self.signer.call(self.token, QUERY_PATH, payload)
        r = self.http.post(url, content=body, headers=headers)
        return answer(r.status_code, r.json())


class HttpxAsyncClient:
    """``httpx.AsyncClient`` with the token cached (fetched on first use)."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer
        self.http = httpx.AsyncClient(
            timeout=10, limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
        )
        self.token: Optional[str] = None

    async def qris_query(self, payload: Mapping[str, object]) -> Mapping[str, object]:
        if self.token is None:
            url, headers, body = self.signer.token_request()
            self.token = (await self.http.post(url, content=body, headers=headers)).json()["accessToken"]
        url, headers, body = self.signer.call(self.token, QUERY_PATH, payload)
        r = await self.http.post(url, content=body, headers=headers)
        return answer(r.status_code, r.json())


# --- timing -----------------------------------------------------------------------------------


def usage() -> Tuple[float, int]:
    """CPU seconds and context switches of this process so far, all its threads included."""
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime, u.ru_nvcsw + u.ru_nivcsw


class Figures:
    def __init__(self) -> None:
        self.latencies: List[float] = []
        self.wall = 0.0
        self.cpu = 0.0
        self.switches = 0
        self.counted = False

    def add(self, latencies: List[float], wall: float, before: Optional[Tuple[float, int]] = None) -> None:
        self.latencies.extend(latencies)
        self.wall += wall
        if before is not None:
            self.counted = True
            cpu, switches = usage()
            self.cpu += cpu - before[0]
            self.switches += switches - before[1]

    def per_call(self) -> Tuple[float, float]:
        """Client-process CPU microseconds and context switches per call."""
        n = max(1, len(self.latencies))
        return self.cpu / n * 1e6, self.switches / n

    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else float("nan")

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
        return ordered[int(rank) - 1] * 1000


def run_sync(call: Callable[[], Any], calls: int, workers: int) -> Tuple[List[float], float]:
    def worker(n: int) -> List[float]:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            call()
            out.append(time.perf_counter() - t)
        return out

    started = time.perf_counter()
    if workers == 1:
        latencies = worker(calls)
    else:
        with ThreadPoolExecutor(workers) as pool:
            latencies = [x for part in pool.map(worker, [calls // workers] * workers) for x in part]
    return latencies, time.perf_counter() - started


async def run_async(call: Callable[[], Awaitable[Any]], calls: int, tasks: int) -> Tuple[List[float], float]:
    async def worker(n: int) -> List[float]:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            await call()
            out.append(time.perf_counter() - t)
        return out

    started = time.perf_counter()
    parts = await asyncio.gather(*(worker(calls // tasks) for _ in range(tasks)))
    return [x for part in parts for x in part], time.perf_counter() - started


def start_simulator(binary: Optional[str]) -> Tuple[Dict[str, Any], Callable[[], None]]:
    """`nicepay-snap simulate` (its info and a stop function), else the packaged simulator."""
    if binary:
        proc = subprocess.Popen(
            [binary, "simulate", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert proc.stdout is not None
        info: Dict[str, Any] = json.loads(proc.stdout.readline())

        def stop() -> None:
            proc.terminate()
            proc.wait(timeout=10)

        return info, stop
    from nicepay_snap.testing import Simulator

    sim = Simulator()
    print("note: no --simulator-bin: the packaged simulator runs inside this process")
    return sim.info, sim.stop


def node_round(info: Dict[str, Any], payload: Mapping[str, object], calls: int, concurrency: int) -> Dict[str, Any]:
    """One round of the Node bench's `Client` modes against the same simulator."""
    env = dict(os.environ, NICEPAY_BENCH_SIMULATOR=json.dumps(info), NICEPAY_BENCH_QUERY=json.dumps(payload))
    out = subprocess.run(
        ["node", str(ROOT / "node" / "bench" / "client.mjs"), "--json", "--only-client", "--calls", str(calls),
         "--concurrency", str(concurrency)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="calls per mode and round (default 2000)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--simulator-bin", default=os.environ.get("NICEPAY_SIMULATOR_BIN"))
    parser.add_argument("--node", action="store_true", help="also run the Node Client's rounds in between")
    parser.add_argument("--smoke", action="store_true", help="a few calls per mode, answers checked, no ratios")
    args = parser.parse_args()
    if args.smoke:
        args.calls, args.rounds, args.concurrency = 8, 1, 4

    info, stop = start_simulator(args.simulator_bin)
    try:
        kwargs = dict(
            client_id=info["clientId"], client_secret=info["clientSecret"], private_key=info["privateKeyPem"],
            base_url=info["baseUrl"], timeout=10.0,
        )
        client = snap.Client(**kwargs)
        order = f"bench-{secrets.token_hex(6)}"
        generated = client.qris_generate({
            "partnerReferenceNo": order, "amount": {"value": "10000.00", "currency": "IDR"},
            "merchantId": info["clientId"], "storeId": "NICEPAY", "validityPeriod": "", "additionalInfo": {},
        })
        reference_no = generated["referenceNo"]
        assert reference_no, generated
        payload: types.QrisQueryRequest = {
            "originalReferenceNo": reference_no, "originalPartnerReferenceNo": order,
            "merchantId": info["clientId"], "externalStoreId": "NICEPAY", "serviceCode": "47",
            "additionalInfo": {},
        }
        signer = Signer(info)
        peers_requests, peers_httpx = RequestsClient(signer), HttpxClient(signer)
        loop = asyncio.new_event_loop()
        aclient = snap.AsyncClient(**kwargs)
        # The transport's reqwest path (what every async call took before the direct path): it
        # is taken when the environment names a proxy; 127.0.0.1 is exempt from it.
        saved = {k: os.environ.get(k) for k in ("HTTP_PROXY", "NO_PROXY")}
        os.environ.update(HTTP_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1")
        via_reqwest = snap.AsyncClient(**kwargs)
        for k, v in saved.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v
        ahttpx = HttpxAsyncClient(signer)

        def sdk_call() -> Any:
            return answer(200, client.qris_query(payload))

        async def sdk_async_call() -> Any:
            return answer(200, await aclient.qris_query(payload))

        async def reqwest_async_call() -> Any:
            return answer(200, await via_reqwest.qris_query(payload))

        c = args.concurrency
        sync_modes: List[Tuple[str, Callable[[], Any], int]] = [
            ("Client", sdk_call, 1),
            ("requests", lambda: peers_requests.qris_query(payload), 1),
            ("httpx.Client", lambda: peers_httpx.qris_query(payload), 1),
            (f"Client x{c} threads", sdk_call, c),
            (f"requests x{c} threads", lambda: peers_requests.qris_query(payload), c),
            (f"httpx.Client x{c} threads", lambda: peers_httpx.qris_query(payload), c),
        ]
        async_modes: List[Tuple[str, Callable[[], Awaitable[Any]], int]] = [
            ("AsyncClient", sdk_async_call, 1),
            ("AsyncClient via reqwest", reqwest_async_call, 1),
            ("httpx.AsyncClient", lambda: ahttpx.qris_query(payload), 1),
            (f"AsyncClient x{c} tasks", sdk_async_call, c),
            (f"AsyncClient via reqwest x{c}", reqwest_async_call, c),
            (f"httpx.AsyncClient x{c} tasks", lambda: ahttpx.qris_query(payload), c),
        ]
        names = [m[0] for m in sync_modes] + [m[0] for m in async_modes]
        if args.node:
            names += ["Node Client", f"Node Client x{c}"]
        figures = {name: Figures() for name in names}
        # Warm-up: connections, tokens, the runtime's threads.
        for _, call, _ in sync_modes[:3]:
            call()
        for _, acall, _ in async_modes[:3]:
            loop.run_until_complete(acall())
        for _ in range(args.rounds):
            for name, call, workers in sync_modes:
                before = usage()
                figures[name].add(*run_sync(call, args.calls, workers), before)
            for name, acall, tasks in async_modes:
                before = usage()
                figures[name].add(*loop.run_until_complete(run_async(acall, args.calls, tasks)), before)
            if args.node:
                node = node_round(info, payload, args.calls, c)
                for key, name in (("sequential", "Node Client"), ("concurrent", f"Node Client x{c}")):
                    figures[name].add([x / 1000 for x in node[key]["latenciesMs"]], node[key]["wallSeconds"])
        loop.run_until_complete(ahttpx.http.aclose())
        loop.close()
    finally:
        stop()

    print(
        f"Python {sys.version.split()[0]}, nicepay_snap {snap.__version__}; QRIS query, {args.calls} calls per mode "
        f"and round, {args.rounds} rounds"
    )
    base = figures["Client"].rate()
    print("(cpu and switches: this process only, all threads, per call; the simulator is not counted)")
    print(f"{'mode':<30} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x Client':>9} {'cpu us':>7} {'switches':>8}")
    for name in names:
        f = figures[name]
        ratio = "-" if args.smoke else f"{f.rate() / base:.2f}x"
        cpu, switches = f.per_call()
        counts = f"{cpu:>7.0f} {switches:>8.2f}" if f.counted else f"{'-':>7} {'-':>8}"
        print(f"{name:<30} {f.rate():>9.0f} {f.percentile(50):>8.3f} {f.percentile(99):>8.3f} {ratio:>9} {counts}")
    if not args.smoke:
        def r(a: str, b: str) -> float:
            return figures[a].rate() / figures[b].rate()

        print(
            f"\nAsyncClient / Client (sequential): {r('AsyncClient', 'Client'):.2f}x (target >= 0.75x); "
            f"Client / requests: {r('Client', 'requests'):.2f}x; Client / httpx.Client: {r('Client', 'httpx.Client'):.2f}x; "
            f"AsyncClient / httpx.AsyncClient: {r('AsyncClient', 'httpx.AsyncClient'):.2f}x; "
            f"AsyncClient / AsyncClient via reqwest: {r('AsyncClient', 'AsyncClient via reqwest'):.2f}x"
        )
        if args.node:
            print(f"Node Client / Python Client (sequential): {r('Node Client', 'Client'):.2f}x (target >= 0.75x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
