"""The TLS protocols screen: choose, warn below 1.2, save through the core, ask before
discarding a pending choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static
from tui_helpers import settle

from state import store
from tui.app import WizardApp
from tui.dialogs.confirm import UnsavedChangesDialog
from tui.screens.databases import DatabasesScreen
from tui.screens.protocols import TlsProtocolsScreen

pytestmark = pytest.mark.anyio
SIZE = (100, 32)


async def open_protocols(pilot) -> TlsProtocolsScreen:
    await pilot.press("p")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TlsProtocolsScreen)
    return screen


async def test_choosing_tls_1_0_warns_and_saves_it(app: WizardApp, state_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_protocols(pilot)
        warning = screen.query_one("#protocols-warning", Static)
        assert screen.choice == "1.2" and not warning.display
        # The keyboard cursor starts on the saved version: two steps up is TLS 1.0.
        await pilot.press("up", "up", "enter")
        await pilot.pause()
        assert screen.choice == "1"
        assert warning.display
        assert "below the recommended TLS 1.2" in str(warning.render())
        assert store.load(state_path).cluster.min_data_tls_version == "1.2", "not saved yet"
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = store.load(state_path)
    assert saved.cluster.min_data_tls_version == "1"
    assert saved.change == "cluster config min_data_TLS_version 1"


async def test_tls_1_3_has_no_warning_and_names_the_sentinel_restart(
    make_app, state_path: Path
) -> None:
    _set_version(state_path, "7.22.2")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_protocols(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.choice == "1.3"
        assert not screen.query_one("#protocols-warning", Static).display
        assert "supervisorctl restart sentinel_service" in str(
            screen.query_one("#protocols-restart", Static).render()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert store.load(state_path).cluster.min_data_tls_version == "1.3"


async def test_leaving_with_a_pending_choice_asks_and_keeps_the_file(
    app: WizardApp, state_path: Path
) -> None:
    before = state_path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_protocols(pilot)
        await pilot.press("up", "enter", "escape")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedChangesDialog)
        await pilot.press("escape")  # keep editing
        await pilot.pause()
        assert app.screen is screen and screen.choice == "1.1"
        await pilot.press("escape", "d")  # Discard and leave
        await pilot.pause()
        assert isinstance(app.screen, DatabasesScreen)
    assert state_path.read_bytes() == before


async def test_escape_without_changes_goes_straight_back(app: WizardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_protocols(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DatabasesScreen)


def test_snapshot_protocols(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_protocols(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_protocols_tls_1_0_warning(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_protocols(pilot)
        await pilot.press("up", "up", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_protocols_80x24(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_protocols(pilot)
        await pilot.press("up", "up", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def _set_version(state_path: Path, version: str) -> None:
    from state.transitions import set_cluster_version
    from state.workspace import Workspace

    workspace = Workspace.open(state_path)
    workspace.update(lambda s: set_cluster_version(s, version), f"version {version}")


async def test_from_7_4_2_only_1_2_and_1_3_can_be_chosen(make_app, state_path: Path) -> None:
    _set_version(state_path, "7.4.2")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_protocols(pilot)
        buttons = {b.name: b for b in screen.query("RadioButton")}
        assert [n for n, b in buttons.items() if b.disabled] == ["1", "1.1"]
        assert "not in 7.4.2" in str(buttons["1"].label)
        shown = str(screen.query_one("#protocols-cluster-version", Static).render())
        assert "Redis Enterprise 7.4.2: allowed TLS 1.2, TLS 1.3" in shown
        await pilot.press("up", "up", "enter")  # disabled buttons are skipped
        await pilot.pause()
        assert screen.choice in ("1.2", "1.3")


async def test_before_7_4_2_tls_1_3_is_refused(make_app, state_path: Path) -> None:
    _set_version(state_path, "7.2.4")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_protocols(pilot)
        buttons = {b.name: b for b in screen.query("RadioButton")}
        assert [n for n, b in buttons.items() if b.disabled] == ["1.3"]
        screen.choice = "1.3"  # as if chosen: the screen names the refusal and saves nothing
        screen.refresh_view()
        warning = screen.query_one("#protocols-warning", Static)
        assert warning.display and "does not accept minimum TLS version 1.3" in str(
            warning.render()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert store.load(state_path).cluster.min_data_tls_version == "1.2"


async def test_unknown_version_offers_every_value_and_names_who_refuses_it(
    app: WizardApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_protocols(pilot)
        buttons = {b.name: b for b in screen.query("RadioButton")}
        assert not any(b.disabled for b in buttons.values())
        assert "(7.4.2 and later)" in str(buttons["1.3"].label)
        assert "(before 7.4.2)" in str(buttons["1.1"].label)
        assert "not known" in str(screen.query_one("#protocols-cluster-version", Static).render())
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.choice == "1.3"
        warning = screen.query_one("#protocols-warning", Static)
        assert warning.display
        assert "TLS 1.3 is refused by clusters before 7.4.2" in str(warning.render())


async def test_each_version_is_explained_for_this_cluster_and_the_databases_it_reaches(
    make_app, state_path: Path
) -> None:
    """The per-version panel says what the cluster's version accepts and what Apply gives a
    redis-server, marks the saved and the chosen version, and lists the TLS databases."""
    _set_version(state_path, "7.22.2")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_protocols(pilot)
        versions = screen.query_one("#protocols-versions", Static)
        text = str(versions.render())
        tls_1_1 = text[text.index("TLS 1.1") : text.index("TLS 1.2")]
        assert "this cluster (7.22.2) refuses it" in tls_1_1
        assert "tls-protocols TLSv1.1 TLSv1.2 TLSv1.3" in tls_1_1
        assert "TLS 1.2  (saved, chosen)" in text
        assert "this cluster (7.22.2) accepts it" in text[text.index("TLS 1.3") :]
        await pilot.press("down", "enter")
        await pilot.pause()
        text = str(versions.render())
        assert "TLS 1.2  (saved)" in text and "TLS 1.3  (chosen)" in text
        reached = str(screen.query_one("#protocols-databases", Static).render())
        with_tls = [d for d in store.load(state_path).databases if d.tls.enabled]
        assert with_tls and all(f"{d.name}: {d.tls.mode.label}" in reached for d in with_tls)
        assert not any(
            d.name in reached for d in store.load(state_path).databases if not d.tls.enabled
        )
