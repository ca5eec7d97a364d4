"""The cluster certificates screen: replacing the proxy certificate through a CSR and an
import, refusals that leave the state file untouched, copy/export of the syncer
certificate, participants; and snapshots of its main states."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Button, DataTable, Input, TextArea
from tui_helpers import settle

from state import store
from state.certificates import fingerprint
from state.certificates.issue import (
    KeyAndCertificate,
    certificate_authority,
    create_key_and_csr,
    sign_csr,
)
from state.demo import PARTICIPANTS
from tui.app import WizardApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.paste import PasteCertificatesDialog
from tui.screens.cluster import ClusterCertificatesScreen
from tui.screens.csr_form import ReplaceCertificateScreen
from tui.widgets.cluster_dialogs import ExportPathDialog, ParticipantNameDialog

pytestmark = pytest.mark.anyio
SIZE = (100, 32)


async def paste(pilot, text: str) -> None:
    """A bracketed paste as the terminal delivers it: to the app, which forwards it to the
    focused widget (posting it on the widget itself would bubble up and arrive twice)."""
    assert isinstance(pilot.app.focused, TextArea)
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


@pytest.fixture(scope="module")
def test_ca() -> KeyAndCertificate:
    return certificate_authority("Test Issuing CA")


async def open_cluster(pilot) -> ClusterCertificatesScreen:
    await pilot.press("c")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ClusterCertificatesScreen)
    return screen


async def open_replace(pilot) -> ReplaceCertificateScreen:
    await open_cluster(pilot)
    await pilot.press("r")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReplaceCertificateScreen)
    return screen


async def fill_csr_form(pilot) -> None:
    """CN keeps the FQDN it defaults to; the rest is typed field by field with Tab."""
    await pilot.press("tab", *"US", "tab", *"California", "tab", *"San Jose")
    await pilot.press("tab", *"Example Inc", "tab", *"Platform")


async def test_replace_the_proxy_certificate_through_csr_and_import(
    app: WizardApp, state_path: Path, test_ca: KeyAndCertificate
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        replace = await open_replace(pilot)
        assert replace.query_one("#csr-cn", Input).value == "cluster1.example.com"
        await fill_csr_form(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

        # Step 1 wrote a key (0600) and a CSR with the fields typed.
        request = replace.request
        assert request is not None and replace.step == 2
        assert stat.S_IMODE(request.key_path.stat().st_mode) == 0o600
        assert request.key_path.parent.parent == state_path.parent / "requests"
        assert "BEGIN CERTIFICATE REQUEST" in request.csr_path.read_text()
        from cryptography import x509

        csr = x509.load_pem_x509_csr(request.csr_path.read_bytes())
        assert csr.subject.rfc4514_string() == (
            "CN=cluster1.example.com,OU=Platform,O=Example Inc,L=San Jose,ST=California,C=US"
        )

        # The CSR goes to the CA by clipboard (OSC 52 over SSH).
        await pilot.press("ctrl+o")
        assert app.clipboard == request.csr_pem

        # The CA signs it; the signed certificate and the CA are pasted, leaf first.
        signed = sign_csr(test_ca, request.csr_path.read_bytes())
        assert isinstance(app.focused, TextArea)
        await paste(pilot, signed.decode() + test_ca.pem.decode())
        await settle(pilot)
        assert replace.query_one("#import-install", Button).disabled is False, str(
            replace.query_one("#import-status").render()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClusterCertificatesScreen)

    saved = store.load(state_path)
    proxy = saved.cluster.proxy
    assert proxy is not None
    assert proxy.certificate == fingerprint(signed)
    assert proxy.chain == [fingerprint(test_ca.pem)]
    key_file = state_path.parent / proxy.key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes() == request.key_path.read_bytes()
    assert saved.revision == 3


async def _refused_import(app: WizardApp, state_path: Path, chain: str, key_file: str) -> str:
    """Skip to the import step with `key_file`, paste `chain`, press Install; the status."""
    before = state_path.read_bytes()
    keys_before = sorted((state_path.parent / "keys").iterdir())
    async with app.run_test(size=SIZE) as pilot:
        replace = await open_replace(pilot)
        await pilot.click("#csr-skip")
        await pilot.pause()
        replace.query_one("#import-key", Input).value = key_file
        replace.query_one(TextArea).focus()
        await paste(pilot, chain)
        await settle(pilot)
        assert replace.query_one("#import-install", Button).disabled is True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReplaceCertificateScreen), "a refusal stays on the form"
        status = str(replace.query_one("#import-status").render())
        # Said once: under the paste; the notification of the refused Install points there.
        refusal = status.split("Refused:", 1)[1].strip()
        assert refusal and all(refusal not in n.message for n in app._notifications)
    assert state_path.read_bytes() == before, "the state file must be byte-for-byte unchanged"
    assert sorted((state_path.parent / "keys").iterdir()) == keys_before, "no key written"
    return status


async def test_an_import_with_a_key_that_does_not_match_is_refused(
    app: WizardApp, state_path: Path
) -> None:
    # The cluster's own proxy certificate with the syncer's key: a valid chain, wrong key.
    proxy_pem = store.load(state_path).certificate_pem("proxy")
    status = await _refused_import(app, state_path, proxy_pem, "keys/syncer.key")
    assert "Refused: the private key does not belong to CN=cluster1.example.com" in status


async def test_an_import_without_server_auth_is_refused(
    app: WizardApp, state_path: Path, test_ca: KeyAndCertificate, tmp_path: Path
) -> None:
    made = create_key_and_csr("cluster1.example.com")
    client_only = sign_csr(test_ca, made.pem, eku=("clientAuth",))
    key_file = tmp_path / "proxy.key"
    key_file.write_bytes(made.key_pem)
    status = await _refused_import(
        app, state_path, client_only.decode() + test_ca.pem.decode(), str(key_file)
    )
    assert "Refused" in status and "serverAuth" in status


async def test_an_install_over_a_stale_state_offers_a_reload_and_writes_nothing(
    app: WizardApp, state_path: Path, test_ca: KeyAndCertificate
) -> None:
    from tui.dialogs.stale import StaleStateDialog

    async with app.run_test(size=SIZE) as pilot:
        replace = await open_replace(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        request = replace.request
        assert request is not None
        await paste(pilot, sign_csr(test_ca, request.csr_pem.encode()).decode())
        await settle(pilot)
        # Another writer saves meanwhile.
        other = store.load(state_path)
        other.cluster.min_data_tls_version = "1.3"
        store.save(state_path, other, base_revision=other.revision, change="another writer")
        after_other = state_path.read_bytes()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StaleStateDialog)
    assert state_path.read_bytes() == after_other
    saved = store.load(state_path)
    assert saved.cluster.proxy is not None and saved.cluster.proxy.key_file == "keys/proxy.key"


async def test_a_private_key_pasted_into_the_import_is_wiped(
    app: WizardApp, state_path: Path
) -> None:
    before = state_path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        replace = await open_replace(pilot)
        await pilot.click("#csr-skip")
        await pilot.pause()
        replace.query_one(TextArea).focus()
        await paste(pilot, (state_path.parent / "keys" / "proxy.key").read_text())
        await settle(pilot)
        assert replace.query_one(TextArea).text == ""
        assert "wiped" in str(replace.query_one("#import-status").render())
    assert state_path.read_bytes() == before


async def test_the_csr_form_refuses_a_bad_country_and_an_empty_cn(
    app: WizardApp, state_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        replace = await open_replace(pilot)
        replace.query_one("#csr-cn", Input).value = ""
        replace.query_one("#csr-country", Input).value = "USA"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert replace.step == 1
        problems = str(replace.query_one("#csr-problems").render())
        assert "CN:" in problems and "C: two letters" in problems
    assert not (state_path.parent / "requests").exists(), "nothing written for a bad form"


async def test_copy_and_export_the_syncer_certificate(app: WizardApp, state_path: Path) -> None:
    syncer = store.load(state_path).certificate_pem("syncer")
    async with app.run_test(size=SIZE) as pilot:
        await open_cluster(pilot)
        await pilot.press("c")
        assert app.clipboard == syncer
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportPathDialog)
        assert app.screen.query_one(Input).value == "cluster1.example.com-syncer.pem"
        await pilot.press("enter")
        await settle(pilot)
        exported = state_path.parent / "cluster1.example.com-syncer.pem"
        assert exported.read_text() == syncer
        # A second export to the same name is refused, the file untouched.
        exported.write_text("mine")
        await pilot.press("x", "enter")
        await settle(pilot)
        assert exported.read_text() == "mine"


async def test_add_and_remove_a_participant(
    app: WizardApp, state_path: Path, test_ca: KeyAndCertificate
) -> None:
    from state.certificates.issue import self_signed_cluster_certificate

    peer = self_signed_cluster_certificate("cluster4.example.com").pem.decode()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ParticipantNameDialog)
        # This cluster's own name is refused by the validator; the dialog stays.
        await pilot.press(*"cluster1.example.com", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ParticipantNameDialog)
        app.screen.query_one(Input).value = "cluster4.example.com"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PasteCertificatesDialog)
        await paste(pilot, peer)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClusterCertificatesScreen)
        table = screen.query_one("#participants", DataTable)
        assert table.row_count == 3
        assert store.load(state_path).participant("cluster4.example.com") is not None

        # cluster2 is still used by databases: removing it is refused, nothing saved.
        screen.query_one(DataTable).focus()
        table.move_cursor(row=0)
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert store.load(state_path).participant(PARTICIPANTS[0]) is not None

        table.move_cursor(row=2)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("r")  # Remove
        await settle(pilot)
        assert store.load(state_path).participant("cluster4.example.com") is None


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_the_two_cards_are_as_tall_as_each_other(app: WizardApp, size) -> None:
    """The proxy card has a warning the syncer card lacks; the row is as tall as the taller."""
    async with app.run_test(size=size) as pilot:
        screen = await open_cluster(pilot)
        await settle(pilot)
        proxy, syncer = (screen.query_one(f"#card-{role}") for role in ("proxy", "syncer"))
        assert proxy.findings and not [f for f in syncer.findings if f.severity != "info"]
        assert proxy.region.height == syncer.region.height > 4
        assert proxy.region.y == syncer.region.y


async def test_the_highlighted_participant_shows_its_syncer_certificate_and_users(
    app: WizardApp,
) -> None:
    """Below the table: which databases use the highlighted cluster and whether those that
    must trust its syncer certificate do (inventory, Active-Active, trusts both peers';
    sessions replicates from a database on cluster2)."""
    from textual.widgets import Static

    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_cluster(pilot)
        await settle(pilot)
        details = screen.query_one("#participant-details", Static)
        text = str(details.render())
        assert text.startswith(f"Syncer certificate of {PARTICIPANTS[0]}")
        assert "inventory: Active-Active peer; ✓ trusts its syncer certificate" in text
        assert "sessions: a replica of a database there" in text
        screen.query_one("#participants", DataTable).focus()
        await pilot.press("down")
        await pilot.pause()
        text = str(details.render())
        assert (
            text.startswith(f"Syncer certificate of {PARTICIPANTS[1]}") and "sessions" not in text
        )


async def test_the_cluster_version_is_set_on_the_cluster_screen(
    app: WizardApp, state_path: Path
) -> None:
    from tui.widgets.cluster_dialogs import ClusterVersionDialog
    from tui.widgets.cluster_facts import ClusterFacts

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cluster(pilot)
        facts = screen.query_one(ClusterFacts)
        assert "version not known" in str(facts.render())
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ClusterVersionDialog)
        await pilot.press(*"7.22", "enter")  # the validator refuses nothing here: X.Y is fine
        await settle(pilot)
        assert store.load(state_path).cluster.version == "7.22.0"
        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one(Input).value = "latest"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClusterVersionDialog), "a bad version keeps the dialog"
        assert "not a Redis Enterprise version" in str(
            app.screen.query_one("#ask-problem").render()
        )
        app.screen.query_one(Input).value = "7.22.2-14"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClusterCertificatesScreen)
        shown = str(facts.render())
        assert "version 7.22.2" in shown and "7.22.2-14" not in shown
    saved = store.load(state_path)
    assert saved.cluster.version == "7.22.2" and saved.change == "cluster config version 7.22.2-14"


async def test_enter_on_a_card_opens_the_inspector_with_its_chain(
    app: WizardApp, state_path: Path
) -> None:
    from tui.screens.inspector import InspectorScreen

    async with app.run_test(size=SIZE) as pilot:
        await open_cluster(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)
        assert app.screen.inspection is not None
        assert app.screen.inspection.certificates[0].subject_cn == "cluster1.example.com"
        status = str(app.screen.query_one("#inspector-status").render())
        assert "read from the state file (this cluster's proxy certificate)" in status
        assert "paste" not in status
        await pilot.press("escape")
        assert isinstance(app.screen, ClusterCertificatesScreen)


# -- snapshots ----------------------------------------------------------------------------


def test_snapshot_cluster_certificates(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_cluster(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_cluster_certificates_80x24(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_cluster(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_csr_form_filled(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_replace(pilot)
        await fill_csr_form(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_import_refused_for_key_mismatch(
    snap_compare, app: WizardApp, state_path: Path
) -> None:
    proxy_pem = store.load(state_path).certificate_pem("proxy")

    async def run_before(pilot) -> None:
        replace = await open_replace(pilot)
        await pilot.click("#csr-skip")
        await pilot.pause()
        replace.query_one("#import-key", Input).value = "keys/syncer.key"
        replace.query_one(TextArea).focus()
        await paste(pilot, proxy_pem)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
