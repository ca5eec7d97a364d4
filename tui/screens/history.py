"""The state file's history: the kept revisions, what each changed, and rollback.

A rollback restores an old revision as a new one (the history only moves forward), with
`state.store.rollback`, the same call as `tls-wizard rollback REV`.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from state import clock, store
from state.errors import StateFileError, WizardError
from state.plan import diff_states, render_diff

from ..messages import StateChanged
from ..text import cells, escape, escape_lines
from .base import AppScreen


class HistoryScreen(AppScreen[None]):
    """Revisions oldest first, the current one last; Enter rolls back to the highlighted one."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "rollback", "Roll back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("History of the state file", classes="screen-title")
        yield Static(
            "The last revisions are kept beside the state (.tls-wizard/history). "
            "Rolling back saves the old revision as a new one; nothing is lost.",
            classes="hint",
        )
        table: DataTable = DataTable(id="history", cursor_type="row", zebra_stripes=True)
        table.add_columns("Revision", "Saved at", "Change")
        yield table
        with VerticalScroll(id="history-diff"):
            yield Static("", id="history-diff-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.fill()
        self.query_one(DataTable).focus()

    @property
    def path(self):
        return self.workspace.path

    def fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        try:
            revisions = store.history(self.path)
        except StateFileError as error:
            self.notify(str(error), severity="error")
            return
        for revision in revisions:
            marker = " (current)" if revision.current else ""
            table.add_row(
                *cells(
                    f"{revision.revision}{marker}",
                    clock.short_time(revision.saved_at),
                    revision.change,
                ),
                key=str(revision.revision),
            )
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)
        self.show_diff()

    def selected(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def show_diff(self) -> None:
        text = self.query_one("#history-diff-text", Static)
        revision = self.selected()
        current = self.app.saved_state
        if revision is None or revision == current.revision:
            text.update(
                "[dim]The current revision. Highlight an older one to see what a "
                "rollback would change.[/]"
            )
            return
        try:
            old = store.load_revision(self.path, revision)
        except StateFileError as error:
            text.update(f"[$text-error]✗[/] {escape(str(error))}")
            return
        text.update(
            f"[b]Rolling back to revision {revision} would change:[/]\n"
            + escape_lines(render_diff(diff_states(current, old)))
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_diff()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_rollback()

    def on_state_changed(self, message: StateChanged) -> None:
        self.fill()

    def action_rollback(self) -> None:
        revision = self.selected()
        current = self.app.saved_state
        if revision is None or revision == current.revision:
            self.notify("That is the current revision; highlight an older one.")
            return
        from ..dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.rollback(revision)

        self.app.push_screen(
            ConfirmDialog(
                f"Roll back to revision {revision}?",
                f"Revision {revision} will be saved as revision {current.revision + 1}. "
                "The current revision stays in the history.",
                confirm_label="Roll back",
            ),
            answered,
        )

    def rollback(self, revision: int) -> None:
        workspace = self.workspace
        try:
            if store.disk_revision(workspace.path) != workspace.state.revision:
                self.app.reload_state()
            workspace.state = store.rollback(workspace.path, revision)
        except WizardError as error:
            self.notify(str(error), title="Not rolled back", severity="error")
            return
        self.notify(f"Rolled back: revision {revision} is now revision {workspace.state.revision}.")
        self.app.broadcast_state_changed()
