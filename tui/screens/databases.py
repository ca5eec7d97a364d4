"""Home: the cluster at a glance and the table of databases, with the rules' verdict on each.

Enter opens the TLS wizard for the highlighted database. In the table every letter is an
action (the footer and the `?` panel name them); `/` moves into the filter box, where
letters are only text, and Escape leaves it (clearing it), Enter or Down keeps it. So a
letter never lands in the filter, and the filter never fires an action, by surprise.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.widgets import DataTable, Input, Static

from state.findings import Finding
from state.model import Database, State
from state.rules import check_state_with_certificates
from state.text import visible

from ..messages import StateChanged
from ..text import plain
from ..widgets.cluster_facts import ClusterFacts
from ..widgets.cluster_summary import ClusterSummary
from ..widgets.database_details import DatabaseDetails
from ..widgets.findings import count_label
from ..widgets.frame import AppFooter, AppHeader
from .base import AppScreen

COLUMNS = ("Database", "Status", "Port", "Type", "TLS", "Auth", "Certs", "Names")
"""Status comes right after the name, so a narrow terminal cuts the least telling columns."""
ROWS_PAGE = 100
"""Rows added to the table at a time (more as the cursor nears the end)."""


def database_row(
    database: Database, findings: list[Finding], colours: dict[str, str]
) -> tuple[str | Text, ...]:
    """One table row; `colours` are the theme's variables (DataTable cells take Rich text)."""
    tls = database.tls
    status, style = count_label(findings)

    def coloured(text: str, variable: str) -> Text:
        return Text(visible(text), style=colours.get(variable, ""))

    return (
        Text(visible(database.name), style="bold"),
        coloured(status, f"text-{style}"),
        str(database.port),
        database.type.short,
        tls.mode.short if tls.enabled else coloured("off", "text-muted"),
        ("yes" if tls.enforce_client_auth else coloured("no", "text-warning"))
        if tls.enabled
        else "-",
        str(len(tls.certificates)),
        tls.subject_validation.short if tls.enabled else "-",
    )


class DatabasesScreen(AppScreen[None]):
    """The home screen: every database of the cluster and what the rules say about it."""

    TITLE = "Databases"

    AUTO_FOCUS = "#databases"
    """The table, not the first focusable widget (the filter): focusing the filter and then
    the table made the Footer compose its keys twice more at start (~60 ms of 320)."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    """From 120 columns the highlighted database's details sit beside the table."""

    DEFAULT_CSS = """
    DatabasesScreen #home-body {
        height: 1fr;
        layout: vertical;
    }
    DatabasesScreen #home-list {
        height: auto;
    }
    DatabasesScreen #databases {
        height: auto;
        max-height: 50vh;
        min-height: 5;
    }
    DatabasesScreen #cluster-summary {
        display: none;
        border-top: solid $primary-muted;
    }
    DatabasesScreen #database-details {
        border-top: solid $primary-muted;
        min-height: 4;
    }
    DatabasesScreen.-wide #home-body {
        layout: horizontal;
    }
    DatabasesScreen.-wide #home-list {
        width: auto;
        max-width: 65%;
        height: 1fr;
    }
    DatabasesScreen.-wide #databases {
        width: auto;
        max-height: 60%;
    }
    DatabasesScreen.-wide #cluster-summary {
        display: block;
        width: 100%;
    }
    DatabasesScreen.-wide #database-details {
        width: 1fr;
        height: 1fr;
        border-top: none;
        border-left: solid $primary-muted;
    }
    DatabasesScreen #no-match {
        display: none;
        padding: 0 1;
        color: $text-warning;
    }
    DatabasesScreen.-nothing-highlighted #home-list {
        height: 1fr;
        width: 1fr;
        max-width: 100%;
    }
    DatabasesScreen.-nothing-highlighted #databases {
        min-height: 1;
    }
    DatabasesScreen.-nothing-highlighted #no-match {
        display: block;
    }
    DatabasesScreen.-nothing-highlighted #cluster-summary {
        display: block;
    }
    DatabasesScreen.-nothing-highlighted #database-details {
        display: none;
    }
    """

    BINDINGS = [
        Binding("enter", "open_selected", "Open", key_display="⏎", priority=True),
        Binding("a", "apply_selected", "Apply"),
        Binding("v", "verify_selected", "Verify"),
        Binding("n", "app.new", "New"),
        Binding("c", "app.open('cluster')", "Cluster"),
        Binding("question_mark", "keys", "Keys", key_display="?"),
        Binding("q", "app.quit", "Quit"),
        Binding("slash", "filter", "Filter by name", key_display="/", show=False),
        Binding("p", "app.open('protocols')", "TLS protocols", show=False),
        Binding("i", "app.open('inspector')", "Certificate inspector", show=False),
        Binding("e", "app.open('encryption')", "Client-side encryption", show=False),
        Binding("h", "app.history", "History", show=False),
        Binding(
            "ctrl+o", "import_rest", "Import from Redis Enterprise", key_display="^o", show=False
        ),
        Binding("escape", "clear_filter", "Clear the filter", show=False),
    ]
    """At 80 columns the footer shows what an operator needs most; every key, shown or not,
    is in the `?` panel, and the screens and actions are in the palette too."""

    def __init__(self) -> None:
        super().__init__()
        self.findings: dict[str, list[Finding]] = {}
        self._drawn_state: State | None = None
        """The state the screen last drew, to redraw only when a new one was saved."""
        self._filled_state: State | None = None
        self._matching: list[str] | None = None
        """The names the table holds, for the filter to skip an unchanged redraw."""
        self._matches: list[Database] = []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield ClusterFacts(self.app.saved_state, id="cluster-facts")
        yield Input(
            placeholder="/ filter by name",
            id="filter",
            select_on_focus=False,
        )
        with Container(id="home-body"):
            with Vertical(id="home-list"):
                table: DataTable = DataTable(id="databases", cursor_type="row", zebra_stripes=True)
                table.add_columns(*COLUMNS)
                yield table
                yield Static("", id="no-match")
                yield ClusterSummary(id="cluster-summary")
            yield DatabaseDetails(id="database-details")
        yield AppFooter()

    def on_mount(self) -> None:
        self.refresh_from_state()
        self.query_one(DataTable).focus()

    @property
    def saved_state(self) -> State:
        return self.app.saved_state

    # -- drawing ------------------------------------------------------------------------

    def refresh_from_state(self, keep: str | None = None) -> None:
        state = self.saved_state
        self._drawn_state = state
        self.query_one(ClusterFacts).show(state)
        every_finding = check_state_with_certificates(state)
        self.findings = {database.name: [] for database in state.databases}
        for finding in every_finding:
            if finding.database_name in self.findings:
                self.findings[finding.database_name].append(finding)
        self.query_one(ClusterSummary).show(state, every_finding)
        self.fill_table(keep or self.selected_name())

    def fill_table(self, keep: str | None = None) -> None:
        """The rows matching the filter. The cursor stays on `keep`; without it, on the
        highlighted database when that is among the first page of matches (keeping one
        farther down would mean adding every row above it on each keystroke)."""
        table = self.query_one(DataTable)
        text = self.query_one("#filter", Input).value.strip().lower()
        matches = [d for d in self.saved_state.databases if not text or text in d.name.lower()]
        names = [d.name for d in matches]
        if keep is None:
            current = self.selected_name()
            keep = current if current in names[:ROWS_PAGE] else None
        if names == self._matching and self.saved_state is self._filled_state:
            self.show_details()  # same rows as shown: nothing to redraw
            return
        self._matching, self._matches, self._filled_state = names, matches, self.saved_state
        table.clear()
        position = names.index(keep) if keep in names else 0
        self.add_rows(position + ROWS_PAGE)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self.show_details()

    def add_rows(self, upto: int) -> None:
        """Show the matching rows up to `upto`. Rows are added a page at a time, as the
        cursor nears the end, so a filter keystroke over 5,000 databases adds one page
        (DataTable measures every cell it is given), not all of them."""
        table = self.query_one(DataTable)
        for database in self._matches[table.row_count : upto]:
            table.add_row(
                *database_row(
                    database, self.findings.get(database.name, []), self.app.theme_variables
                ),
                key=database.name,
            )

    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # an empty or just-cleared table has no cell under the cursor
            return None
        return str(key.value) if key.value is not None else None

    def show_details(self) -> None:
        name = self.selected_name()
        database = self.saved_state.database(name) if name else None
        self.set_class(database is None, "-nothing-highlighted")
        if database is None:
            self.query_one("#no-match", Static).update(plain(self.nothing_shown()))
            return
        self.query_one(DatabaseDetails).show(
            self.saved_state, database, self.findings.get(database.name, [])
        )

    def nothing_shown(self) -> str:
        """Why no row is highlighted, and what to do about it."""
        text = self.query_one("#filter", Input).value.strip()
        if text:
            return f"No database name contains “{text}”. Escape clears the filter; / edits it."
        return "No databases yet: press n to create one."

    # -- events -------------------------------------------------------------------------

    def on_state_changed(self, message: StateChanged) -> None:
        self.refresh_from_state()

    def on_screen_resume(self) -> None:
        # A screen pushed on top may have saved; redraw from the workspace when it holds a
        # new state (each save or reload makes one). The first resume, right after
        # on_mount, has nothing new: redrawing 5,000 rows twice doubled the start-up.
        if self.is_mounted and self._drawn_state is not self.saved_state:
            self.refresh_from_state()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one(DataTable)
        if event.cursor_row >= table.row_count - ROWS_PAGE // 4:
            self.add_rows(table.row_count + ROWS_PAGE)
        self.show_details()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_selected()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.fill_table()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.query_one(DataTable).focus()

    def on_key(self, event) -> None:
        """Down from the filter box goes to the table, as Enter does."""
        if event.key == "down" and self.focused is self.query_one("#filter", Input):
            self.query_one(DataTable).focus()
            event.stop()

    # -- actions ------------------------------------------------------------------------

    def action_open_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            self.notify("No database selected: press n to create one.", severity="warning")
            return
        # Coming back, the table has the focus again, so the screen's keys work at once.
        self.query_one(DataTable).focus()
        self.app.action_wizard(name)

    def action_import_rest(self) -> None:
        """Import a Redis Enterprise cluster's REST JSON into a new state, then open it."""
        from .import_rest import ImportRestDialog

        def imported(workspace) -> None:
            if workspace is not None:
                self.app.open_workspace(workspace)
                self.app.notify(f"Imported into {workspace.path}.", title="Imported")

        folder = self.workspace.folder
        self.app.push_screen(ImportRestDialog(folder), imported)

    def action_filter(self) -> None:
        """Focus the filter with its text selected, so typing replaces the last filter."""
        filter_box = self.query_one("#filter", Input)
        filter_box.focus()
        filter_box.select_all()

    def action_clear_filter(self) -> None:
        """Escape: leave the filter box and show every database again."""
        filter_box = self.query_one("#filter", Input)
        if filter_box.value:
            filter_box.value = ""
        self.query_one(DataTable).focus()

    def action_keys(self) -> None:
        """`?`: the panel listing every key of this screen."""
        from ..dialogs.keys import KeysDialog

        moving = Binding("up,down", "", "Move between databases", key_display="↑ ↓")
        bindings = [b for b in self.BINDINGS if isinstance(b, Binding)]  # all are, typed as such
        self.app.push_screen(KeysDialog("Keys of the databases screen", [moving, *bindings]))

    def action_apply_selected(self) -> None:
        """Apply to server: the highlighted database's saved TLS settings, to a redis-server."""
        from .apply import ApplyScreen

        name = self.selected_name()
        if name is None:
            self.notify("No database selected.", severity="warning")
            return
        self.app.push_screen(ApplyScreen(name))

    def action_verify_selected(self) -> None:
        """Verify: live handshakes against the server that serves the highlighted database."""
        from .apply import VerifyScreen

        name = self.selected_name()
        if name is None:
            self.notify("No database selected.", severity="warning")
            return
        self.app.push_screen(VerifyScreen(name))
