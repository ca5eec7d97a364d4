"""Small helpers the TUI tests share: pasting like a terminal does, waiting for workers."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot
from textual.widgets import TextArea


async def paste(pilot: Pilot, text: str) -> None:
    """A bracketed paste into the focused text area, as a terminal delivers it."""
    focused = pilot.app.focused
    assert isinstance(focused, TextArea), f"expected a focused TextArea, not {focused!r}"
    focused.post_message(events.Paste(text))
    await pilot.pause()


async def settle(pilot: Pilot) -> None:
    """Wait for workers and the redraws they cause."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
