"""Secrets: private keys live in their own files (0600, in a 0700 folder) and nowhere
else: not in the state, its history, any other file beside it, any command's output
(text or JSON), the screenshots or the snapshot SVGs; a key pasted into the dialog never
reaches the disk.

A key is looked for by its fragments (its base64 lines, and its DER as base64 and hex),
so a key is found even when it is re-wrapped or quoted, not only by its PEM label.
"""

from __future__ import annotations

import base64
import html
import re
import stat
from pathlib import Path

import pytest
from reliability_helpers import folder_picture, in_process

from state.certificates.issue import (
    SubjectFields,
    certificate_authority,
    cluster_sans,
    issue_certificate,
)
from state.workspace import init_state

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = "cluster1.example.com"


def fragments(key_pem: bytes) -> list[str]:
    """Pieces of a key: 24-character slices of its base64 lines, and of its DER's hex.

    The first 64 base64 characters (48 DER bytes) are skipped: they are the algorithm
    header every key of the same type shares, not secret material.
    """
    lines = [ln.strip() for ln in key_pem.decode().splitlines() if "-----" not in ln]
    body = "".join(lines)
    pieces = [body[i : i + 24] for i in range(64, max(len(body) - 24, 65), 48)]
    try:
        der = base64.b64decode(body)
        pieces += [der[i : i + 12].hex() for i in range(48, len(der) - 12, 96)]
    except ValueError:
        pass
    return [p for p in pieces if len(p) >= 20]


def leaks(text: str, keys: dict[str, bytes]) -> list[str]:
    found = []
    if "PRIVATE KEY" in text:
        found.append("a PRIVATE KEY label")
    for name, key in keys.items():
        if any(piece in text for piece in fragments(key)):
            found.append(f"bytes of {name}")
    return found


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def cluster(tmp_path: Path):
    """A state after init, a CSR request and a CA-signed proxy certificate installed."""
    state = tmp_path / "state" / "tls-wizard.toml"
    state.parent.mkdir()
    init_state(state, CLUSTER)
    ca = certificate_authority("Secrets CA")
    proxy = issue_certificate(
        ca,
        SubjectFields(cn=CLUSTER),
        sans=cluster_sans(CLUSTER),
        eku=("serverAuth", "clientAuth"),
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "proxy.pem").write_bytes(proxy.pem + ca.pem)
    (outside / "proxy.key").write_bytes(proxy.key_pem)
    (outside / "ca.pem").write_bytes(ca.pem)
    args = ["--state", str(state)]
    done = in_process(
        *args, "cluster", "certificate", "set", "proxy",
        "certificate_file", str(outside / "proxy.pem"), "key_file", str(outside / "proxy.key"),
    )  # fmt: skip
    assert done.code == 0, done.err
    done = in_process(
        *args, "cluster", "certificate", "request", "syncer", "--out", str(outside / "csr")
    )
    assert done.code == 0, done.err
    done = in_process(
        *args, "db", "create", "orders", "--port", "12000",
        "--enable", "--add-cert", str(outside / "ca.pem"),
    )  # fmt: skip
    assert done.code == 0, done.err
    return state, outside


def _all_keys(state: Path, outside: Path) -> dict[str, bytes]:
    keys = {
        str(p.relative_to(state.parent)): p.read_bytes() for p in (state.parent / "keys").iterdir()
    }
    keys["outside/proxy.key"] = (outside / "proxy.key").read_bytes()
    keys["outside/csr/syncer.key"] = (outside / "csr" / "syncer.key").read_bytes()
    return keys


def test_key_files_are_0600_in_a_0700_folder(cluster):
    state, outside = cluster
    keys = state.parent / "keys"
    assert _mode(keys) == 0o700
    files = sorted(keys.iterdir())
    assert len(files) >= 3, files  # proxy (init), syncer (init), the installed proxy key
    for key in files:
        assert _mode(key) == 0o600, f"{key.name} is {oct(_mode(key))}"
        assert b"PRIVATE KEY" in key.read_bytes()
    assert _mode(outside / "csr" / "syncer.key") == 0o600
    assert _mode(state) == 0o600


def test_no_key_in_any_file_beside_the_state(cluster):
    state, outside = cluster
    keys = _all_keys(state, outside)
    checked = 0
    for path in sorted(state.parent.rglob("*")):
        if path.is_file() and path.parent.name != "keys":
            assert not leaks(path.read_bytes().decode("latin-1"), keys), path
            checked += 1
    assert checked >= 3  # the state, its lock, at least one history revision


def test_no_key_in_any_command_output(cluster, reliability_report):
    state, outside = cluster
    keys = _all_keys(state, outside)
    args = ["--state", str(state)]
    key_file = state.parent / "keys" / "proxy.key"
    commands = [
        ["cluster", "show"],
        ["cluster", "show", "--json"],
        ["cluster", "certificate", "show", "proxy"],
        ["cluster", "certificate", "show", "syncer"],
        ["db", "list", "--json"],
        ["db", "show", "orders"],
        ["db", "show", "orders", "--json"],
        ["check"],
        ["check", "--json"],
        ["history"],
        ["history", "--json"],
        ["cluster", "participant", "list", "--json"],
        ["inspect", str(key_file)],
        ["inspect", str(key_file), "--json"],
        ["inspect", str(outside / "proxy.key"), "--json"],
        ["db", "tls", "orders", "--add-cert", str(key_file)],
        ["cluster", "participant", "add", "c2.example.com", "--syncer-cert", str(key_file)],
        [
            "cluster",
            "certificate",
            "set",
            "syncer",
            "certificate_file",
            str(key_file),
            "key_file",
            str(key_file),
        ],
    ]
    before = folder_picture(state.parent)
    for command in commands:
        done = in_process(*args, *command)
        assert "Traceback" not in done.err
        found = leaks(done.out + done.err, keys)
        assert not found, f"{' '.join(command)}: {found}"
    assert folder_picture(state.parent) == before, "a refused command changed the folder"
    reliability_report(
        f"{len(commands)} commands (text and JSON) print no byte of {len(keys)} keys"
    )


def _svg_text(path: Path) -> str:
    """The text a screenshot shows: tags dropped, entities (&#160; for spaces) decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def test_no_key_in_screenshots_or_snapshots(reliability_report):
    fixture_keys = {
        str(p.relative_to(ROOT)): p.read_bytes()
        for p in (ROOT / "tests" / "fixtures").rglob("*.key")
        if b"PRIVATE KEY" in p.read_bytes()
    }
    assert fixture_keys, "the demo fixture has no keys to look for"
    svgs = sorted((ROOT / "screenshots").glob("*.svg"))
    svgs += sorted((ROOT / "tests" / "tui" / "__snapshots__").rglob("*.svg"))
    if not svgs:
        pytest.skip("no screenshots or snapshots yet (make screenshots)")
    for svg in svgs:
        found = leaks(_svg_text(svg), fixture_keys)
        assert not found, f"{svg.relative_to(ROOT)}: {found}"
    reliability_report(
        f"{len(svgs)} screenshot and snapshot SVGs hold no byte of {len(fixture_keys)} fixture keys"
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_a_key_pasted_in_the_dialog_never_reaches_the_disk(tmp_path):
    from textual import events

    from state.certificates.issue import new_private_key, private_key_pem
    from tui.app import WizardApp
    from tui.dialogs.paste import PasteCertificatesDialog

    state = tmp_path / "state" / "tls-wizard.toml"
    state.parent.mkdir()
    init_state(state, CLUSTER)
    before = folder_picture(state.parent)
    key = private_key_pem(new_private_key("rsa", 2048))
    app = WizardApp(state, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        dialog = PasteCertificatesDialog("Add certificates", "client")
        await app.push_screen(dialog)
        await pilot.pause()
        app.post_message(events.Paste("my key:\n" + key.decode()))
        await pilot.pause()
        assert dialog.key_refused
        await pilot.press("ctrl+z", "ctrl+s", "escape")
        await pilot.pause()
    assert folder_picture(state.parent) == before
    everything = "".join(
        p.read_bytes().decode("latin-1") for p in tmp_path.rglob("*") if p.is_file()
    )
    # keys/ holds the cluster's own keys (labels and all); the pasted one is nowhere.
    assert not any(piece in everything for piece in fragments(key))


def test_the_leak_detector_finds_a_key_quoted_or_rewrapped(cluster):
    """The other tests are only as good as `leaks`: it must see a key that was re-wrapped
    at another width, stripped of its labels, or printed as hex."""
    state, outside = cluster
    keys = _all_keys(state, outside)
    key = keys["outside/proxy.key"]
    body = "".join(ln for ln in key.decode().splitlines() if "-----" not in ln)
    rewrapped = "\n".join(body[i : i + 76] for i in range(0, len(body), 76))
    assert leaks(f"> {rewrapped}", keys)
    assert leaks(base64.b64decode(body).hex(), keys)
    assert not leaks((outside / "ca.pem").read_text(), keys)


def test_the_redis_target_writes_keys_0600_and_only_into_key_files(cluster, tmp_path):
    """Applying to a Redis server copies the proxy key beside its certificate: that copy
    must be a 0600 key file, and no other planned file or CONFIG value may hold key bytes."""
    from state.targets.redis_plan import build_plan
    from state.workspace import Workspace

    state, outside = cluster
    keys = _all_keys(state, outside)
    workspace = Workspace.open(state)
    plan = build_plan(workspace.state, "orders", tmp_path / "tls", workspace.read_key)
    assert plan.files, "the plan writes no file"
    key_files = [f for f in plan.files if b"PRIVATE KEY" in f.data]
    assert key_files, "the plan carries no key for tls-key-file"
    for planned in plan.files:
        holds_key = b"PRIVATE KEY" in planned.data or bool(
            leaks(planned.data.decode("latin-1"), keys)
        )
        assert holds_key == (planned.mode == 0o600), (
            f"{planned.path.name}: mode {oct(planned.mode)}"
        )
    assert not leaks(" ".join(plan.settings.values()) + " ".join(plan.notes), keys)
