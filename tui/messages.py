"""Messages the app sends its screens.

Textual messages bubble up, not down, so the app posts `StateChanged` to every screen on
the stack after a save, a reload or a rollback; a screen that shows the state handles
`on_state_changed` and redraws from `self.app.workspace`.
"""

from __future__ import annotations

from textual.message import Message


class StateChanged(Message):
    """The workspace's state is new (saved, reloaded or rolled back); redraw from it."""

    def __init__(self, revision: int) -> None:
        super().__init__()
        self.revision = revision
