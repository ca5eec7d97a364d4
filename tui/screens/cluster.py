"""Cluster certificates: the proxy and syncer certificates, and the other clusters.

Each certificate is a card with the inspector's details and findings. Replace walks the
documented "own certificate" flow (key and CSR, then the signed certificate) on its own
screen; the syncer certificate, which every peer cluster must trust, can be copied (OSC 52
works over SSH) or exported to a file. Participants are added with their syncer
certificate and removed when no database uses them. Every change goes through the core's
operations and `app.commit`.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Label, Static

from state import clock
from state.certificates import CertificateInfo, describe_pem
from state.errors import WizardError
from state.export_files import default_export_name, export_cluster_certificate
from state.text import visible
from state.transitions import add_participant, remove_participant, set_cluster_version

from ..messages import StateChanged
from ..text import cells, escape
from ..widgets.cluster_card import ClusterCard
from ..widgets.cluster_dialogs import (
    ClusterVersionDialog,
    ExportPathDialog,
    ParticipantNameDialog,
)
from .base import AppScreen


class ClusterCertificatesScreen(AppScreen[None]):
    """The proxy and syncer cards and the participants table."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("r", "replace", "Replace"),
        Binding("c", "copy_syncer", "Copy"),
        Binding("x", "export_syncer", "Export"),
        Binding("a", "add_participant", "Add"),
        Binding("d", "remove_participant", "Remove"),
        Binding("v", "version", "Version"),
        Binding("enter", "inspect", "Inspect", key_display="⏎"),
        Binding("m", "mesh", "Mesh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(id="cluster-title", classes="screen-title")
        with Horizontal(id="cluster-cards"):
            yield ClusterCard("proxy", id="card-proxy")
            yield ClusterCard("syncer", id="card-syncer")
        with Vertical(id="participants-box"):
            yield Static(
                "Participating clusters and their syncer certificates",
                classes="section-title",
                id="participants-title",
            )
            yield DataTable(id="participants", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#participants", DataTable)
        table.add_columns("Cluster", "Syncer certificate", "Expires", "Used by")
        self.refresh_from_state()
        self.query_one("#card-proxy", ClusterCard).focus()

    # -- drawing ----------------------------------------------------------------------

    def refresh_from_state(self) -> None:
        state = self.workspace.state
        version = state.cluster.version or "not known (v)"
        self.query_one("#cluster-title", Label).update(
            f"Cluster certificates: {escape(state.cluster.name)}   version {escape(version)}   "
            f"FQDN {escape(state.cluster.fqdn)}   minimum TLS {state.cluster.min_data_tls_version}"
        )
        for card in self.query(ClusterCard):
            card.show(state)
        table = self.query_one("#participants", DataTable)
        keep = table.cursor_row
        table.clear()
        for participant in state.participants:
            pem = state.certificates.get(participant.syncer_certificate)
            info = describe_pem(pem) if pem else None
            users = [
                d.name
                for d in state.databases
                if participant.name in d.participants or participant.name in d.replica_clusters
            ]
            users += [
                d.name
                for d in state.databases
                if participant.syncer_certificate in d.tls.certificates and d.name not in users
            ]
            table.add_row(
                *cells(
                    participant.name,
                    info.label if info else "missing",
                    _days_text(info),
                    ", ".join(users) or "-",
                ),
                key=participant.name,
            )
        if state.participants:
            table.move_cursor(row=min(keep, len(state.participants) - 1))

    def on_state_changed(self, message: StateChanged) -> None:
        self.refresh_from_state()

    def on_screen_resume(self) -> None:
        self.refresh_from_state()

    # -- which thing the keyboard is on ----------------------------------------------

    def focused_role(self) -> str:
        focused = self.focused
        return focused.role if isinstance(focused, ClusterCard) else "proxy"

    def selected_participant(self) -> str | None:
        table = self.query_one("#participants", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    # -- actions ----------------------------------------------------------------------

    def action_mesh(self) -> None:
        """Every participating cluster checked together (`tls-wizard check --mesh`)."""
        from .mesh import MeshScreen

        self.app.push_screen(MeshScreen())

    def action_replace(self) -> None:
        from .csr_form import ReplaceCertificateScreen

        self.app.push_screen(ReplaceCertificateScreen(self.focused_role()))

    def action_inspect(self) -> None:
        from .inspector import InspectorScreen

        state = self.workspace.state
        focused = self.focused
        if isinstance(focused, DataTable):
            name = self.selected_participant()
            participant = state.participant(name) if name else None
            if participant is None:
                return
            pem = state.certificates.get(participant.syncer_certificate, "")
            source = f"the state file (syncer certificate of {visible(participant.name)})"
        else:
            try:
                pem = state.certificate_pem(self.focused_role())
            except WizardError as error:
                self.notify(str(error), severity="error")
                return
            source = f"the state file (this cluster's {self.focused_role()} certificate)"
        self.app.push_screen(InspectorScreen(text=pem, source=source))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_inspect()

    def action_copy_syncer(self) -> None:
        try:
            pem = self.workspace.state.certificate_pem("syncer")
        except WizardError as error:
            self.notify(str(error), severity="error")
            return
        self.app.copy_to_clipboard(pem)
        self.notify(
            "The syncer certificate (PEM) is on the clipboard: paste it into each "
            "participating cluster.",
            title="Copied",
        )

    def action_export_syncer(self) -> None:
        state = self.workspace.state
        default = default_export_name(state, "syncer")

        def chosen(path: str | None) -> None:
            if path:
                self.export(self.workspace.resolve(path), path)

        self.app.push_screen(ExportPathDialog("Export the syncer certificate", default), chosen)

    @work(thread=True, exclusive=True, group="cluster-export")
    def export(self, target: Path, shown: str) -> None:
        try:
            export_cluster_certificate(self.workspace.state, "syncer", target)
        except WizardError as error:
            self.app.call_from_thread(
                self.notify, str(error), title="Not exported", severity="error", timeout=10
            )
            return
        self.app.call_from_thread(
            self.notify, f"Syncer certificate written to {shown}", title="Exported"
        )

    def action_add_participant(self) -> None:
        from ..dialogs.paste import PasteCertificatesDialog

        state = self.workspace.state
        taken = [state.cluster.name, *(p.name for p in state.participants)]

        def named(name: str | None) -> None:
            if not name:
                return

            def pasted(certificates: list[CertificateInfo] | None) -> None:
                if certificates:
                    self.add(name, certificates)

            self.app.push_screen(
                PasteCertificatesDialog(f"Syncer certificate of {name}", context="syncer"),
                pasted,
            )

        self.app.push_screen(ParticipantNameDialog(taken), named)

    def action_version(self) -> None:
        def answered(version: str | None) -> None:
            if version is None:
                return
            try:
                new_state = set_cluster_version(self.workspace.state, version)
            except WizardError as error:
                self.notify(str(error), title="Not set", severity="error", timeout=10)
                return
            self.app.commit(new_state, f"cluster config version {version or '(not known)'}")

        self.app.push_screen(ClusterVersionDialog(self.workspace.state.cluster.version), answered)

    def add(self, name: str, certificates: list[CertificateInfo]) -> None:
        try:
            new_state = add_participant(self.workspace.state, name, certificates)
        except WizardError as error:
            self.notify(str(error), title="Not added", severity="error", timeout=10)
            return
        self.app.commit(new_state, f"cluster participant add {name}")

    def action_remove_participant(self) -> None:
        from ..dialogs.confirm import ConfirmDialog

        name = self.selected_participant()
        if name is None:
            self.notify("There is no participating cluster to remove.", severity="warning")
            return
        try:
            new_state = remove_participant(self.workspace.state, name)
        except WizardError as error:
            self.notify(str(error), title="Not removed", severity="error", timeout=10)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.commit(new_state, f"cluster participant remove {name}")

        self.app.push_screen(
            ConfirmDialog(
                "Remove participating cluster",
                f"Remove {escape(name)} and its syncer certificate from this cluster?",
                confirm_label="Remove",
                danger=True,
            ),
            answered,
        )

    def action_back(self) -> None:
        self.app.pop_screen()


def _days_text(info: CertificateInfo | None) -> str:
    """DataTable cells take Content markup via Content.from_markup; keep them plain text."""
    if info is None:
        return "-"
    days = info.days_left(clock.now())
    return f"expired {-days}d ago" if days < 0 else f"{info.not_after:%Y-%m-%d} ({days}d)"
