"""Runtime checks that payloads match the TypedDicts in ``nicepay_snap.types``.

``checked(client)`` wraps a ``Client`` or ``AsyncClient``: every named method and ``execute``
checks the request it is given against the operation's request TypedDict, and the response it
returns against the response TypedDict, both strictly: no key the TypedDict does not declare,
every required key present, every value of the declared type. The one exception is
``SIMULATOR_EXTRAS``: keys the simulator sends that the core's structs do not declare (they reach
the caller through the structs' ``extra`` maps, as unknown NICEPAY fields would).

The suite builds its requests from NICEPAY's documented field names and the simulator enforces
them; the core emits every field its response structs declare (``None`` when absent). So running
every client call through this wrapper fails the suite when a TypedDict lacks a field of the
Rust struct, declares one it does not have, or types one wrongly.
"""

from __future__ import annotations

import inspect
import json
import typing
from pathlib import Path
from typing import Any, Dict, FrozenSet, Mapping, Tuple, Union

import nicepay_snap as snap
from nicepay_snap import types as t

#: The shape table generated from the Rust registry and payload structs (``cargo run -p xtask --
#: codegen``), shared with the Node suite.
SHAPES: Dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "node" / "__test__" / "payload-shapes.json").read_text(encoding="utf-8")
)

#: Named client method -> operation name, from the operation registry.
METHODS: Dict[str, str] = dict(SHAPES["pythonMethods"])

#: Keys the simulator adds to its answers beyond what the core's structs declare (kept in their
#: ``extra`` maps); nothing else undeclared may appear in a response.
SIMULATOR_EXTRAS: Dict[str, FrozenSet[str]] = {
    "AccountInfo": frozenset({"balanceType"}),
    "EwalletNotification": frozenset({"transactionDateTime"}),
    "EwalletStatusResponse": frozenset({"paidTime"}),
    "PayoutRegistrationResponse": frozenset(
        {"amount", "beneficiaryAccountNo", "beneficiaryBankCode", "beneficiaryName", "transactionStatusDesc"}
    ),
    "PayoutResponse": frozenset({"transactionStatusDesc"}),
    "QrisGenerateResponse": frozenset({"amount"}),
    "QrisQueryResponse": frozenset({"paidTime"}),
    "VaStatusResponse": frozenset({"inquiryRequestId"}),
}

CONFIRMATIONS: Dict[str, Any] = {
    "qris": t.QrisConfirmation,
    "va": t.VaConfirmation,
    "ewallet": t.EwalletConfirmation,
    "payout": t.PayoutConfirmation,
}


def conforms(
    value: Any, tp: Any, *, strict: bool, path: str = "$", allowed: Mapping[str, FrozenSet[str]] = {}
) -> None:
    """Raises AssertionError (naming the JSON path) unless ``value`` is a valid ``tp``.

    ``strict``: keys a TypedDict does not declare are errors, except those ``allowed`` lists for
    that TypedDict's name."""
    if tp is Any:
        return
    if typing.is_typeddict(tp):
        assert isinstance(value, dict), f"{path}: expected an object ({tp.__name__}), got {type(value).__name__}"
        hints = typing.get_type_hints(tp)
        missing = tp.__required_keys__ - value.keys()
        assert not missing, f"{path}: {tp.__name__} lacks required keys {sorted(missing)}"
        if strict:
            unknown = value.keys() - hints.keys() - allowed.get(tp.__name__, frozenset())
            assert not unknown, f"{path}: keys {sorted(unknown)} are not declared in {tp.__name__}"
        for key, sub in value.items():
            if key in hints:
                conforms(sub, hints[key], strict=strict, path=f"{path}.{key}", allowed=allowed)
        return
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Union:
        errors = []
        for option in args:
            try:
                conforms(value, option, strict=strict, path=path, allowed=allowed)
                return
            except AssertionError as e:
                errors.append(str(e))
        raise AssertionError(f"{path}: matches none of {tp}: {errors}")
    if tp is type(None):
        assert value is None, f"{path}: expected null, got {value!r}"
        return
    if origin in (list, typing.List):
        assert isinstance(value, list), f"{path}: expected a list, got {type(value).__name__}"
        for i, item in enumerate(value):
            conforms(item, args[0], strict=strict, path=f"{path}[{i}]", allowed=allowed)
        return
    if origin in (dict, typing.Dict):
        assert isinstance(value, dict), f"{path}: expected an object, got {type(value).__name__}"
        return
    assert isinstance(tp, type), f"{path}: unsupported annotation {tp!r}"
    # bool is an int subclass in Python but not in JSON.
    assert isinstance(value, tp) and not (tp is int and isinstance(value, bool)), (
        f"{path}: expected {tp.__name__}, got {type(value).__name__} {value!r}"
    )


def operation_types(operation: str) -> Tuple[Any, Any]:
    return t.OPERATION_TYPES[operation]


class Checked:
    """A client whose payloads are checked against the TypedDicts (see the module docstring)."""

    def __init__(self, inner: Union[snap.Client, snap.AsyncClient]) -> None:
        self._inner = inner

    @property
    def raw(self) -> Any:
        """The unchecked client, for tests that send deliberately invalid requests."""
        return self._inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name == "execute":
            return lambda operation, request: self._call(attr, operation, request)
        if name in METHODS:
            return lambda request: self._call(attr, METHODS[name], request, named=True)
        if name == "verify_and_confirm":
            return lambda **kw: self._after(attr(**kw), CONFIRMATIONS[kw["product"]])
        return attr

    def _call(self, method: Any, operation: str, request: Mapping[str, Any], named: bool = False) -> Any:
        request_type, response_type = operation_types(operation)
        conforms(request, request_type, strict=True, path=f"{operation} request")
        result = method(request) if named else method(operation, request)
        return self._after(result, response_type, f"{operation} response")

    @staticmethod
    def _after(result: Any, tp: Any, path: str = "$") -> Any:
        if inspect.isawaitable(result):

            async def check() -> Any:
                value = await result
                conforms(value, tp, strict=True, path=path, allowed=SIMULATOR_EXTRAS)
                return value

            return check()
        conforms(result, tp, strict=True, path=path, allowed=SIMULATOR_EXTRAS)
        return result
