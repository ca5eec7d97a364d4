"""Flows around the wizard: home, new database, history and rollback, first run, palette."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Button, DataTable, Input, SelectionList, Static, Switch
from tui_helpers import paste, settle

from state import store
from state.certificates import read_certificate_file
from state.certificates.reader import read_certificates
from state.demo import PARTICIPANTS
from tui.app import WizardApp
from tui.dialogs.confirm import UnsavedChangesDialog
from tui.screens.databases import DatabasesScreen
from tui.screens.first_run import FirstRunScreen
from tui.screens.history import HistoryScreen
from tui.screens.new_database import NewDatabaseScreen

pytestmark = pytest.mark.anyio
SIZE = (100, 32)


def rows(app: WizardApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(key.value) for key in table.rows]


async def test_home_lists_databases_with_the_rules_verdict_and_filters(
    make_app, state_path: Path
) -> None:
    state = store.load(state_path)
    state.database("orders").tls.authorized_names = []  # empty SAN list: an error
    store.save(state_path, state, base_revision=state.revision, change="test: break orders")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert rows(app) == ["orders", "sessions", "inventory", "cache"]
        table = app.screen.query_one(DataTable)
        assert str(table.get_row("orders")[1]) == "1 error"
        assert str(table.get_row("cache")[1]) == "OK"
        assert "empty-san-list" in str(app.screen.query_one("#database-findings").render())
        await pilot.press("/", *"sess")
        assert rows(app) == ["sessions"]
        assert app.screen.query_one("#filter", Input).value == "sess"
        await pilot.press("escape")
        assert rows(app) == ["orders", "sessions", "inventory", "cache"]
        assert app.focused is table


async def test_letters_in_the_filter_are_text_and_in_the_table_are_actions(app: WizardApp) -> None:
    """ "inventory" holds i, n, v and e, keys of the home screen: in the filter box they are
    only text; Escape leaves the box, and the same letter then is its action."""
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(DataTable)
        filter_box = app.screen.query_one("#filter", Input)
        await pilot.press("/", *"inventory")
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen)
        assert filter_box.value == "inventory" and rows(app) == ["inventory"]
        await pilot.press("down")
        assert app.focused is table and filter_box.value == "inventory", "Down keeps the filter"
        await pilot.press("/", "escape")
        assert app.focused is table and filter_box.value == ""
        assert rows(app) == ["orders", "sessions", "inventory", "cache"]
        await pilot.press("i")
        await settle(pilot)
        assert type(app.screen).__name__ == "InspectorScreen"


async def test_letters_after_the_wizard_are_actions_not_filter_text(app: WizardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("/", *"cache", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "TlsWizardScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen)
        await pilot.press("c")
        await settle(pilot)
        assert type(app.screen).__name__ == "ClusterCertificatesScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "cache"


async def test_question_mark_lists_every_key_of_home(app: WizardApp) -> None:
    """The footer shows the essential keys; `?` shows all of them, hidden ones included."""
    from tui.dialogs.keys import KeysDialog

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, KeysDialog)
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(dialog.keys_table())
        listed = console.export_text()
        for key, description in (
            ("a", "Apply"),
            ("v", "Verify"),
            ("p", "TLS protocols"),
            ("i", "Certificate inspector"),
            ("e", "Client-side encryption"),
            ("h", "History"),
            ("^o", "Import from Redis Enterprise"),
            ("/", "Filter by name"),
            ("esc", "Clear the filter"),
        ):
            assert any(
                line.split()[:1] == [key] and description in line for line in listed.splitlines()
            ), (key, description, listed)
        table = dialog.query_one("#keys-table")
        assert table.region.bottom <= 24 and table.region.right <= 80, "the whole list fits 80x24"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen)


async def test_the_80_column_footer_labels_every_essential_key(app: WizardApp) -> None:
    """Each key the footer shows is whole inside 80 columns, with its label (no cut 'a')."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = {}
        for key in app.screen.query("FooterKey"):
            assert key.region.right <= 80, f"{key.key} is cut at 80 columns"
            shown[key.key] = key.description
        assert shown == {
            "enter": "Open",
            "a": "Apply",
            "v": "Verify",
            "n": "New",
            "c": "Cluster",
            "question_mark": "Keys",
            "q": "Quit",
            "ctrl+p": "palette",
        }


async def test_the_details_follow_the_highlighted_database(make_app) -> None:
    """Beside the table from 120 columns, below it in 80: TLS settings, certificates with
    days left, findings of the highlighted row."""
    for size, layout in (((120, 40), "horizontal"), ((80, 24), "vertical")):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            details = app.screen.query_one("#database-details")
            body = app.screen.query_one("#home-body")
            assert body.styles.layout.name == layout
            text = str(details.query_one("#details-overview").render())
            assert text.startswith("orders")
            await pilot.press("down")
            await settle(pilot)
            assert str(details.query_one("#details-overview").render()).startswith("sessions")
            assert "Replica Of" in str(details.query_one("#details-overview").render())
            certificates = str(details.query_one("#details-certificates").render())
            trusted = app.workspace.state.database("sessions").tls.certificates
            assert trusted and certificates.count("days left") == len(trusted)
            await pilot.press("down", "down")
            await settle(pilot)
            assert "off" in str(details.query_one("#details-tls").render())


async def test_new_database_with_tls_under_advanced_options(
    app: WizardApp, state_path: Path, samples: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, NewDatabaseScreen)
        await pilot.press(*"payments")
        screen.query_one("#tls", Switch).focus()
        await pilot.press("space", "ctrl+t")
        await paste(pilot, (samples / "demo-ca.pem").read_text())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(screen.certificates) == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen)
        assert "payments" in rows(app)

    database = store.load(state_path).database("payments")
    assert database.port == 12004
    assert database.created_with_tls and database.tls.enabled
    assert database.tls.certificates == [read_certificate_file(samples / "demo-ca.pem")[0].sha256]


async def test_new_database_as_a_replica_with_encryption_and_as_a_source_for_a_cluster(
    app: WizardApp, state_path: Path, samples: Path
) -> None:
    """The replica side (encrypted source, the source cluster's proxy certificate pasted
    through the same dialog) and the source side (a cluster hosting a replica, whose
    syncer certificate is then trusted) on the New database form."""
    peer = store.load(state_path.parent / "peers" / f"{PARTICIPANTS[0]}.toml")
    proxy_pem = peer.certificates[peer.cluster.proxy.certificate]
    source = f"redis-12001.{PARTICIPANTS[0]}:12001"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"copy")
        screen = app.screen
        assert isinstance(screen, NewDatabaseScreen)
        screen.query_one("#replica-of", Input).value = source
        screen.query_one("#source-encryption", Switch).value = True
        await pilot.pause()
        screen.query_one("#source-certificate", Button).press()
        await pilot.pause()
        await paste(pilot, proxy_pem)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.source_certificate.sha256 == peer.cluster.proxy.certificate
        clusters = screen.query_one("#replica-clusters", SelectionList)
        clusters.select(PARTICIPANTS[1])
        screen.query_one("#tls", Switch).focus()
        await pilot.press("space", "ctrl+t")
        await paste(pilot, (samples / "demo-ca.pem").read_text())
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen), str(screen.query_one("#problems").render())

    saved = store.load(state_path)
    database = saved.database("copy")
    [replica] = database.replica_sources
    assert (replica.uri, replica.encryption) == (source, True)
    assert replica.server_certificate == peer.cluster.proxy.certificate
    assert database.replica_clusters == [PARTICIPANTS[1]]
    assert saved.participant(PARTICIPANTS[1]).syncer_certificate in database.tls.certificates


async def test_new_database_refuses_a_taken_name_and_port(app: WizardApp, state_path: Path) -> None:
    before = state_path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", *"orders")
        app.screen.query_one("#port", Input).value = "12001"
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NewDatabaseScreen)
        assert "that name is taken" in str(screen.query_one("#name-error").render())
        assert "another database uses that port" in str(screen.query_one("#port-error").render())
        await pilot.press("escape")
        assert isinstance(app.screen, UnsavedChangesDialog), "a filled form asks before leaving"
        await pilot.press("d")  # Discard and leave
        assert isinstance(app.screen, DatabasesScreen)
    assert state_path.read_bytes() == before


async def test_history_rolls_back_to_an_older_revision(app: WizardApp, state_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        assert rows(app) == ["1", "2"]
        current = str(app.screen.query_one("#history-diff-text").render())
        assert "What revision 2 changed from revision 1" in current
        assert "+ port: 12000" in current, "the current revision's own change, field by field"
        await pilot.press("up")
        assert "Rolling back to revision 1" in str(
            app.screen.query_one("#history-diff-text").render()
        )
        await pilot.press("r", "r")  # rollback, then Roll back
        await settle(pilot)
        assert rows(app) == ["1", "2", "3"]
        await pilot.press("escape")
        assert isinstance(app.screen, DatabasesScreen)
        assert rows(app) == []

    saved = store.load(state_path)
    assert saved.revision == 3 and saved.change == "rollback to revision 1"
    assert saved.databases == []


async def test_first_run_creates_a_state_with_cluster_certificates(empty_path: Path) -> None:
    app = WizardApp(empty_path, cursor_blink=False)
    assert app.workspace is None
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, FirstRunScreen)
        await pilot.press(*"cluster9.example.com", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen)

    state = store.load(empty_path)
    assert state.cluster.name == state.cluster.fqdn == "cluster9.example.com"
    assert state.cluster.proxy is not None and state.cluster.syncer is not None
    key = empty_path.parent / state.cluster.proxy.key_file
    assert key.stat().st_mode & 0o777 == 0o600


async def test_first_run_says_what_create_writes_as_it_is_typed(empty_path: Path) -> None:
    """The names the screen says the certificates cover are the ones Create gives them,
    and the key files are where Create puts them."""
    app = WizardApp(empty_path, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"c9", "enter", *"db.example.org")
        await settle(pilot)
        shown = str(app.screen.query_one("#first-run-writes", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen)

    state = store.load(empty_path)
    assert state.cluster.proxy is not None
    proxy = read_certificates(state.certificates[state.cluster.proxy.certificate])[0]
    assert proxy.dns_names
    listed = [line.strip() for line in shown.splitlines() if line.startswith("  ")]
    assert sorted(listed) == sorted(proxy.dns_names)
    assert "cluster c9, FQDN db.example.org" in shown
    folder, _, _ = state.cluster.proxy.key_file.partition("/")
    assert f"{folder}/proxy-" in shown


async def test_the_command_palette_offers_the_home_screen_actions(app: WizardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"history")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)


async def test_the_palette_reaches_apply_and_verify_which_80_columns_cut(app: WizardApp) -> None:
    """At 80x24 the home footer has no room for a/v/ctrl+o: the palette must offer them."""
    async with app.run_test(size=(80, 24)) as pilot:
        for query, name in (("apply to", "ApplyScreen"), ("verify", "VerifyScreen")):
            await pilot.press("ctrl+p", *query)
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert type(app.screen).__name__ == name
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, DatabasesScreen)


async def test_other_screens_open_from_the_home_keys(app: WizardApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        for key, name in (
            ("c", "ClusterCertificatesScreen"),
            ("p", "TlsProtocolsScreen"),
            ("i", "InspectorScreen"),
            ("e", "EncryptionScreen"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert type(app.screen).__name__ == name
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, DatabasesScreen)


def test_a_broken_state_file_is_one_line_and_exit_1(tmp_path: Path, capsys) -> None:
    from tui.app import run_app

    path = tmp_path / "tls-wizard.toml"
    path.write_text("format = 1\nrevision = 'x'\n")
    assert run_app(path) == 1
    err = capsys.readouterr().err
    assert err.startswith("tls-wizard: ") and err.count("\n") == 1
    assert path.read_text() == "format = 1\nrevision = 'x'\n"


async def test_first_run_can_open_the_demo(empty_path: Path) -> None:
    import shutil

    app = WizardApp(empty_path, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen)
        assert rows(app) == ["orders", "sessions", "inventory", "cache"]
        demo_folder = app.workspace.folder
    assert not empty_path.exists(), "the demo lives in its own folder"
    assert demo_folder != empty_path.parent
    shutil.rmtree(demo_folder)


async def test_new_database_shows_its_buttons_and_participants_at_80x24_and_120x40(
    make_app,
) -> None:
    """Create and Cancel stay on screen below the scrolling form; the participating
    clusters list shows one row per participant (a global style once made it an empty box)."""
    for size in ((80, 24), (120, 40)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await pilot.press("n")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, NewDatabaseScreen)
            for button in ("#create", "#cancel"):
                region = screen.query_one(button, Button).region
                assert region.height >= 1 and region.bottom <= size[1] - 1, (size, button)
            participants = screen.query_one("#participants", SelectionList)
            assert participants.option_count == len(app.workspace.state.participants) > 0
            assert participants.content_region.height >= participants.option_count, size


async def test_the_first_run_screen_offers_a_way_to_quit(empty_path: Path) -> None:
    app = WizardApp(empty_path, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        quit_button = app.screen.query_one("#quit", Button)
        assert str(quit_button.label) == "Quit" and quit_button.region.bottom <= 23
        quit_button.press()
        await pilot.pause()
    assert app.return_code == 0
    assert not empty_path.exists(), "quitting the first run writes nothing"


async def test_a_filter_that_matches_nothing_says_so_and_keeps_the_cluster_in_view(
    app: WizardApp,
) -> None:
    """No row to detail: the screen names the filter, how to clear it, and still shows the
    cluster's certificates and databases instead of an empty pane."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("/", *"zzz")
        await settle(pilot)
        screen = app.screen
        assert not screen.query_one("#database-details").display
        message = str(screen.query_one("#no-match").render())
        assert "zzz" in message and "Escape" in message
        summary = screen.query_one("#cluster-summary")
        assert summary.display and summary.region.height > 5
        text = str(summary.query_one("#cluster-summary-text").render())
        assert "proxy certificate" in text and "4 databases" in text
        assert "TLS off: cache" in text, "which databases, not only how many"
        await pilot.press("escape")
        await settle(pilot)
        assert screen.query_one("#database-details").display


async def test_new_database_previews_what_create_would_save(app: WizardApp) -> None:
    """Beside the form from 110 columns: the database as built from the form, the TLS it
    would get and the rules' verdict, redrawn as the form changes; nothing is saved."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", *"payments")
        await settle(pilot)
        screen = app.screen
        preview = screen.query_one("#new-database-preview")
        assert preview.display

        def text() -> str:
            return str(preview.render())

        fqdn = app.workspace.state.cluster.fqdn
        assert "payments" in text() and f"redis-12004.{fqdn}:12004" in text()
        assert "TLS is off" in text()
        screen.query_one("#tls", Switch).focus()
        await pilot.press("space")
        await settle(pilot)
        assert "Require TLS for All Communications" in text()
        assert "client-auth-without-certs" in text(), "the rules judge the would-be database"
        assert app.workspace.state.database("payments") is None
