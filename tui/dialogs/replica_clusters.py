"""Name the clusters that host a replica of a database (the source side of Replica Of).

A `Dialog[list[str]]`: the known clusters (this one and every participant) with the
current choice ticked; "Use these clusters" returns the ticked names, Escape or Cancel
returns None. Only known clusters can be chosen, since their syncer certificate is what
the database trusts.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.widgets import SelectionList, Static

from ..text import plain
from .base import Dialog, DialogButton


class ReplicaClustersDialog(Dialog[list[str]]):
    def __init__(self, database: str, known: list[str], chosen: list[str]) -> None:
        super().__init__(f"Clusters hosting a replica of {database}")
        self.database = database
        self.known = known
        self.chosen = chosen

    def dialog_buttons(self) -> Sequence[DialogButton]:
        return (
            DialogButton("use", "Use these clusters", "ctrl+s", "use", "primary"),
            DialogButton("cancel", "Cancel", "escape", "cancel"),
        )

    def compose_body(self) -> ComposeResult:
        yield Static(
            "This source database must trust the syncer certificate of each one "
            "(space ticks a cluster; Update saves the database).",
            classes="dialog-message",
            markup=False,
        )
        yield SelectionList[str](
            *[(plain(name), name, name in self.chosen) for name in self.known],
            id="replica-clusters",
        )

    def on_mount(self) -> None:
        self.query_one("#replica-clusters", SelectionList).focus()

    def action_use(self) -> None:
        self.dismiss(list(self.query_one("#replica-clusters", SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)
