"""Name the clusters that host a replica of a database (the source side of Replica Of).

A `ModalScreen[list[str]]`: the known clusters (this one and every participant) with the
current choice ticked; OK returns the ticked names, Escape or Cancel returns None. Only
known clusters can be chosen, since their syncer certificate is what the database trusts.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, SelectionList, Static


class ReplicaClustersDialog(ModalScreen[list[str]]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, database: str, known: list[str], chosen: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.database = database
        self.known = known
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Clusters hosting a replica of {self.database}", classes="dialog-title")
            yield Static(
                "This source database must trust the syncer certificate of each one "
                "(space ticks, Enter on OK saves the choice; Update saves the database).",
                classes="dialog-message",
                markup=False,
            )
            yield SelectionList[str](
                *[(name, name, name in self.chosen) for name in self.known],
                id="replica-clusters",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#replica-clusters", SelectionList).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.dismiss(list(self.query_one("#replica-clusters", SelectionList).selected))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
