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
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from state.errors import StateFileError
from state.mesh import MeshReport, check_mesh, load_states, peer_files
from state.model import State
from state.text import visible

from ..text import cell, escape, plain
from ..widgets.frame import AppFooter, AppHeader
from ..widgets.hanging import HangingStatic
from .base import AppScreen

WHAT_A_PAIR_NEEDS = (
    "Active-Active: each participating cluster's database trusts every other "
    "participant's current syncer certificate.",
    "Replica Of: the replica holds its source cluster's current proxy certificate when the "
    "link is encrypted, and a source that requires TLS for Replica Of trusts the replica "
    "cluster's syncer certificate.",
)
"""What ✓ means, as state/mesh.py checks it (the documentation's requirements)."""


def problems_markup(report: MeshReport) -> list[str]:
    """Every failing pair with what is wrong and what to paste where."""
    if not report.problems:
        return ["[$text-success]✓[/] every pair trusts the other's current certificates"]
    lines = []
    for problem in report.problems:
        lines.append(
            f"[$text-error]✗[/] [b]{escape(problem.cluster)} → {escape(problem.peer)}[/] "
            f"[dim]{escape(problem.kind)} {escape(problem.database)}[/]"
        )
        lines.append(f"  {escape(problem.problem)}")
    return lines


def links_markup(report: MeshReport) -> list[str]:
    """Every link that relates two clusters, marked by whether a problem was found on it."""
    if not report.links:
        return ["These clusters share no Active-Active database and no Replica Of link."]
    lines = []
    for link in report.links:
        mark = "[$text-error]✗[/]" if report.broken(link) else "[$text-success]✓[/]"
        arrow = "→" if link.kind == "active-active" else "↔"  # a replica link: both sides
        lines.append(
            f"{mark} {escape(link.cluster)} {arrow} {escape(link.peer)}  "
            f"[dim]{escape(link.kind)}[/] {escape(link.database)}"
        )
    return lines


def clusters_markup(states: list[State]) -> list[str]:
    """Each cluster checked, with the certificates the others must hold, and under it
    its databases' TLS settings (what a failing link's database has today)."""
    lines = []
    for state in states:
        cluster = state.cluster
        proxy = cluster.proxy.certificate[:12] if cluster.proxy else "none"
        syncer = cluster.syncer.certificate[:12] if cluster.syncer else "none"
        lines.append(
            f"[b]{escape(cluster.name)}[/]  [dim]proxy[/] {escape(proxy)}  "
            f"[dim]syncer[/] {escape(syncer)}  [dim]databases[/] {len(state.databases)}"
        )
        for database in state.databases:
            tls = database.tls
            setting = (
                f"{escape(tls.mode.label)}, trusts {len(tls.certificates)} certificate(s)"
                if tls.enabled
                else "TLS off"
            )
            lines.append(
                f"  {escape(database.name)}  [dim]{escape(database.type.label)}[/]  {setting}"
            )
    return lines


class MeshScreen(AppScreen[None]):
    """Every cluster pair's trust, from the state files of all participating clusters."""

    BINDINGS = [Binding("escape", "back", "Back")]

    DEFAULT_CSS = """
    MeshScreen #mesh-details {
        height: 1fr;
        margin: 0 1;
        border-top: solid $primary-muted;
    }
    MeshScreen #mesh-details > Static {
        height: auto;
        max-width: 120;  /* the reasons are sentences: no 190-column lines */
    }
    """

    TITLE = "Mesh: every participating cluster checked together"

    def __init__(self) -> None:
        super().__init__()
        self.report: MeshReport | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(
            "The other clusters' state files (space-separated), then Enter. A row must trust "
            "its columns: ✓ trusted · ✗ missing or stale · blank: nothing shared.",
            classes="hint",
        )
        yield Input(placeholder="cluster2.toml cluster3.toml", id="mesh-files")
        yield DataTable(id="mesh-matrix", cursor_type="cell")
        with VerticalScroll(id="mesh-details"):
            yield HangingStatic("", id="mesh-reason")
            yield HangingStatic("", id="mesh-overview")
        yield AppFooter()

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
        states = [workspace.state, *others]
        self.report = check_mesh(states)
        self.draw()
        self.query_one("#mesh-overview", Static).update(self.overview(states))
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
        colours = self.app.theme_variables
        for cluster in report.clusters:
            cells: list[Text] = [Text(visible(cluster), style="bold")]
            for peer in report.clusters:
                cells.append(_cell(report, cluster, peer, colours))
            table.add_row(*cells, key=cluster)
        if len(report.clusters) > 1:
            table.move_cursor(row=0, column=2)  # column 1 is the first cluster itself

    def overview(self, states: list[State]) -> str:
        """Under the highlighted cell: every failing pair, what a pair needs, the clusters."""
        assert self.report is not None
        return "\n".join(
            [
                "[b $text-primary]Every failing pair[/]",
                *problems_markup(self.report),
                "[b $text-primary]Links checked[/]",
                *links_markup(self.report),
                "[b $text-primary]What a ✓ needs[/]",
                *(f"· {line}" for line in WHAT_A_PAIR_NEEDS),
                "[b $text-primary]Clusters checked[/]",
                *clusters_markup(states),
            ]
        )

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


def _cell(report: MeshReport, cluster: str, peer: str, colours: dict[str, str]) -> Text:
    """One mark; `colours` are the theme's variables (a DataTable cell takes Rich text, and
    Rich's own red is 3.6:1 on the table's rows)."""
    if cluster == peer:
        return Text("—", style="dim")
    if report.cell(cluster, peer):
        return Text("✗", style=f"bold {colours['text-error']}")
    if (cluster, peer) in report.pairs:
        return Text("✓", style=colours["text-success"])
    return Text("")
