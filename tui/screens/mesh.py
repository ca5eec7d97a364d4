"""The mesh: this cluster and others checked together, as a cluster-by-cluster matrix.

A row is the cluster that must trust, a column the cluster whose certificate it must
trust: ✓ when every Active-Active database and Replica Of link between them holds the
other's current certificate, ✗ when one does not (the reasons show under the matrix for
the highlighted cell), · when the two share nothing. The other clusters' state files are
typed in (space-separated); `peers/*.toml` beside the state file is offered first. The
check itself is `state.mesh.check_mesh`, the same as `tls-wizard check --mesh`.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Input, Label, Static

from state.errors import StateFileError
from state.mesh import MeshReport, check_mesh, load_states, peer_files
from state.text import visible

from ..text import cell, plain
from .base import AppScreen


class MeshScreen(AppScreen[None]):
    """Every cluster pair's trust, from the state files of all participating clusters."""

    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self.report: MeshReport | None = None

    def compose(self) -> ComposeResult:
        yield Label("Mesh: every participating cluster checked together", classes="screen-title")
        yield Static(
            "The other clusters' state files (space-separated), then Enter. A row must trust "
            "its columns: ✓ trusted · ✗ missing or stale · blank: nothing shared.",
            classes="hint",
        )
        yield Input(placeholder="cluster2.toml cluster3.toml", id="mesh-files")
        yield DataTable(id="mesh-matrix", cursor_type="cell")
        yield Static("", id="mesh-reason")
        yield Footer()

    def on_mount(self) -> None:
        workspace = self.workspace
        found = peer_files(workspace.path)
        field = self.query_one("#mesh-files", Input)
        field.value = " ".join(str(p.relative_to(workspace.path.parent)) for p in found)
        if found:
            self.run_check()
        else:
            field.focus()

    @on(Input.Submitted, "#mesh-files")
    def run_check(self) -> None:
        workspace = self.workspace
        folder = workspace.path.parent
        paths = [
            entry if entry.startswith("/") else str(folder / entry)
            for entry in self.query_one("#mesh-files", Input).value.split()
        ]
        reason = self.query_one("#mesh-reason", Static)
        try:
            others = load_states(paths)
        except StateFileError as error:
            reason.update(plain(f"✗ {error}"))
            return
        self.report = check_mesh([workspace.state, *others])
        self.draw()
        table = self.query_one("#mesh-matrix", DataTable)
        table.focus()
        self.show_reason()

    def draw(self) -> None:
        assert self.report is not None
        report = self.report
        table = self.query_one("#mesh-matrix", DataTable)
        table.clear(columns=True)
        table.add_column("trusts →", key="cluster")
        for peer in report.clusters:
            table.add_column(cell(peer), key=peer)
        for cluster in report.clusters:
            cells: list[Text] = [Text(visible(cluster), style="bold")]
            for peer in report.clusters:
                cells.append(_cell(report, cluster, peer))
            table.add_row(*cells, key=cluster)
        if len(report.clusters) > 1:
            table.move_cursor(row=0, column=2)  # column 1 is the first cluster itself

    @on(DataTable.CellHighlighted, "#mesh-matrix")
    def show_reason(self) -> None:
        if self.report is None:
            return
        table = self.query_one("#mesh-matrix", DataTable)
        row, column = table.cursor_coordinate
        clusters = self.report.clusters
        reason = self.query_one("#mesh-reason", Static)
        if not clusters or column == 0 or row >= len(clusters) or column > len(clusters):
            reason.update("")
            return
        cluster, peer = clusters[row], clusters[column - 1]
        problems = self.report.cell(cluster, peer)
        if cluster == peer:
            lines = [f"{cluster} itself"]
        elif problems:
            lines = [f"✗ {p.kind} {p.database}: {p.problem}" for p in problems]
        elif (cluster, peer) in self.report.pairs:
            lines = [f"✓ {cluster} trusts {peer}'s current certificates"]
        else:
            lines = [f"{cluster} and {peer} share no database in these state files"]
        lines.extend(f"note: {note}" for note in self.report.notes)
        reason.update(Content("\n").join(plain(line) for line in lines))

    def action_back(self) -> None:
        self.dismiss()


def _cell(report: MeshReport, cluster: str, peer: str) -> Text:
    if cluster == peer:
        return Text("—", style="dim")
    if report.cell(cluster, peer):
        return Text("✗", style="bold red")
    if (cluster, peer) in report.pairs:
        return Text("✓", style="green")
    return Text("")
