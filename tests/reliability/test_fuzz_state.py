"""Hypothesis on the state loader: whatever a file holds, loading it gives a State or one
StateFileError with a one-line message; never another exception, never a traceback.

Three sources of input: a valid document with one field broken (deleted, retyped,
replaced by a random value, an unknown key added), its TOML text with bytes flipped,
cut or inserted, and arbitrary text. Whatever loads must save and load again unchanged,
and the rules must run on it without raising.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import sizes

from bench.states import build_state
from state import store
from state.errors import StateFileError
from state.rules import check_state
from state.schema import to_document

BASE = to_document(build_state(6))
BASE_TEXT = tomli_w.dumps(BASE, multiline_strings=True)

_SCALARS = st.one_of(
    st.none(),  # stands for "delete this key"
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
    st.sampled_from(["", " ", "all", "crdb", "1.2", "1.4", "standard", "a" * 64, "host:0"]),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.dates(),
)
_VALUES = st.recursive(
    _SCALARS.filter(lambda v: v is not None),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a document (dict keys and list indices)."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


PATHS = _paths(BASE)


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


@st.composite
def broken_documents(draw) -> dict:
    """The valid base document with one to three fields broken in turn."""
    doc = _copy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path
        action = draw(st.sampled_from(["delete", "replace", "unknown-key"]))
        if action == "delete":
            if isinstance(parent, list):
                parent.pop(path[-1])
            else:
                del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(_VALUES)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(_VALUES)
    return doc


@st.composite
def mutated_texts(draw) -> bytes:
    """The valid file's bytes with a few bytes flipped, cut out, inserted, or cut short."""
    data = bytearray(BASE_TEXT.encode())
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        else:
            del data[at:]
    return bytes(data)


def _load_or_refuse(data: bytes, tmp_path) -> bool:
    """True when `data` loaded (and round-tripped), False when it was refused properly."""
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        state = store.load(path)
    except StateFileError as error:
        message = str(error)
        assert message.strip(), "an empty message"
        assert "\n" not in message, f"not one line: {message!r}"
        assert path.read_bytes() == data, "a file that failed to load was rewritten"
        return False
    # Whatever loads is a model the rest of the program can use.
    check_state(state)
    again = store.parse(store.dumps(state))
    assert store.dumps(again) == store.dumps(state)
    return True


def _settings(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@pytest.mark.parametrize("examples", sizes(300, 10_000))
def test_a_document_with_broken_fields_loads_or_is_refused(examples, tmp_path, reliability_report):
    refused: list[str] = []

    @_settings(examples)
    @given(broken_documents())
    def check(doc):
        try:
            data = tomli_w.dumps(doc, multiline_strings=True).encode()
        except (TypeError, ValueError):
            return  # tomli-w cannot write it (e.g. a null); no file could hold it
        refused.append(not _load_or_refuse(data, tmp_path))

    check()
    reliability_report(
        f"{examples} documents with broken fields: {sum(refused)} refused in one line, "
        f"{len(refused) - sum(refused)} loaded and round-tripped, none raised anything else"
    )


@pytest.mark.parametrize("examples", sizes(300, 10_000))
def test_mutated_bytes_load_or_are_refused(examples, tmp_path, reliability_report):
    @_settings(examples)
    @given(mutated_texts())
    def check(data):
        _load_or_refuse(data, tmp_path)

    check()
    reliability_report(f"{examples} byte-mutated state files: each loaded or refused in one line")


@pytest.mark.parametrize("examples", sizes(200, 10_000))
def test_arbitrary_bytes_load_or_are_refused(examples, tmp_path, reliability_report):
    @_settings(examples)
    @given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
    def check(data):
        _load_or_refuse(data, tmp_path)

    check()
    reliability_report(f"{examples} arbitrary inputs: each loaded or refused in one line")
