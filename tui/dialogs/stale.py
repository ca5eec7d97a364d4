"""The state file moved on under us: say so and offer to reload.

Optimistic concurrency refuses a save based on an old revision (another writer saved
meanwhile). Nothing was written; the user chooses to reload the newer file (pending
edits are then re-applied by the screen if it can, or discarded after asking) or to stay.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static

from ..text import escape


class StaleStateDialog(ModalScreen[bool]):
    """`ModalScreen[bool]`: True means reload the state from disk."""

    BINDINGS = [
        Binding("escape", "answer(False)", "Stay"),
        Binding("r", "answer(True)", "Reload"),
    ]

    def __init__(self, file_name: str, base: int | None = None, current: int | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.file_name = file_name
        self.base = base
        self.current = current

    def compose(self) -> ComposeResult:
        moved = (
            f"revision {self.base} -> {self.current}"
            if self.base is not None and self.current is not None
            else "a newer revision"
        )
        with Vertical(classes="dialog"):
            yield Label("The state file changed on disk", classes="dialog-title")
            yield Static(
                f"Another writer saved {escape(self.file_name)} since you opened it "
                f"({moved}).\nNothing was saved. Reload the newer state: your pending edits "
                "are kept, and Update saves them on top of it.",
                classes="dialog-message",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reload", id="reload", variant="primary")
                yield Button("Stay", id="stay")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reload", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "reload")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
