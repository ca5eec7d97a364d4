"""Bad input through the CLI: every entry of the corpus (corpus.py) as a certificate file
(`db tls orders --add-cert FILE`), through the inspector (`inspect FILE --json`), every
hostile SAN list (`--san`), and state files broken one field at a time.

Each must end in exit 0 with a real result, or exit 1 with one clear line (or a
finding); never a traceback, never a changed state folder after a refusal, and never
the bytes of a private key in any output. The quick form runs the commands in this
process (`state.cli.main`, where any uncaught exception fails the test); the slow form
runs every command as its own process, as a script would.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from corpus import (
    HOSTILE_SAN_LISTS,
    Entry,
    huge_file,
    made_entries,
    private_key_entries,
    vector_entries,
)
from reliability_helpers import Run, cli, folder_picture, in_process

from state import store
from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate
from state.workspace import init_state

Runner = Callable[..., Run]


RUNNERS = [
    pytest.param(in_process, id="quick-in-process"),
    pytest.param(cli, id="slow-subprocess", marks=pytest.mark.slow),
]


@pytest.fixture(scope="module")
def ca():
    return certificate_authority("Corpus Client CA")


@pytest.fixture(scope="module")
def entries(ca, tmp_path_factory) -> list[tuple[Entry, Path]]:
    """The corpus written to files, outside the state's folder."""
    client = issue_certificate(ca, SubjectFields(cn="corpus.example.com"), key_type="ec", bits=256)
    folder = tmp_path_factory.mktemp("corpus")
    written = []
    all_entries = (
        vector_entries() + private_key_entries() + made_entries(client.pem, client.key_pem)
    )
    for index, entry in enumerate(all_entries):
        path = folder / f"{index:04d}-{re.sub(r'[^A-Za-z0-9.-]', '_', entry.name)[-60:]}"
        path.write_bytes(entry.data)
        written.append((entry, path))
    written.append((Entry("huge/50MB", b""), huge_file(folder)))
    return written


@pytest.fixture
def state_folder(tmp_path: Path, ca) -> Path:
    """A state with database `orders` (TLS on, client authentication, one CA)."""
    path = tmp_path / "state" / "tls-wizard.toml"
    path.parent.mkdir()
    init_state(path, "cluster1.example.com")
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    created = in_process(
        "--state", str(path), "db", "create", "orders", "--port", "12000",
        "--enable", "--mode", "all", "--add-cert", str(tmp_path / "ca.pem"),
    )  # fmt: skip
    assert created.code == 0, created.err
    return path


def _key_fragments(data: bytes) -> list[str]:
    """Pieces of a private key that must never appear in any output: its base64 lines,
    and the base64 and hex of its DER."""
    text = data.decode("latin-1")
    pieces = [line.strip() for line in text.splitlines() if len(line.strip()) >= 40]
    pieces = [p for p in pieces if re.fullmatch(r"[A-Za-z0-9+/=]+", p)]
    if data[:1] == b"\x30" and len(data) > 48:
        pieces += [base64.b64encode(data[16:46]).decode()[:32], data[16:40].hex()]
    return pieces


def _restore(folder: Path, picture: dict[str, tuple[bytes, int]]) -> None:
    """Put the folder back as it was (after a command that was allowed to save)."""
    for path in list(folder.rglob("*")):
        if path.is_file() and str(path.relative_to(folder)) not in picture:
            path.unlink()
    for name, (data, mode) in picture.items():
        (folder / name).write_bytes(data)
        (folder / name).chmod(mode & 0o777)


class Problems:
    """Every broken promise, collected, so one run lists them all."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, condition: bool, what: str) -> None:
        if not condition:
            self.found.append(what)

    def assert_none(self) -> None:
        assert not self.found, f"{len(self.found)} problems:\n" + "\n".join(self.found[:40])


def _refusal_is_clean(run: Run, problems: Problems, what: str) -> None:
    problems.check("Traceback" not in run.out + run.err, f"{what}: traceback: {run.err[-300:]}")
    problems.check(run.code in (0, 1), f"{what}: exit {run.code}: {run.err[-200:]}")
    if run.code == 1:
        lines = run.err.strip().splitlines()
        problems.check(
            len(lines) == 1 and lines[0].startswith("tls-wizard: ") and len(lines[0]) > 25,
            f"{what}: not one clear line: {run.err[:300]!r}",
        )


@pytest.mark.parametrize("run", RUNNERS)
def test_every_corpus_input_as_a_certificate_file(
    run: Runner, entries, state_folder, reliability_report
):
    folder = state_folder.parent
    picture = folder_picture(folder)
    problems = Problems()
    accepted, refused = [], 0
    for entry, path in entries:
        what = f"db tls --add-cert {entry.name}"
        done = run("--state", str(state_folder), "db", "tls", "orders", "--add-cert", str(path))
        _refusal_is_clean(done, problems, what)
        if entry.private_key:
            problems.check(done.code == 1, f"{what}: a private key was accepted")
            for piece in _key_fragments(entry.data):
                problems.check(piece not in done.out + done.err, f"{what}: key bytes in output")
        if done.code == 1:
            refused += 1
            problems.check(folder_picture(folder) == picture, f"{what}: refused, but files changed")
        elif done.code == 0:
            accepted.append(entry.name)
            store.load(state_folder)  # what was saved loads
            _restore(folder, picture)
    problems.assert_none()
    assert refused >= 200
    reliability_report(
        f"{len(entries)} inputs via `db tls --add-cert`: {refused} refused with one line "
        f"and the state folder byte-for-byte unchanged, {len(accepted)} accepted as valid "
        f"client certificates ({', '.join(accepted[:4])}{'...' if len(accepted) > 4 else ''})"
    )


@pytest.mark.parametrize("run", RUNNERS)
def test_every_corpus_input_through_the_inspector(run: Runner, entries, reliability_report):
    problems = Problems()
    with_error, with_finding, clean_certs = 0, 0, 0
    for entry, path in entries:
        what = f"inspect --json {entry.name}"
        done = run("inspect", str(path), "--json")
        problems.check("Traceback" not in done.out + done.err, f"{what}: traceback")
        problems.check(done.code in (0, 1), f"{what}: exit {done.code}: {done.err[-200:]}")
        try:
            report: Any = json.loads(done.out)
        except ValueError:
            problems.check(
                False, f"{what}: stdout is not JSON: {done.out[:200]!r} {done.err[:200]!r}"
            )
            continue
        findings = report.get("findings", [])
        items = report.get("items", [])
        if done.code == 1:
            with_error += 1
            problems.check(
                any(f.get("severity") == "error" for f in findings),
                f"{what}: exit 1 without an error finding",
            )
        elif findings:
            with_finding += 1
        else:
            clean_certs += 1
            problems.check(
                bool(items) and all(i.get("kind") == "certificate" for i in items),
                f"{what}: exit 0, no finding, and not all certificates: {items!r:.200}",
            )
        for finding in findings:
            message = finding.get("message", "")
            problems.check(
                "\n" not in message and message.strip() != "", f"{what}: bad message {message!r}"
            )
        if entry.private_key:
            problems.check(done.code == 1, f"{what}: a private key passed inspection")
            for piece in _key_fragments(entry.data):
                problems.check(piece not in done.out + done.err, f"{what}: key bytes in the JSON")
    problems.assert_none()
    reliability_report(
        f"{len(entries)} inputs via `inspect --json`: {with_error} exit 1 with an error "
        f"finding, {with_finding} exit 0 with warnings, {clean_certs} clean certificates; "
        "valid JSON every time, no key bytes"
    )


@pytest.mark.parametrize("run", RUNNERS)
def test_hostile_san_lists(run: Runner, state_folder, reliability_report):
    folder = state_folder.parent
    picture = folder_picture(folder)
    problems = Problems()
    accepted = []
    lists = HOSTILE_SAN_LISTS
    if run is cli:  # an argument cannot hold a NUL byte; only the in-process form sends it
        lists = [names for names in lists if "\x00" not in names]
    for names in lists:
        what = f"--san {names[:40]!r}"
        done = run("--state", str(state_folder), "db", "tls", "orders", f"--san={names}")
        _refusal_is_clean(done, problems, what)
        if done.code == 1:
            problems.check(folder_picture(folder) == picture, f"{what}: refused, but files changed")
        else:
            accepted.append(names[:30])
            saved = store.load(state_folder).database("orders")
            problems.check(saved is not None and bool(saved.tls.authorized_names), f"{what}")
            _restore(folder, picture)
    problems.assert_none()
    reliability_report(
        f"{len(lists)} hostile SAN lists: {len(lists) - len(accepted)} "
        f"refused in one line, {len(accepted)} accepted as valid names ({accepted})"
    )


# --- state files broken one field at a time --------------------------------------------

_WRONG_TYPE = {str: 12, int: "twelve", bool: "yes", list: "not-a-list", dict: ["not", "a", "table"]}
_BAD_VALUES: dict[str, list[Any]] = {
    "format": [99, -1],
    "revision": [-1],
    "mode": ["everything", ""],
    "type": ["sharded"],
    "min_data_tls_version": ["1.4", "1.0", ""],
    "subject_validation": ["yes"],
    "port": [0, 70000, -5],
    "uid": [0, -1],
    "name": ["", "   "],
    "key_file": ["", "  "],
    "certificate": ["0" * 64, "ABC", "G" * 64],
    "syncer_certificate": ["f" * 64],
    "replica_of": [["no-port"], ["host:99999"], ["host:port"]],
    "certificates": [["z" * 64], ["0" * 64]],
    "authorized_subjects": [[{"O": "no CN"}], [{"CN": "x", "XX": "unknown"}]],
    "chain": [["nope"]],
}


def _leaves(node: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append(((*path, key), value))
            found.extend(_leaves(value, (*path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_leaves(value, (*path, index)))
    return found


def _with(doc: Any, path: tuple, value: Any) -> Any:
    """A copy of `doc` with `path` set to `value` (or deleted when value is ...)."""
    copy = json.loads(json.dumps(doc))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    if value is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copy


def broken_states(doc: dict) -> list[tuple[str, bytes]]:
    """Every field broken in turn: the wrong type, each bad value its kind can take, the
    required ones removed; plus damaged certificates, duplicates and broken TOML."""
    variants: list[tuple[str, bytes]] = []
    required = {
        "name",
        "uid",
        "port",
        "key_file",
        "certificate",
        "syncer_certificate",
        "pem",
        "cluster",
    }
    for path, value in _leaves(doc):
        where = ".".join(str(p) for p in path)
        if isinstance(path[-1], str) and path[0] == "certificates" and len(path) == 2:
            continue  # the certificate tables themselves: broken through their pem below
        kind = type(value)
        if kind in _WRONG_TYPE:
            variants.append(
                (
                    f"{where}: wrong type",
                    tomli_w.dumps(_with(doc, path, _WRONG_TYPE[kind])).encode(),
                )
            )
        for bad in _BAD_VALUES.get(str(path[-1]), []):
            variants.append((f"{where}: {bad!r}", tomli_w.dumps(_with(doc, path, bad)).encode()))
        if path[-1] in required:
            variants.append((f"{where}: missing", tomli_w.dumps(_with(doc, path, ...)).encode()))
        if path[-1] == "pem":
            body = value.split("\n")
            damaged = "\n".join([body[0], body[1][:-4] + "AAAA", *body[2:]])
            variants.append(
                (
                    f"{where}: one base64 group changed",
                    tomli_w.dumps(_with(doc, path, damaged)).encode(),
                )
            )
            variants.append(
                (
                    f"{where}: base64 broken",
                    tomli_w.dumps(_with(doc, path, value.replace("M", "!", 3))).encode(),
                )
            )
            key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" + value
            variants.append(
                (f"{where}: a private key inline", tomli_w.dumps(_with(doc, path, key)).encode())
            )
    database = doc["databases"][0]
    twin = dict(database, uid=database["uid"] + 1)
    variants.append(
        (
            "databases: the same name twice",
            tomli_w.dumps(dict(doc, databases=[database, twin])).encode(),
        )
    )
    variants.append(("top level: unknown key", tomli_w.dumps(dict(doc, colour="blue")).encode()))
    variants.append(
        ("top level: unknown key with a newline", tomli_w.dumps(dict(doc, **{"a\nb": 1})).encode())
    )
    text = tomli_w.dumps(doc).encode()
    variants += [
        ("toml: cut in half", text[: len(text) // 2]),
        ("toml: unclosed string", text.replace(b'name = "', b'name = "unclosed\n', 1)),
        ("toml: duplicate key", text.replace(b"revision = ", b"revision = 1\nrevision = ", 1)),
        ("toml: not UTF-8", text.replace(b"cluster1", b"cluster\xff", 1)),
        ("toml: NUL byte", text.replace(b"\n", b"\x00\n", 1)),
        ("toml: empty file", b""),
        ("toml: binary", bytes(range(256))),
        (
            "toml: a PEM certificate instead",
            doc["certificates"][next(iter(doc["certificates"]))]["pem"].encode(),
        ),
    ]
    return variants


@pytest.mark.parametrize("run", RUNNERS)
def test_state_files_broken_field_by_field(run: Runner, state_folder, reliability_report):
    doc = tomllib.loads(state_folder.read_text())
    variants = broken_states(doc)
    folder = state_folder.parent
    problems = Problems()
    refused_everywhere = 0
    for what, data in variants:
        state_folder.write_bytes(data)
        picture = folder_picture(folder)
        commands = (["db", "list"], ["check", "--json"], ["db", "tls", "orders", "--no-san"])
        outcomes = []
        for args in commands:
            label = f"{what} / {' '.join(args)}"
            done = run("--state", str(state_folder), *args)
            _refusal_is_clean(done, problems, label)
            problems.check(folder_picture(folder) == picture, f"{label}: the folder changed")
            outcomes.append(done.code)
        problems.check(outcomes == [1, 1, 1], f"{what}: loaded ({outcomes})")
        refused_everywhere += outcomes == [1, 1, 1]
        if outcomes[0] == 1:  # refused: the wizard (no command) must refuse it before starting
            done = run("--state", str(state_folder))
            _refusal_is_clean(done, problems, f"{what} / (the wizard)")
            problems.check(done.code == 1, f"{what}: the wizard started on it")
            problems.check(folder_picture(folder) == picture, f"{what} / (the wizard): changed")
    shutil.rmtree(store.history_folder(state_folder), ignore_errors=True)
    problems.assert_none()
    reliability_report(
        f"{len(variants)} state files each with one field broken: all refused by `db list`, "
        "`check`, `db tls` and the wizard's start with one line, the file never rewritten"
    )
