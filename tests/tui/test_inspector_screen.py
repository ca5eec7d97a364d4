"""The certificate inspector: a chain as a tree, details, findings, a private key wiped,
an expired certificate, a file read by path."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import TextArea
from tui_helpers import settle

from state import clock
from tui.app import WizardApp
from tui.screens.inspector import InspectorScreen
from tui.widgets.inspector_tree import InspectorChainTree

pytestmark = pytest.mark.anyio
SIZE = (100, 32)
LATER = "2028-06-01T12:00:00+00:00"
"""After the fixture certificates expire (they are valid for a year from 2026-11-28)."""


async def paste(pilot, text: str) -> None:
    """A bracketed paste as the terminal delivers it (to the app, forwarded to the focus)."""
    assert isinstance(pilot.app.focused, TextArea)
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def open_inspector(pilot) -> InspectorScreen:
    await pilot.press("i")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, InspectorScreen)
    return screen


def codes(screen: InspectorScreen) -> set[str]:
    assert screen.inspection is not None
    return {f.code for f in screen.inspection.findings}


async def test_a_chain_shows_as_root_over_leaf_with_the_leaf_selected(
    app: WizardApp, samples: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspector(pilot)
        # Leaf first, root second: the tree still puts the root on top.
        await paste(
            pilot, (samples / "app1.pem").read_text() + (samples / "demo-ca.pem").read_text()
        )
        await settle(pilot)
        tree = screen.query_one(InspectorChainTree)
        [root] = tree.root.children
        assert root.data.subject_cn == "Demo Client CA"
        assert [child.data.subject_cn for child in root.children] == ["app1.example.com"]
        assert tree.cursor_node is root.children[0]
        details = str(screen.query_one("#inspector-details").render())
        assert "CN=app1.example.com" in details and "clientAuth" in details
        status = str(screen.query_one("#inspector-status").render())
        assert "2 certificates read" in status and "chain verifies" in status
        # Moving up the tree shows the CA's details.
        tree.focus()
        await pilot.press("up")
        await pilot.pause()
        assert "Key usage" in str(screen.query_one("#inspector-details").render())
        assert "keyCertSign" in str(screen.query_one("#inspector-details").render())


async def test_undo_after_a_multi_line_paste_does_not_crash(app: WizardApp, samples: Path) -> None:
    """Ctrl+Z right after a bracketed paste crashed a plain TextArea (Textual #6686)."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspector(pilot)
        await paste(pilot, (samples / "app1.pem").read_text() + "\n\n")
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.query_one(TextArea).text == ""


async def test_a_pasted_private_key_is_wiped_and_reported(app: WizardApp, samples: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspector(pilot)
        await paste(pilot, (samples / "app1.key").read_text() + (samples / "app1.pem").read_text())
        await settle(pilot)
        assert screen.query_one(TextArea).text == ""
        assert "private-key" in codes(screen)
        assert "wiped" in str(screen.query_one("#inspector-status").render())
        # The certificate in the same paste is still shown.
        assert screen.inspection.certificates[0].subject_cn == "app1.example.com"


async def test_an_expired_certificate_is_an_error(
    app: WizardApp, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLS_WIZARD_NOW", LATER)
    clock.set_now(LATER)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspector(pilot)
        await paste(pilot, (samples / "app1.pem").read_text())
        await settle(pilot)
        assert "expired" in codes(screen)
        assert "expired" in str(screen.query_one("#inspector-findings").render())


async def test_a_file_path_is_read_in_a_worker(app: WizardApp, samples: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspector(pilot)
        await paste(pilot, str(samples / "demo-ca.pem"))
        await settle(pilot)
        assert screen.inspection is not None
        assert screen.inspection.source == str(samples / "demo-ca.pem")
        assert screen.inspection.certificates[0].role == "root-ca"
        # A missing file is one clear line, not a traceback.
        await pilot.press("ctrl+l")
        await paste(pilot, str(samples / "missing.pem"))
        await settle(pilot)
        assert "no such file" in str(screen.query_one("#inspector-status").render())


async def test_garbage_is_a_finding_not_a_crash(app: WizardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspector(pilot)
        await paste(
            pilot, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"
        )
        await settle(pilot)
        assert screen.inspection is not None and not screen.inspection.certificates
        assert any(f.severity == "error" for f in screen.inspection.findings)


async def test_check_as_the_proxy_certificate_finds_what_a_client_cert_lacks(
    app: WizardApp, samples: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_inspector(pilot)
        await paste(pilot, (samples / "app1.pem").read_text())
        await settle(pilot)
        assert "missing-server-auth" not in codes(screen)
        # any -> client -> ca -> proxy
        await pilot.press("ctrl+t", "ctrl+t", "ctrl+t")
        await settle(pilot)
        assert screen.context == "proxy"
        assert {"missing-server-auth", "san-mismatch"} <= codes(screen)
        assert "checked as the proxy certificate" in str(
            screen.query_one("#inspector-status").render()
        )


async def test_opened_with_text_it_inspects_at_once(app: WizardApp, samples: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = InspectorScreen(text=(samples / "app2.pem").read_text())
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.inspection is not None
        assert screen.inspection.certificates[0].subject_cn == "app2.example.com"


# -- snapshots ----------------------------------------------------------------------------


def test_snapshot_inspector_empty(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_inspector(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_inspector_chain(snap_compare, app: WizardApp, samples: Path) -> None:
    async def run_before(pilot) -> None:
        await open_inspector(pilot)
        await paste(
            pilot, (samples / "app1.pem").read_text() + (samples / "demo-ca.pem").read_text()
        )
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_inspector_private_key(snap_compare, app: WizardApp, samples: Path) -> None:
    async def run_before(pilot) -> None:
        await open_inspector(pilot)
        await paste(pilot, (samples / "app1.key").read_text() + (samples / "app1.pem").read_text())
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_inspector_expired(
    snap_compare, app: WizardApp, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLS_WIZARD_NOW", LATER)
    clock.set_now(LATER)

    async def run_before(pilot) -> None:
        await open_inspector(pilot)
        await paste(pilot, (samples / "app1.pem").read_text())
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_inspector_chain_80x24(snap_compare, app: WizardApp, samples: Path) -> None:
    async def run_before(pilot) -> None:
        await open_inspector(pilot)
        await paste(
            pilot, (samples / "app1.pem").read_text() + (samples / "demo-ca.pem").read_text()
        )
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_an_expired_certificate_beside_the_chain_is_not_a_refusal(samples: Path) -> None:
    """The chain verifies (OpenSSL) and an expired certificate the chain does not use is
    pasted too: its finding says it is outside the chain, never that the server refuses."""
    import datetime as dt

    from state.certificates.issue import KeyAndCertificate, SubjectFields, issue_certificate
    from tui.screens.inspector import inspect

    ca = KeyAndCertificate(
        (samples / "demo-ca.key").read_bytes(), (samples / "demo-ca.pem").read_bytes()
    )
    old = issue_certificate(
        ca, SubjectFields(cn="old"), not_before=clock.now() - dt.timedelta(days=400)
    )
    text = (samples / "app1.pem").read_text() + old.pem.decode() + ca.pem.decode()
    inspection = inspect(text, context="client")
    assert "chain verifies" in inspection.verdict
    expired = [f for f in inspection.findings if f.code == "expired"]
    assert [(f.severity, f.where) for f in expired] == [("warning", "certificate 2")]
    assert expired[0].message.startswith("not in the chain the server uses")


async def test_the_chain_tree_starts_one_column_in_like_the_titles(app) -> None:
    """The tree lines up with its "Chain" title (padding 1), not at column 0."""
    from textual.widgets import Static

    from tui.screens.inspector import InspectorScreen
    from tui.widgets.inspector_tree import InspectorChainTree

    async with app.run_test(size=(100, 32)) as pilot:
        screen = InspectorScreen()
        await pilot.app.push_screen(screen)
        await pilot.pause()
        tree = screen.query_one(InspectorChainTree)
        title = screen.query_one("#inspector-chain-box .section-title", Static)
        assert tree.content_region.x == title.content_region.x >= 1
