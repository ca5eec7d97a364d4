"""The state file's history: the kept revisions, what each changed, and rollback.

A rollback restores an old revision as a new one (the history only moves forward), with
`state.store.rollback`, the same call as `tls-wizard rollback REV`.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from state import clock, store
from state.errors import StateFileError, WizardError
from state.model import State
from state.plan import diff_states, render_diff

from ..messages import StateChanged
from ..text import cell, escape, escape_lines
from ..widgets.frame import AppFooter, AppHeader
from ..widgets.hanging import HangingStatic
from .base import AppScreen

REVISION_WIDTH = len("99 (current)")
SAVED_AT_WIDTH = len("2026-11-30 14:05")
CHANGE_MIN_WIDTH = 20
"""The Change column takes the rest of the width and wraps (never cut), down to this."""


class HistoryScreen(AppScreen[None]):
    """Revisions oldest first, the current one last; Enter rolls back to the highlighted one.

    Under the list, the highlighted revision in full: its whole change line, what it changed
    from the revision before, and (for an older one) what a rollback to it would change."""

    DEFAULT_CSS = """
    HistoryScreen #history {
        height: auto;
        max-height: 50%;
    }
    HistoryScreen #history-diff {
        height: 1fr;
        border-top: solid $primary-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "rollback", "Roll back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.revisions: list[store.Revision] = []
        self._change_width = CHANGE_MIN_WIDTH

    TITLE = "History of the state file"

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(
            "The last revisions are kept beside the state (.tls-wizard/history). "
            "Rolling back saves the old revision as a new one; nothing is lost.",
            classes="hint",
        )
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="history-diff"):
            yield HangingStatic("", id="history-diff-text")
        yield AppFooter()

    def on_mount(self) -> None:
        self._change_width = self.change_width(self.app.size.width)
        self.fill()
        self.query_one(DataTable).focus()

    @staticmethod
    def change_width(screen_width: int) -> int:
        """What the Change column gets of `screen_width`: all but the other two columns,
        the cells' padding and the scroll bar."""
        return max(CHANGE_MIN_WIDTH, screen_width - REVISION_WIDTH - SAVED_AT_WIDTH - 6 - 2)

    def on_resize(self, event: events.Resize) -> None:
        width = self.change_width(event.size.width)
        if width != self._change_width:
            self._change_width = width
            self.fill(keep=self.selected())

    @property
    def path(self):
        return self.workspace.path

    def fill(self, keep: int | None = None) -> None:
        """The revisions, each change wrapped in its column; the cursor on `keep` or on the
        current revision."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Revision", width=REVISION_WIDTH)
        table.add_column("Saved at", width=SAVED_AT_WIDTH)
        table.add_column("Change", width=self._change_width)
        try:
            revisions = store.history(self.path)
        except StateFileError as error:
            self.notify(str(error), severity="error")
            return
        self.revisions = revisions
        for revision in revisions:
            marker = " (current)" if revision.current else ""
            table.add_row(
                cell(f"{revision.revision}{marker}"),
                cell(clock.short_time(revision.saved_at)),
                cell(revision.change),
                key=str(revision.revision),
                height=None,
            )
        if table.row_count:
            keys = [str(r.revision) for r in revisions]
            row = keys.index(str(keep)) if str(keep) in keys else table.row_count - 1
            table.move_cursor(row=row)
        self.show_diff()

    def selected(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def show_diff(self) -> None:
        """The highlighted revision: when and what, what it changed from the one before,
        and for an older revision what a rollback to it would change."""
        text = self.query_one("#history-diff-text", Static)
        number = self.selected()
        revisions = {r.revision: r for r in self.revisions}
        revision = revisions.get(number) if number is not None else None
        if revision is None:
            text.update("")
            return
        current = self.app.saved_state
        marker = " (current)" if revision.current else ""
        lines = [
            f"[b]Revision {revision.revision}{marker}[/], saved "
            f"{escape(clock.short_time(revision.saved_at))}",
            escape(revision.change),
            "",
        ]
        try:
            shown = (
                current if revision.current else store.load_revision(self.path, revision.revision)
            )
            if not revision.current:
                lines += [
                    f"[b]Rolling back to revision {revision.revision} would change:[/]",
                    escape_lines(render_diff(diff_states(current, shown))),
                    "",
                ]
            lines += self.changed_from_previous(shown, revisions)
        except StateFileError as error:
            lines.append(f"[$text-error]✗[/] {escape(str(error))}")
        text.update("\n".join(lines))

    def changed_from_previous(
        self, shown: State, revisions: dict[int, store.Revision]
    ) -> list[str]:
        """What `shown` changed from the revision before it, when that one is kept."""
        previous = shown.revision - 1
        if previous not in revisions:
            return [
                f"[dim]Revision {previous} is no longer kept: what this one changed is unknown.[/]"
            ]
        before = store.load_revision(self.path, previous)
        return [
            f"[b]What revision {shown.revision} changed from revision {previous}:[/]",
            escape_lines(render_diff(diff_states(before, shown))),
        ]

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
