"""The one frame every dialog shares: a thin titled border sized to the content, one row
of buttons, and a footer whose keys say what the buttons say.

A dialog lists its buttons as `DialogButton`s. Each one runs one action, from the button
and from its key alike, and the key is bound with the button's own label as its footer
description ("d Discard and leave", "esc Keep editing"), so the footer and the buttons
never disagree. Exactly one button stands out (variant primary, or error when the action
destroys something): the one the dialog is for. Escape is the button that changes
nothing. The footer is every screen's `AppFooter`, the "^p palette" hint included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button
from textual.widgets.button import ButtonVariant

from ..text import plain
from ..widgets.frame import AppFooter

DialogResult = TypeVar("DialogResult")

EMPHASIS: tuple[ButtonVariant, ...] = ("primary", "error")
"""The variants of the one button a dialog is for; every other button is "default"."""


@dataclass(frozen=True, slots=True)
class DialogButton:
    """One button and the key that presses it: both run `action` on the dialog."""

    id: str
    label: str
    key: str
    action: str
    variant: ButtonVariant = "default"
    disabled: bool = False


class Dialog(ModalScreen[DialogResult]):
    """A modal question in the app's one dialog frame.

    Subclasses give `dialog_buttons()` and compose their content in `compose_body()`;
    the frame, the button row, the key bindings and the footer come from here.
    """

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        background: $background 60%;
    }
    Dialog > .dialog {
        width: auto;
        min-width: 44;
        max-width: 76;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    Dialog .dialog-message {
        width: auto;
        max-width: 100%;
        height: auto;
        padding: 0 0 1 0;
    }
    Dialog .dialog-buttons {
        width: 100%;
        height: auto;
        align-horizontal: right;
    }
    Dialog .dialog-buttons Button {
        margin-left: 1;
    }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="dialog-screen")
        self.dialog_title = title
        self._buttons: dict[str, DialogButton] = {}

    def dialog_buttons(self) -> Sequence[DialogButton]:
        """The buttons, left to right; the last is usually the one that changes nothing."""
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        """What the dialog shows above its buttons."""
        yield from ()

    def compose(self) -> ComposeResult:
        buttons = list(self.dialog_buttons())
        self._bind(buttons)
        with Vertical(classes="dialog") as frame:
            frame.border_title = plain(self.dialog_title)
            # The title sits in the frame, so the frame is at least as wide as the title.
            frame.styles.min_width = max(44, min(len(self.dialog_title) + 8, 76))
            yield from self.compose_body()
            with Horizontal(classes="dialog-buttons"):
                for button in buttons:
                    yield Button(
                        button.label,
                        id=button.id,
                        variant=button.variant,
                        disabled=button.disabled,
                        compact=True,
                    )
        yield AppFooter()

    def _bind(self, buttons: Sequence[DialogButton]) -> None:
        self._buttons = {button.id: button for button in buttons}
        for button in buttons:
            self._bindings.bind(button.key, button.action, button.label)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button runs the same action as its key."""
        button = self._buttons.get(event.button.id or "")
        if button is None:
            return
        event.stop()
        await self.run_action(button.action)
