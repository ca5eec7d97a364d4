"""The Redis Enterprise widget and dialog: rladmin/REST tabs with copy, and the REST import."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Input, Static, Switch, TabbedContent, TextArea

from state.enterprise.rest import database_body, render_curl, rest_export
from state.enterprise.rladmin import render_rladmin
from state.workspace import Workspace
from tui.screens.import_rest import ImportRestDialog
from tui.theme import use_theme
from tui.widgets.exports import ExportTabs

SNAPSHOT_SIZE = (100, 32)  # as tests/tui/conftest.py
SMALL_SIZE = (80, 24)


class ExportsHarness(App[None]):
    """The widget alone, as the Review step would hold it."""

    def __init__(self, state_path: Path, database: str | None) -> None:
        super().__init__()
        use_theme(self)
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
        assert "<PEM CN=Demo Client CA sha256 " in shown


def test_a_tall_widget_shows_both_texts_and_copies_the_focused_one(state_path: Path):
    asyncio.run(_tall_widget(state_path))


async def _tall_widget(state_path: Path) -> None:
    app = ExportsHarness(state_path, "orders")
    state = Workspace.open(state_path).state
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        widget = app.query_one(ExportTabs)
        assert widget.stacked and not app.query(TabbedContent)
        texts = app.query(TextArea)
        assert [text.id for text in texts] == ["export-rladmin-text", "export-rest-text"]
        assert all(text.region.height >= 15 for text in texts)
        widget.select("export-rest")
        await pilot.pause()
        await pilot.press("y")
        assert app.clipboard == render_curl(rest_export(state, "orders"), title="database orders")
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.pause()
        assert not widget.stacked and app.query_one(TabbedContent)
        changed = state.copy()
        changed.database("orders").tls.enforce_client_auth = False
        widget.show(changed)
        await pilot.pause()
        rest = app.query_one("#export-rest-text", TextArea).text
        assert '"enforce_client_authentication": "disabled"' in rest


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


# -- the import dialog ----------------------------------------------------------------


def write_cluster_json(folder: Path, state_path: Path) -> tuple[Path, Path]:
    """The fixture state as a cluster would return it from GET /v1/bdbs and GET /v1/cluster."""
    state = Workspace.open(state_path).state
    bdbs = [
        {
            "uid": d.uid,
            "name": d.name,
            "port": d.port,
            "crdt": d.is_active_active,
            "replica_sources": [{"uri": f"redis://{source}"} for source in d.replica_of],
            **database_body(state, d),
        }
        for d in state.databases
    ]
    cluster = {
        "name": "imported.example.com",
        "min_data_TLS_version": "1.3",
        "proxy_certificate": state.certificate_pem("proxy"),
        "syncer_certificate": state.certificate_pem("syncer"),
    }
    (folder / "bdbs.json").write_text(json.dumps(bdbs))
    (folder / "cluster.json").write_text(json.dumps(cluster))
    return folder / "bdbs.json", folder / "cluster.json"


async def fill_and_preview(pilot, bdbs: str, cluster: str = "") -> None:
    await pilot.pause()
    pilot.app.push_screen(ImportRestDialog(Path(bdbs).parent), pilot.app.imported.append)
    await pilot.pause()
    pilot.app.screen.query_one("#import-bdbs", Input).value = bdbs
    pilot.app.screen.query_one("#import-cluster", Input).value = cluster
    pilot.app.screen.query_one("#import-bdbs", Input).focus()
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def with_results(app):
    app.imported = []
    return app


def test_snapshot_import_preview(snap_compare, app, state_path: Path):
    bdbs, cluster = write_cluster_json(state_path.parent, state_path)

    async def preview(pilot) -> None:
        await fill_and_preview(pilot, str(bdbs), str(cluster))

    assert snap_compare(with_results(app), terminal_size=SNAPSHOT_SIZE, run_before=preview)


def test_snapshot_import_bad_file_small_terminal(snap_compare, app, state_path: Path):
    (state_path.parent / "broken.json").write_text("{not json")

    async def preview(pilot) -> None:
        await fill_and_preview(pilot, str(state_path.parent / "broken.json"))

    assert snap_compare(with_results(app), terminal_size=SMALL_SIZE, run_before=preview)


def test_import_creates_a_new_state_and_refuses_to_overwrite(app, state_path: Path):
    asyncio.run(_import_and_refuse(with_results(app), state_path))


async def _import_and_refuse(app, state_path: Path) -> None:
    bdbs, cluster = write_cluster_json(state_path.parent, state_path)
    target = state_path.parent / "imported-tls-wizard.toml"
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        await fill_and_preview(pilot, str(bdbs), str(cluster))
        preview = str(app.screen.query_one("#import-preview", Static).render())
        assert "cluster imported.example.com: minimum data TLS version 1.3" in preview
        assert not target.exists()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.imported) == 1
        workspace = app.imported[0]
        assert workspace.path == target and target.exists()
        assert [d.name for d in workspace.state.databases] == [
            "orders",
            "sessions",
            "inventory",
            "cache",
        ]
        before = target.read_bytes()
        await fill_and_preview(pilot, str(bdbs), str(cluster))
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ImportRestDialog)
        shown = str(app.screen.query_one("#import-preview", Static).render())
        assert "already exists; it was not overwritten" in shown
        assert target.read_bytes() == before
        await pilot.press("escape")
        await pilot.pause()
        assert app.imported[-1] is None


# -- wired into the wizard's Review step and the Databases screen -----------------------


def test_review_step_shows_the_pending_change_in_the_rest_tab(app, state_path: Path):
    asyncio.run(_review_step(app))


async def _review_step(app) -> None:
    from tui.screens.wizard import TlsWizardScreen

    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        await pilot.press("/", *"orders", "enter")
        await pilot.pause()
        wizard = app.screen
        assert isinstance(wizard, TlsWizardScreen)
        wizard.query_one("#client-auth", Switch).value = False
        await pilot.pause()
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        tabs = wizard.query_one(ExportTabs)
        tabs.select("export-rest")
        await pilot.pause()
        shown = wizard.query_one("#export-rest-text", TextArea).text
        assert '"enforce_client_authentication": "disabled"' in shown
        assert "/v1/bdbs/1" in shown and "/v1/bdbs/2" not in shown
        await pilot.press("y")
        assert '"enforce_client_authentication": "disabled"' in app.clipboard
        assert "-----BEGIN CERTIFICATE-----" in app.clipboard


def test_databases_screen_imports_and_opens_the_new_state(app, state_path: Path):
    asyncio.run(_databases_import(with_results(app), state_path))


async def _databases_import(app, state_path: Path) -> None:
    bdbs, cluster = write_cluster_json(state_path.parent, state_path)
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ImportRestDialog)
        dialog.query_one("#import-bdbs", Input).value = str(bdbs)
        dialog.query_one("#import-cluster", Input).value = str(cluster)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.workspace.path == state_path.parent / "imported-tls-wizard.toml"
        assert app.saved_state.cluster.name == "imported.example.com"
        assert not isinstance(app.screen, ImportRestDialog)
