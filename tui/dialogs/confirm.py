"""Yes/no questions: confirm an action, or leave with unsaved edits.

Both are `Dialog[bool]`: True means go ahead. The buttons name the action ("Roll back",
"Discard and leave"), and so do their keys: the action's first letter, and Escape for the
safe answer, which also has the focus, so a stray key or Enter never discards work.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.widgets import Button, Static

from ..text import escape
from .base import Dialog, DialogButton


class ConfirmDialog(Dialog[bool]):
    """Ask before something that cannot be undone from this screen."""

    def __init__(
        self,
        title: str,
        message: str,
        *,
        confirm_label: str,
        cancel_label: str = "Cancel",
        confirm_key: str | None = None,
        danger: bool = False,
    ) -> None:
        super().__init__(title)
        self.message = message
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label
        self.confirm_key = confirm_key or confirm_label[0].lower()
        self.danger = danger

    def dialog_buttons(self) -> Sequence[DialogButton]:
        return (
            DialogButton(
                "confirm",
                self.confirm_label,
                self.confirm_key,
                "answer(True)",
                "error" if self.danger else "primary",
            ),
            DialogButton("cancel", self.cancel_label, "escape", "answer(False)"),
        )

    def compose_body(self) -> ComposeResult:
        yield Static(self.message, classes="dialog-message")

    def on_mount(self) -> None:
        # The safe answer has the focus, so Enter on arrival never does the dangerous thing.
        self.query_one("#cancel", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class UnsavedChangesDialog(ConfirmDialog):
    """Leaving a form with pending edits: nothing is discarded without saying so."""

    def __init__(self, what: str = "your edits") -> None:
        super().__init__(
            "Unsaved changes",
            f"You have pending changes ({escape(what)}) that are not saved.\n"
            "Discard them and leave, or stay and review them (Update saves).",
            confirm_label="Discard and leave",
            cancel_label="Keep editing",
            danger=True,
        )
