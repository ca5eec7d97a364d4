"""The `?` panel: every key of a screen, the ones the footer has no room for included.

At 80 columns a footer shows only the essential keys; this dialog lists all of the
screen's own bindings in their order (the table's cursor keys are left out: they are the
same everywhere), so nothing is reachable only by knowing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Static

from .base import Dialog, DialogButton

FIXED_ROWS = 6
"""Rows that are not the list: the frame's two lines, the button row's three, the footer."""


class KeysDialog(Dialog[None]):
    """A table of key and what it does; Close, Escape, `?` or q closes it."""

    DEFAULT_CSS = """
    KeysDialog #keys-table {
        width: auto;
        height: auto;
        overflow-y: auto;
        margin: 0 0 1 0;
    }
    """

    BINDINGS = [
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, title: str, bindings: Iterable[Binding]) -> None:
        super().__init__(title)
        self.bindings = [b for b in bindings if b.description]

    def dialog_buttons(self) -> Sequence[DialogButton]:
        return (DialogButton("close", "Close", "escape", "close", "primary"),)

    def compose_body(self) -> ComposeResult:
        yield Static(self.keys_table(), id="keys-table")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_resize(self, event: events.Resize) -> None:
        # The list scrolls when the terminal is shorter than it: the frame, the button
        # row and the footer keep their rows.
        self.query_one("#keys-table").styles.max_height = max(3, event.size.height - FIXED_ROWS)

    def keys_table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold")
        table.add_column()
        for binding in self.bindings:
            table.add_row(Text(self.app.get_key_display(binding)), Text(binding.description))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
