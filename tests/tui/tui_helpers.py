"""Small helpers the TUI tests share: pasting like a terminal does, waiting for workers."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import TextArea

DEMO_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
"""The committed demo state (made once with state.demo.build_demo) every TUI test copies."""


async def paste(pilot: Pilot, text: str) -> None:
    """A bracketed paste into the focused text area, as a terminal delivers it."""
    focused = pilot.app.focused
    assert isinstance(focused, TextArea), f"expected a focused TextArea, not {focused!r}"
    # As the driver delivers it: to the app, which forwards it to the focused widget.
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def settle(pilot: Pilot) -> None:
    """Wait for workers and the redraws they cause."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
