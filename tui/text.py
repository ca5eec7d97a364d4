"""Untrusted text on the screens is shown, never interpreted.

Textual and Rich read strings as markup almost everywhere (Static, Label, Tree labels,
DataTable cells, notifications), so a database or certificate named
``[bold red]x[/] [link=https://e.com]y[/link]`` would be styled and linked, and ``crash[/]``
would raise. Names, subjects, SANs, issuers, reasons and error messages come from
certificates, state files and clusters, so every screen builds them through this module:

- `escape(value)`: for a value placed inside the screen's own markup. Every ``[`` is
  escaped (Textual's own `escape` leaves ``[$variable]`` and upper-case tags alone) and
  control characters are made visible by `state.text.visible`.
- `plain(value)`: a value as a whole widget's content or a table cell, as a `Content`
  that is never parsed.

Two guards stand behind them for code that forgets: `install_guards()` (called when the
app starts) makes DataTable read string cells as plain text, and `WizardApp.notify` shows
every notification without markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.content import Content

from state.text import visible

_BACKSLASHES_BEFORE_MARKUP = re.compile(r"\\+(?=\[|$)")


def escape(value: object) -> str:
    """`value` for use inside markup: shown as it is, control characters made visible.

    Every ``[`` becomes ``\\[``. Textual's and Rich's parsers disagree about backslashes in
    front of a bracket (and one at the end would escape the tag that follows the value),
    so those are shown as ``\\x5c``, the way `visible` shows other bytes.
    """
    text = _BACKSLASHES_BEFORE_MARKUP.sub(lambda m: "\\x5c" * len(m.group()), visible(value))
    return text.replace("[", "\\[")


def escape_lines(text: str) -> str:
    """Several lines the tool built around untrusted values (a diff, a preview): each line
    escaped as `escape` does, the line breaks kept."""
    return "\n".join(escape(line) for line in text.split("\n"))


def plain(value: object) -> Content:
    """`value` as content that is never parsed as markup, control characters visible."""
    return Content(visible(value))


def cell(value: object) -> Text:
    """`value` as a DataTable cell: Rich text (what DataTable measures and renders), never
    parsed as markup, control characters visible."""
    return Text(visible(value), end="")


def cells(*values: Any) -> tuple[Any, ...]:
    """A table row: strings become `cell`s; Text and other renderables stay as built."""
    return tuple(cell(v) if isinstance(v, str) else v for v in values)


def install_guards() -> None:
    """DataTable string cells as plain text, whatever screen adds them.

    DataTable formats every cell through one module-level function that reads strings as
    Rich markup; wrapping it makes a string cell from any screen, including ones added
    later that forget `cells`, plain text with control characters visible.
    """
    from textual.widgets import _data_table

    original = _data_table.default_cell_formatter
    if not isinstance(original, _PlainCells):
        _data_table.default_cell_formatter = _PlainCells(original)


class _PlainCells:
    """DataTable's cell formatter with strings as plain text (installed once)."""

    def __init__(self, original: Callable[..., Any]) -> None:
        self.original = original

    def __call__(self, obj: object, wrap: bool = True, height: int = 0) -> Any:
        if isinstance(obj, str):
            return Text(visible(obj), no_wrap=not wrap, end="")
        return self.original(obj, wrap, height)
