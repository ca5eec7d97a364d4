"""The typed handle every screen of the wizard has on its app.

Textual types `Screen.app` as a plain `App`, so `self.app.workspace` or `self.app.commit`
were untyped calls the type checker could not follow. `AppScreen` narrows `app` to the
`WizardApp` it always runs in and names the open state file `workspace`, so a misspelt
call or a forgotten "no file open" case is a type error instead of a crash.

Dialogs (tui/dialogs, the cluster dialogs) stay plain `ModalScreen`s: they ask one
question and answer it through `dismiss`, never reaching into the app, so any app can
host them (tests do).
"""

from __future__ import annotations

from typing import TypeVar

from textual import getters
from textual.screen import Screen

from state.workspace import Workspace

from ..app import WizardApp

ResultT = TypeVar("ResultT")


class AppScreen(Screen[ResultT]):
    """A screen of the `WizardApp`: `app` is typed, `workspace` is the open state file."""

    app = getters.app(WizardApp)
    """Textual's typed app getter: the running app, checked to be the `WizardApp`."""

    @property
    def workspace(self) -> Workspace:
        """The open state file; every screen but the first-run one runs with one."""
        workspace = self.app.workspace
        if workspace is None:
            raise RuntimeError(f"{type(self).__name__} needs an open state file")
        return workspace
