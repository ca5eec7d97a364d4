"""The Redis Enterprise widget and dialog: rladmin/REST tabs with copy, and the REST import."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, TabbedContent, TextArea

from state.enterprise.rest import render_curl, rest_export
from state.enterprise.rladmin import render_rladmin
from state.operations import Workspace
from tui.app import THEME
from tui.widgets.exports import ExportTabs

SNAPSHOT_SIZE = (100, 32)  # as tests/tui/conftest.py
SMALL_SIZE = (80, 24)


class ExportsHarness(App[None]):
    """The widget alone, as the Review step would hold it."""

    def __init__(self, state_path: Path, database: str | None) -> None:
        super().__init__()
        self.theme = THEME
        self.workspace = Workspace.open(state_path)
        self.database = database

    def compose(self) -> ComposeResult:
        yield ExportTabs(self.workspace.state, self.database, id="exports")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#export-rladmin-text", TextArea).focus()


def test_snapshot_rladmin_tab(snap_compare, state_path: Path):
    assert snap_compare(ExportsHarness(state_path, "orders"), terminal_size=SNAPSHOT_SIZE)


def test_snapshot_rest_tab_small_terminal(snap_compare, state_path: Path):
    async def rest_tab(pilot) -> None:
        await pilot.pause()  # run_before starts before the app has mounted
        pilot.app.query_one(ExportTabs).select("export-rest")
        await pilot.pause()

    assert snap_compare(
        ExportsHarness(state_path, "orders"), terminal_size=SMALL_SIZE, run_before=rest_tab
    )


def test_copy_takes_the_full_text_of_the_active_tab(state_path: Path):
    asyncio.run(_copy_takes_the_full_text(state_path))


async def _copy_takes_the_full_text(state_path: Path) -> None:
    app = ExportsHarness(state_path, "orders")
    state = Workspace.open(state_path).state
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        await pilot.press("y")
        assert app.clipboard == render_rladmin(state, "orders")
        app.query_one(ExportTabs).select("export-rest")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "export-rest"
        await pilot.press("y")
        full = render_curl(rest_export(state, "orders"), title="database orders")
        assert app.clipboard == full
        assert "-----BEGIN CERTIFICATE-----" in app.clipboard
        shown = app.query_one("#export-rest-text", TextArea).text
        assert "-----BEGIN CERTIFICATE-----" not in shown
        assert "<PEM CN=app1.example.com sha256 " in shown


def test_show_redraws_for_a_new_state_or_says_why_not(state_path: Path):
    asyncio.run(_show_redraws(state_path))


async def _show_redraws(state_path: Path) -> None:
    app = ExportsHarness(state_path, "orders")
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        widget = app.query_one(ExportTabs)
        changed = app.workspace.state.copy()
        changed.database("orders").tls.enforce_client_auth = False
        widget.show(changed)
        await pilot.pause()
        rest = app.query_one("#export-rest-text", TextArea).text
        assert '"enforce_client_authentication": "disabled"' in rest
        widget.show(None, problem="port 0 is not a port")
        await pilot.pause()
        assert (
            "nothing to render: port 0 is not a port"
            in app.query_one("#export-rladmin-text", TextArea).text
        )
        await pilot.press("y")
        assert app.clipboard == ""
