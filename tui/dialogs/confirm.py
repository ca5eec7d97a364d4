"""Yes/no questions: confirm an action, or leave with unsaved edits.

Both are `ModalScreen[bool]`: True means go ahead. Escape always means the safe answer
(no), so a stray key never discards work.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    """Ask before something that cannot be undone from this screen."""

    BINDINGS = [
        Binding("escape", "answer(False)", "Cancel"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(
        self,
        title: str,
        message: str,
        *,
        confirm_label: str = "OK",
        cancel_label: str = "Cancel",
        danger: bool = False,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    self.confirm_label,
                    id="confirm",
                    variant="error" if self.danger else "primary",
                )
                yield Button(self.cancel_label, id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        # The safe answer has the focus, so Enter on arrival never does the dangerous thing.
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class UnsavedChangesDialog(ConfirmDialog):
    """Leaving a form with pending edits: nothing is discarded without saying so."""

    def __init__(self, what: str = "your edits") -> None:
        super().__init__(
            "Unsaved changes",
            f"You have pending changes ({what}) that are not saved.\n"
            "Discard them and leave, or stay and review them (Update saves).",
            confirm_label="Discard and leave",
            cancel_label="Keep editing",
            danger=True,
        )
