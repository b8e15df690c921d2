"""The ``store`` option against the simulator: URL checks at construction, a SQLite file shared
by two clients (one token, one journal, one dedupe record), and pending outcomes settled by
query without resending."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

import pytest

import nicepay_snap as snap
from conftest import NotificationInbox
from test_client import REFUND_PATH, admin, client_kwargs, generate_request, info, paid_qr, refund_request  # noqa: F401 (the `info` fixture)


def run(call: Callable[[], Awaitable[Any]]) -> Any:
    """Awaits an ``AsyncClient`` call (made inside the event loop)."""

    async def main() -> Any:
        return await call()

    return asyncio.run(main())


def sqlite_url(tmp_path: Path, grace: float = 120) -> str:
    return f"sqlite://{tmp_path / 'state.db'}?grace={grace}"


def test_bad_store_urls_fail_at_construction(info: Dict[str, Any], tmp_path: Path) -> None:
    for bad in ["nope", "sqlite://relative.db", "memory:?retention=-1", "postgres://x/y"]:
        with pytest.raises(snap.InvalidInputError) as err:
            snap.Client(**client_kwargs(info), store=bad)
        assert err.value.field == "store"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(snap.StoreError) as down:
        snap.Client(**client_kwargs(info), store=f"redis://:hunter2@127.0.0.1:{closed}/0")
    assert down.value.backend == "redis" and "hunter2" not in str(down.value)
    with pytest.raises(snap.StoreError) as unwritable:
        snap.AsyncClient(**client_kwargs(info), store=f"sqlite://{tmp_path}/missing/dir/state.db")
    assert unwritable.value.backend == "sqlite"
    # The default and the explicit in-memory store work.
    snap.Client(**client_kwargs(info), store="memory:")


def test_two_clients_on_one_sqlite_file_share_the_token(info: Dict[str, Any], tmp_path: Path) -> None:
    admin(info, "POST", "/__admin/tokens/expire")
    before = admin(info, "GET", "/__admin/state")["tokensIssued"]
    url = sqlite_url(tmp_path)
    first = snap.Client(**client_kwargs(info), store=url)
    second = snap.AsyncClient(**client_kwargs(info), store=url)
    token = first.access_token()
    assert run(second.access_token) == token
    assert admin(info, "GET", "/__admin/state")["tokensIssued"] == before + 1


def test_pending_outcomes_are_settled_by_query(
    info: Dict[str, Any], inbox: NotificationInbox, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path, grace=0)
    client = snap.Client(**client_kwargs(info), store=url)
    order, generated = paid_qr(client, info, inbox)
    admin(info, "POST", "/__admin/faults", {"path": REFUND_PATH, "kind": "respondAfter", "status": 504, "times": 1})
    refund = refund_request(info, generated, order, "10000.00")
    with pytest.raises(snap.OutcomeUnknownError):
        client.qris_refund(refund)
    # Another client on the same file (as another process would be) sees it and settles it.
    other = snap.AsyncClient(**client_kwargs(info), store=url)
    pending = run(other.pending_outcomes)
    assert [(e["operation"], e["state"], e["amount"]) for e in pending] == [("qris.refund", "unknown", "10000.00")]
    assert pending[0]["references"]["partnerRefundNo"] == refund["partnerRefundNo"]
    settled = client.resolve_pending()
    assert [e["state"] for e in settled] == ["succeeded"]
    assert client.pending_outcomes() == []
    state = admin(info, "GET", "/__admin/state")
    qr = next(q for q in state["qris"] if q["referenceNo"] == generated["referenceNo"])
    assert len(qr["refunds"]) == 1, "settled by query, never resent"


def test_a_repeated_notification_is_a_duplicate_across_clients(
    info: Dict[str, Any], inbox: NotificationInbox, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path)
    first = snap.Client(**client_kwargs(info), store=url)
    second = snap.Client(**client_kwargs(info), store=url)
    client = snap.Client(**client_kwargs(info))
    client.qris_generate(generate_request(info))  # a token for the paid_qr helper
    paid_qr(client, info, inbox)
    headers, body = inbox.next()
    confirmed = first.verify_and_confirm(product="qris", headers=headers, body=body)
    assert confirmed["paid"] is True and confirmed["duplicate"] is False
    again = second.verify_and_confirm(product="qris", headers=headers, body=body)
    assert again["paid"] is True and again["duplicate"] is True
