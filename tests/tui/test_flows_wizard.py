"""Whole flows through the TLS wizard, driven by keys, checked in the state file afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Switch, TextArea
from tui_helpers import paste, settle

from state import store
from state.certificates import read_certificate_file
from state.demo import PARTICIPANTS
from state.transitions import create_database
from tui.app import WizardApp
from tui.dialogs.confirm import UnsavedChangesDialog
from tui.dialogs.paste import PasteCertificatesDialog
from tui.dialogs.replica_clusters import ReplicaClustersDialog
from tui.dialogs.stale import StaleStateDialog
from tui.screens.databases import DatabasesScreen
from tui.screens.wizard import TlsWizardScreen

pytestmark = pytest.mark.anyio
SIZE = (100, 32)


async def open_wizard(pilot, name: str) -> TlsWizardScreen:
    """Type the database's name into the filter and press Enter, as a user would."""
    await pilot.press("/", *name, "enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, TlsWizardScreen)
    assert screen.database_name == name
    return screen


async def test_tls_with_client_auth_two_pasted_certificates_and_a_san_list(
    app: WizardApp, state_path: Path, samples: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "cache")
        # Enable: TLS on; client authentication is on by default.
        assert app.focused is wizard.query_one("#tls-enabled", Switch)
        await pilot.press("space")
        assert wizard.query_one("#client-auth", Switch).value is True
        # Mode: the default, all communications.
        await pilot.press("ctrl+n", "ctrl+n")
        # Certificates: two pastes, one certificate each.
        for sample in ("app1.pem", "app2.pem"):
            await pilot.press("a")
            assert isinstance(app.screen, PasteCertificatesDialog)
            await paste(pilot, (samples / sample).read_text())
            await pilot.press("ctrl+s")
            await pilot.pause()
        assert isinstance(app.screen, TlsWizardScreen)
        assert len(wizard.form.certificates) == 2
        # Subject names: SAN validation with two leaves trusted would never happen
        # (the cluster skips it), so Update refuses it; without it the leaves are enough.
        await pilot.press("ctrl+n")
        await pilot.press("space")
        names = wizard.query_one("#names-input", Input)
        names.focus()
        await pilot.press(*"app1.example.com, app2.example.com")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "leaf-skips-subject-checks" in str(wizard.query_one("#review-findings").render())
        assert wizard.query_one("#update").disabled
        await pilot.press("ctrl+b")
        wizard.query_one("#san-enforced", Switch).focus()
        await pilot.press("space")
        # Review, then Update.
        await pilot.press("ctrl+n", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DatabasesScreen)

    saved = store.load(state_path)
    tls = saved.database("cache").tls
    expected = [read_certificate_file(samples / f)[0].sha256 for f in ("app1.pem", "app2.pem")]
    assert tls.enabled and tls.mode == "all" and tls.enforce_client_auth
    assert tls.certificates == expected
    assert tls.subject_validation == "none"
    assert saved.revision == 3
    assert saved.change.startswith("db tls cache: enable TLS")


async def test_a_replica_of_source_needs_the_syncer_certificate_of_each_replica_cluster(
    make_app, state_path: Path
) -> None:
    """The documented direction: the SOURCE trusts the syncer certificate of the cluster
    hosting its replica (a replica never needs its source cluster's syncer)."""
    state = store.load(state_path)
    state = create_database(state, "primary", 12010, replica_clusters=[PARTICIPANTS[1]])
    store.save(state_path, state, base_revision=state.revision, change="test: add source")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "primary")
        await pilot.press("space")  # TLS on
        await pilot.press("ctrl+n")
        await pilot.press("down", "enter")  # Require TLS for Replica Of Only
        assert wizard.form.mode == "replica-of"
        await pilot.press("ctrl+n")
        assert wizard.form.syncer_checklist(app.saved_state) == [(PARTICIPANTS[1], True, False)]
        # Update is refused while the source's syncer certificate is missing.
        await pilot.press("ctrl+s")
        assert "missing-syncer-cert" in str(wizard.query_one("#review-findings").render())
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, TlsWizardScreen)
        await pilot.press("ctrl+b", "ctrl+b", "s")
        assert wizard.form.syncer_checklist(app.saved_state) == [(PARTICIPANTS[1], True, True)]
        await pilot.press("ctrl+s", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DatabasesScreen)

    saved = store.load(state_path)
    database = saved.database("primary")
    syncer = saved.participant(PARTICIPANTS[1]).syncer_certificate
    assert database.tls.enabled and database.tls.mode == "replica-of"
    assert database.tls.certificates == [syncer]


def set_cluster_version(state_path: Path, version: str) -> None:
    """The fixture state at `version` (as `cluster config version` would save it)."""
    from state.transitions import set_cluster_version
    from state.workspace import Workspace

    workspace = Workspace.open(state_path)
    workspace.update(lambda s: set_cluster_version(s, version), f"version {version}")


async def test_active_active_tls_switch_is_locked_before_7_8_but_the_rest_changes(
    make_app, state_path: Path
) -> None:
    set_cluster_version(state_path, "7.4.2")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "inventory")
        switch = wizard.query_one("#tls-enabled", Switch)
        assert switch.disabled and switch.value is True
        locked = str(wizard.query_one("#tls-locked").render())
        assert "Redis Enterprise 7.4.2 cannot enable or disable TLS" in locked
        await pilot.click("#tls-enabled")
        assert wizard.form.enabled is True
        # The rest stays editable: turn client authentication off and save.
        wizard.query_one("#client-auth", Switch).focus()
        await pilot.press("space")
        await pilot.press("ctrl+s", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DatabasesScreen)

    database = store.load(state_path).database("inventory")
    assert database.tls.enabled and database.created_with_tls
    assert database.tls.enforce_client_auth is False


async def test_active_active_tls_turns_off_from_7_8_with_the_crdb_cli_command_on_review(
    make_app, state_path: Path
) -> None:
    set_cluster_version(state_path, "7.8.2")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "inventory")
        switch = wizard.query_one("#tls-enabled", Switch)
        assert not switch.disabled
        assert "crdb-cli crdb update --encryption" in str(
            wizard.query_one("#tls-aa-toggle").render()
        )
        await pilot.press("space")
        await pilot.pause()
        assert wizard.form.enabled is False
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n")
        await settle(pilot)
        rest = wizard.query_one("#export-rest TextArea", TextArea).text
        assert "# crdb-cli crdb update --crdb-guid <GUID> --encryption false" in rest
        rladmin = wizard.query_one("#export-rladmin TextArea", TextArea).text
        assert "crdb-cli crdb update --crdb-guid <GUID> --encryption false" in rladmin
        await pilot.press("ctrl+s")
        await settle(pilot)
    database = store.load(state_path).database("inventory")
    assert database.tls.enabled is False and database.created_with_tls is True


async def test_a_pasted_private_key_is_refused_and_wiped(
    app: WizardApp, state_path: Path, samples: Path
) -> None:
    before = state_path.read_bytes()
    key = (samples / "app1.key").read_text()
    async with app.run_test(size=SIZE) as pilot:
        await open_wizard(pilot, "orders")
        await pilot.press("ctrl+n", "ctrl+n", "a")
        dialog = app.screen
        assert isinstance(dialog, PasteCertificatesDialog)
        await paste(pilot, (samples / "app2.pem").read_text() + key)
        text_area = dialog.query_one(TextArea)
        assert text_area.text == ""
        assert not text_area.history.undo_stack, "the key must not come back with undo"
        assert dialog.certificates == []
        assert dialog.query_one("#save").disabled
        assert "PRIVATE KEY" not in str(dialog.query_one("#paste-certificates").render())
        await pilot.press("ctrl+s")
        assert app.screen is dialog
        await pilot.press("escape")
        assert isinstance(app.screen, TlsWizardScreen)
        assert len(app.screen.form.certificates) == 1
    assert state_path.read_bytes() == before


async def test_a_stale_save_offers_a_reload_and_keeps_the_edits(
    app: WizardApp, state_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "orders")
        wizard.query_one("#client-auth", Switch).focus()
        await pilot.press("space")
        # Another writer saves meanwhile (the CLI, a colleague).
        other = store.load(state_path)
        other.cluster.min_data_tls_version = "1.3"
        store.save(state_path, other, base_revision=other.revision, change="other writer")
        await pilot.press("ctrl+s", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StaleStateDialog)
        assert store.load(state_path).revision == 3, "nothing was written"
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is wizard
        assert app.saved_state.revision == 3
        assert wizard.form.enforce_client_auth is False, "the pending edit survived the reload"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DatabasesScreen)

    saved = store.load(state_path)
    assert saved.revision == 4
    assert saved.cluster.min_data_tls_version == "1.3", "the other writer's change is kept"
    assert saved.database("orders").tls.enforce_client_auth is False


async def test_leaving_with_pending_edits_asks_first(app: WizardApp, state_path: Path) -> None:
    before = state_path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "orders")
        await pilot.press("escape")
        assert isinstance(app.screen, DatabasesScreen), "no edits: leaves at once"
        wizard = await open_wizard(pilot, "orders")
        wizard.query_one("#client-auth", Switch).focus()
        await pilot.press("space", "escape")
        assert isinstance(app.screen, UnsavedChangesDialog)
        await pilot.press("escape")
        assert app.screen is wizard and wizard.form.enforce_client_auth is False
        await pilot.press("escape", "d")
        assert isinstance(app.screen, DatabasesScreen)
    assert state_path.read_bytes() == before


async def test_errors_block_update(app: WizardApp, state_path: Path) -> None:
    before = state_path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "cache")
        await pilot.press("space", "ctrl+s")
        findings = str(wizard.query_one("#review-findings").render())
        assert "client-auth-without-certs" in findings
        assert wizard.query_one("#update").disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is wizard
    assert state_path.read_bytes() == before


async def test_a_file_path_is_read_and_a_card_removed_and_inspected(
    app: WizardApp, state_path: Path, samples: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "cache")
        await pilot.press("space", "ctrl+n", "ctrl+n")
        for sample in ("app2.pem", "demo-ca.pem"):
            await pilot.press("a")
            dialog = app.screen
            await pilot.press(*str(samples / sample))
            await settle(pilot)
            assert len(dialog.certificates) == 1
            await pilot.press("ctrl+s")
            await pilot.pause()
        assert len(wizard.form.certificates) == 2
        # On the first card: Enter inspects it, x removes it.
        from tui.widgets.certificate_card import CertificateCard

        wizard.query(CertificateCard).first().focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "InspectorScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is wizard
        removed = wizard.form.certificates[0]
        await pilot.press("x")
        await pilot.pause()
        assert removed not in wizard.form.certificates and len(wizard.form.certificates) == 1
        await pilot.press("ctrl+s", "ctrl+s")
        await pilot.pause()

    tls = store.load(state_path).database("cache").tls
    assert removed == read_certificate_file(samples / "app2.pem")[0].sha256
    assert tls.certificates == [read_certificate_file(samples / "demo-ca.pem")[0].sha256]


async def test_a_trusted_leaf_stops_the_subject_checks_on_the_names_table_and_at_review(
    app: WizardApp, state_path: Path, samples: Path
) -> None:
    """orders checks SAN names against clients of its CA; pasting a leaf would make the
    cluster skip every check: the table says so, and Update is blocked."""
    before = state_path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "orders")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
        table = wizard.query_one("#names-table")
        verdicts = [str(table.get_row(key)[2]) for key in table.rows]
        assert verdicts == ["CA: its clients are checked by their own names"]
        names = wizard.query_one("#names-input", Input)
        names.focus()
        await pilot.press("end", *", 10.0.0.7, *.apps.example.com")
        await pilot.pause()
        problems = str(wizard.query_one("#names-problems").render())
        assert "'10.0.0.7' is an IP address" in problems
        assert "'*.apps.example.com' is a wildcard" in problems
        await pilot.press("ctrl+b")
        await pilot.press("a")
        await paste(pilot, (samples / "app2.pem").read_text())
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        verdicts = [str(table.get_row(key)[2]) for key in table.rows]
        assert all(v.startswith("not checked: a leaf is trusted") for v in verdicts)
        assert "a leaf certificate is trusted" in str(wizard.query_one("#names-problems").render())
        await pilot.press("ctrl+n")
        await settle(pilot)
        findings = str(wizard.query_one("#review-findings").render())
        assert "leaf-skips-subject-checks" in findings
        assert wizard.query_one("#update").disabled
    assert state_path.read_bytes() == before


async def test_full_subject_validation_lists_subjects(app: WizardApp, state_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "orders")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
        wizard.query_one("#full-subject", Switch).focus()
        await pilot.press("space")
        names = wizard.query_one("#names-input", Input)
        names.focus()
        await pilot.press(*"CN=app1.example.com,O=Example")
        table = wizard.query_one("#names-table")
        verdicts = [str(table.get_row(key)[2]) for key in table.rows]
        assert verdicts == ["CA: its clients are checked by their own names"]
        await pilot.press("ctrl+s", "ctrl+s")
        await pilot.pause()

    tls = store.load(state_path).database("orders").tls
    assert tls.subject_validation == "full-subject"
    assert tls.authorized_subjects == [{"CN": "app1.example.com", "O": "Example"}]


async def test_a_client_certificate_without_its_ca_is_named_for_the_redis_target(
    app: WizardApp, samples: Path
) -> None:
    """Pasted alone, app1 works on Redis Enterprise but not on a redis-server: the paste
    dialog and the Names step say so; once the CA is there too, neither does."""
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "cache")
        await pilot.press("space", "ctrl+n", "ctrl+n", "a")
        dialog = app.screen
        await paste(pilot, (samples / "app1.pem").read_text())
        assert [f.code for f in dialog.findings] == ["leaf-without-ca"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+n")
        table = wizard.query_one("#names-table")
        verdicts = [str(table.get_row(key)[2]) for key in table.rows]
        assert verdicts == ["yes (no check); a redis-server also needs its CA"]
        await pilot.press("ctrl+b", "a")
        dialog = app.screen
        await paste(pilot, (samples / "demo-ca.pem").read_text())
        assert "leaf-without-ca" not in [f.code for f in dialog.findings]
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+n")
        verdicts = [str(table.get_row(key)[2]) for key in table.rows]
        assert not any("redis-server" in v for v in verdicts)
        await pilot.press("escape")
        await pilot.pause()


async def test_the_source_side_names_a_replica_cluster_and_adds_its_syncer(
    app: WizardApp, state_path: Path
) -> None:
    """Certificates step, `r`: tick the cluster hosting a replica; its syncer certificate
    then shows as missing in the checklist and `s` adds it, as the page says."""
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "orders")
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReplicaClustersDialog)
        await pilot.press("down", "down", "space", "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TlsWizardScreen)
        assert wizard.form.replica_clusters == [PARTICIPANTS[1]]
        assert wizard.form.syncer_checklist(app.saved_state) == [(PARTICIPANTS[1], True, False)]
        await pilot.press("ctrl+s")  # to Review: refused while the syncer is missing
        assert "missing-syncer-cert" in str(wizard.query_one("#review-findings").render())
        await pilot.press("ctrl+b", "ctrl+b", "s", "ctrl+s")
        await pilot.pause()
        # The syncer certificate is a leaf: with it trusted the cluster skips orders' SAN
        # check, so Update is refused until subject validation is off.
        assert "leaf-skips-subject-checks" in str(wizard.query_one("#review-findings").render())
        await pilot.press("ctrl+b")
        wizard.query_one("#san-enforced", Switch).focus()
        await pilot.press("space", "ctrl+s", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DatabasesScreen)
    saved = store.load(state_path)
    orders = saved.database("orders")
    assert orders.tls.subject_validation == "none"
    assert orders.replica_clusters == [PARTICIPANTS[1]]
    assert saved.participant(PARTICIPANTS[1]).syncer_certificate in orders.tls.certificates


async def test_the_replica_side_encrypts_its_source_and_pastes_the_source_proxy_certificate(
    app: WizardApp, state_path: Path
) -> None:
    """Certificates step of a replica: `e` turns encryption on (refused at Review without
    the source's proxy certificate), `p` pastes it through the same paste dialog."""
    peer = store.load(state_path.parent / "peers" / f"{PARTICIPANTS[0]}.toml")
    proxy_pem = peer.certificates[peer.cluster.proxy.certificate]
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_wizard(pilot, "sessions")
        await pilot.press("ctrl+n", "ctrl+n")
        uri = wizard.form.sources[0].uri
        assert wizard.form.source_checklist(app.saved_state) == [(uri, False, None)]
        await pilot.press("e")
        assert wizard.form.source_checklist(app.saved_state) == [(uri, True, None)]
        await pilot.press("ctrl+s")
        assert "replica-source-without-cert" in str(wizard.query_one("#review-findings").render())
        await pilot.press("ctrl+b", "ctrl+b", "p")
        await pilot.pause()
        assert isinstance(app.screen, PasteCertificatesDialog)
        await paste(pilot, proxy_pem)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (
            wizard.form.source_checklist(app.saved_state)[0].certificate_label
            == f"CN={PARTICIPANTS[0]}"
        )
        await pilot.press("ctrl+s", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DatabasesScreen)
    source = store.load(state_path).database("sessions").replica_sources[0]
    assert source.encryption and source.server_certificate == peer.cluster.proxy.certificate
