"""The `?` panel: every key of a screen, the ones the footer has no room for included.

At 80 columns a footer shows only the essential keys; this dialog lists all of the
screen's own bindings in their order (the table's cursor keys are left out: they are the
same everywhere), so nothing is reachable only by knowing it.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static


class KeysDialog(ModalScreen[None]):
    """A table of key and what it does; Escape, `?` or q closes it."""

    DEFAULT_CSS = """
    KeysDialog .keys-dialog {
        width: auto;
        min-width: 40;
    }
    KeysDialog #keys-table {
        width: auto;
        height: auto;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, title: str, bindings: Iterable[Binding]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.bindings = [b for b in bindings if b.description]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog keys-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.keys_table(), id="keys-table")
        yield Footer(compact=True)

    def keys_table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold")
        table.add_column()
        for binding in self.bindings:
            table.add_row(Text(self.app.get_key_display(binding)), Text(binding.description))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
