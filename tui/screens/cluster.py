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
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from state import clock
from state.certificates import CertificateInfo, check, describe_pem
from state.errors import WizardError
from state.export_files import default_export_name, export_cluster_certificate
from state.model import State
from state.rotation import source_participant
from state.rules import needs_syncer_trust, required_syncer_clusters
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
from ..widgets.cluster_facts import ClusterFacts
from ..widgets.findings import findings_markup
from ..widgets.frame import AppFooter, AppHeader
from ..widgets.inspector_details import details_markup
from .base import AppScreen

TALL = 34
"""From this many rows on, the cards show every detail and their findings in full."""


class ClusterCertificatesScreen(AppScreen[None]):
    """The proxy and syncer cards, the participants table and the highlighted one's details."""

    TITLE = "Cluster certificates"

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
        yield AppHeader()
        yield ClusterFacts(self.workspace.state, certificates=False, id="cluster-facts")
        # A grid row is as tall as its taller card, and each card fills its cell: equal heights.
        with Grid(id="cluster-cards"):
            yield ClusterCard("proxy", id="card-proxy")
            yield ClusterCard("syncer", id="card-syncer")
        with Vertical(id="participants-box"):
            yield Static(
                "Participating clusters and their syncer certificates",
                classes="section-title",
                id="participants-title",
            )
            yield DataTable(id="participants", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="participant-details-box"):
                yield Static(id="participant-details")
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one("#participants", DataTable)
        table.add_columns("Cluster", "Syncer certificate", "Expires", "Used by")
        self.refresh_from_state()
        self.query_one("#card-proxy", ClusterCard).focus()

    # -- drawing ----------------------------------------------------------------------

    def refresh_from_state(self) -> None:
        state = self.workspace.state
        self.query_one(ClusterFacts).show(state)
        self.full = self.size.height >= TALL
        for card in self.query(ClusterCard):
            card.show(state, full=self.full)
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
        self.show_participant()

    full = False
    """Whether the cards were last drawn with every detail (the screen is TALL)."""

    def on_resize(self) -> None:
        if (self.size.height >= TALL) != self.full:
            self.refresh_from_state()

    def show_participant(self) -> None:
        """The highlighted participant's syncer certificate, its findings and its users."""
        details = self.query_one("#participant-details", Static)
        name = self.selected_participant()
        state = self.workspace.state
        participant = state.participant(name) if name else None
        if participant is None:
            details.update(
                "No participating cluster yet: [b]a[/] adds one with its syncer certificate "
                "(Replica Of and Active-Active peers must trust each other's)."
            )
            return
        pem = state.certificates.get(participant.syncer_certificate)
        heading = f"Syncer certificate of [b]{escape(participant.name)}[/]"
        if pem is None:
            details.update(f"{heading}\n[$text-error]✗ missing from the state file[/]")
            return
        info = describe_pem(pem)
        findings = check([info], "syncer", now=clock.now())
        details.update(
            "\n".join(
                [
                    f"{heading}  [dim](⏎ inspects)[/]",
                    *participant_uses(state, participant.name),
                    findings_markup(findings, empty="No findings.", show_where=False),
                    details_markup(info, full=self.full),
                ]
            )
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_participant()

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


def participant_uses(state: State, name: str) -> list[str]:
    """How each database uses participant `name`: where its syncer certificate must be
    trusted (rules.required_syncer_clusters) and whether it is; where a Replica Of source is."""
    participant = state.participant(name)
    if participant is None:
        return []
    lines = []
    for database in state.databases:
        sources = [source_participant(state, source.uri) for source in database.replica_sources]
        if name in required_syncer_clusters(state, database):
            how = "Active-Active peer" if database.is_active_active else "hosts a replica of it"
            if participant.syncer_certificate in database.tls.certificates:
                verdict = "[$text-success]✓[/] trusts its syncer certificate"
            elif needs_syncer_trust(database):
                verdict = "[$text-error]✗[/] does not trust its syncer certificate (TLS, step 3)"
            else:
                verdict = "its syncer certificate is needed once client authentication is on"
            lines.append(f"[dim]·[/] {escape(database.name)}: {how}; {verdict}")
        elif name in sources:
            lines.append(
                f"[dim]·[/] {escape(database.name)}: a replica of a database there, verified "
                "with that cluster's proxy certificate"
            )
    if not lines:
        return ["[dim]No database uses this cluster yet.[/]"]
    return ["[b]Used by[/]", *lines]


def _days_text(info: CertificateInfo | None) -> str:
    """DataTable cells take Content markup via Content.from_markup; keep them plain text."""
    if info is None:
        return "-"
    days = info.days_left(clock.now())
    return f"expired {-days}d ago" if days < 0 else f"{info.not_after:%Y-%m-%d} ({days}d)"
