"""A TextArea for pasted PEM whose Ctrl+Z cannot crash the app."""

from __future__ import annotations

from textual.widgets import TextArea


class PasteArea(TextArea):
    """A TextArea whose Ctrl+Z after a multi-line paste cannot crash the app (Textual
    issue #6686): undo shortens the document before it restores the cursor, and the
    cursor's screen offset is recomputed in between, from a line that no longer exists.
    Clamping that location into the document keeps the offset valid; the selection
    itself is untouched and restored by undo right after."""

    def _recompute_cursor_offset(self) -> None:
        location = self.clamp_visitable(self.cursor_location)
        self._cursor_offset = self.wrapped_document.location_to_offset(location)
