"""The state file moved on under us: say so and offer to reload.

Optimistic concurrency refuses a save based on an old revision (another writer saved
meanwhile). Nothing was written; the user chooses to reload the newer file (pending
edits are then re-applied by the screen if it can, or discarded after asking) or to stay.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.widgets import Button, Static

from ..text import escape
from .base import Dialog, DialogButton


class StaleStateDialog(Dialog[bool]):
    """`Dialog[bool]`: True means reload the state from disk."""

    def __init__(self, file_name: str, base: int | None = None, current: int | None = None) -> None:
        super().__init__("The state file changed on disk")
        self.file_name = file_name
        self.base = base
        self.current = current

    def dialog_buttons(self) -> Sequence[DialogButton]:
        return (
            DialogButton("reload", "Reload", "r", "answer(True)", "primary"),
            DialogButton("stay", "Stay", "escape", "answer(False)"),
        )

    def compose_body(self) -> ComposeResult:
        moved = (
            f"revision {self.base} -> {self.current}"
            if self.base is not None and self.current is not None
            else "a newer revision"
        )
        yield Static(
            f"Another writer saved {escape(self.file_name)} since you opened it "
            f"({moved}).\nNothing was saved. Reload the newer state: your pending edits "
            "are kept, and Update saves them on top of it.",
            classes="dialog-message",
        )

    def on_mount(self) -> None:
        self.query_one("#reload", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
