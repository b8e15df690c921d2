"""Bad input through the binding: every exported function, constructor and client method is
called with random types and values (None, numbers for strings, huge and invalid strings,
bytes, nested junk). Each call must either work or raise a documented error
(``NicepayError`` subclasses, ``TypeError``, ``ValueError``): never a Rust panic
(``pyo3_runtime.PanicException``), a ``SystemError`` or a crash."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Callable, Dict, List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nicepay_snap as snap

DOCUMENTED = (snap.NicepayError, TypeError, ValueError)
TS = "2024-07-05T10:11:40+07:00"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=4),
    st.binary(max_size=40),
    st.just("x" * 200_000),
    st.just(TS),
    st.just("{\"a\":1}"),
    st.builds(object),
)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


def private_pem() -> str:
    from conftest import KEYS, read_text

    return read_text(KEYS / "merchant-test-private-pkcs8.pem")


def client_kwargs() -> Dict[str, Any]:
    # Nothing listens on port 9: a well-formed request fails as a TransportError.
    return dict(client_id="IONPAYTEST", client_secret="secret", private_key=private_pem(),
                base_url="http://127.0.0.1:9", timeout=2.0, connect_retries=0)


def call_with(fn: Callable[..., Any], values: List[Any], positional: bool) -> Any:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return fn(*values)
    args: List[Any] = []
    kwargs: Dict[str, Any] = {}
    for param, value in zip(sig.parameters.values(), values):
        if param.kind in (param.POSITIONAL_ONLY,) or (positional and param.kind == param.POSITIONAL_OR_KEYWORD):
            args.append(value)
        elif param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        else:
            kwargs[param.name] = value
    return fn(*args, **kwargs)


def check(call: Callable[[], Any]) -> None:
    try:
        result = call()
        if inspect.isawaitable(result):
            asyncio.run(asyncio.wait_for(_await(result), 10))
    except DOCUMENTED:
        pass
    except BaseException as e:  # a PanicException derives from BaseException
        raise AssertionError(f"undocumented {type(e).__module__}.{type(e).__name__}: {str(e)[:200]}") from e


async def _await(awaitable: Any) -> Any:
    return await awaitable


FUNCTIONS = [
    snap.transaction_string_to_sign, snap.sign_transaction, snap.body_sha256_hex, snap.token_string_to_sign,
    snap.sign_token_request, snap.verify_notification, snap.minify_json, snap.signed_path,
    snap.normalize_timestamp, snap.PrivateKey, snap.PublicKey, snap.Client, snap.AsyncClient,
    snap.acknowledgement, snap.generate_key_pair, snap.source_allowed, snap.RequestBuilder, snap.MerchantServer,
]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(method=st.sampled_from(["prepare", "prepare_raw", "parse", "receive", "answer_inquiry", "answer_payment",
                               "answer_reversal"]),
       values=st.lists(junk, min_size=0, max_size=6), positional=st.booleans())
def test_facade_methods_never_panic(method: str, values: List[Any], positional: bool) -> None:
    from conftest import KEYS, read_text

    builder = snap.RequestBuilder(client_id="IONPAYTEST", client_secret="s", private_key=private_pem())
    server = snap.MerchantServer(client_id="M", client_secret="s",
                                 nicepay_public_key=read_text(KEYS / "nicepay-notification-test-public.pem"))
    target = builder if hasattr(builder, method) else server
    check(lambda: call_with(getattr(target, method), values, positional))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(index=st.integers(min_value=0, max_value=len(FUNCTIONS) - 1),
       values=st.lists(junk, min_size=0, max_size=8), positional=st.booleans())
def test_module_functions_never_panic(index: int, values: List[Any], positional: bool) -> None:
    check(lambda: call_with(FUNCTIONS[index], values, positional))


CLIENT_METHODS = [
    name for name, _ in inspect.getmembers(snap.Client)
    if not name.startswith("_") and callable(getattr(snap.Client, name)) and name != "from_env"
]


def test_client_methods_are_listed() -> None:
    assert {"execute", "qris_refund", "payout_approve", "verify_and_confirm"} <= set(CLIENT_METHODS)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(CLIENT_METHODS), values=st.lists(junk, min_size=0, max_size=4),
       positional=st.booleans(), asynchronous=st.booleans())
def test_client_methods_never_panic(name: str, values: List[Any], positional: bool, asynchronous: bool) -> None:
    if asynchronous:
        client = snap.AsyncClient(**client_kwargs())

        async def call() -> Any:
            result = call_with(getattr(client, name), values, positional)
            if inspect.isawaitable(result):
                return await asyncio.wait_for(_await(result), 10)
            return result

        check(lambda: asyncio.run(call()))
    else:
        client = snap.Client(**client_kwargs())
        check(lambda: call_with(getattr(client, name), values, positional))
