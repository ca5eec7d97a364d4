"""Two checks of a rendered screen, read from the SVG Textual exports (and the snapshots hold):

- fit: no more than a third of the rows between the header row and the footer row are
  empty. A row is empty when it shows no character but spaces, frame lines and scroll
  bars, so an empty bordered box counts as the empty space it is;
- contrast: every run of text has at least 4.5:1 contrast (WCAG 2 relative luminance)
  against the background it is drawn on. Frame lines and scroll bars are not text.

The SVG is Rich's `export_svg`: one `<rect fill=...>` per background span and one `<text>`
per styled run, each positioned in cells of 12.2 x 24.4 pixels; a run's colour is the
`fill` of its CSS class (Rich has already blended dim text into its background there).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

CELL_WIDTH = 12.2
LINE_HEIGHT = 24.4
LINE_TOP = 1.5
MINIMUM_CONTRAST = 4.5
"""WCAG 2 level AA for normal text."""

_CLASS_RULE = re.compile(r"\.(terminal-[\w-]*r\d+)\s*\{\s*fill:\s*(#[0-9a-fA-F]{6})")
_RECT = re.compile(
    r'<rect fill="(#[0-9a-fA-F]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
    r'height="[\d.]+" shape-rendering="crispEdges"/>'
)
_TEXT = re.compile(
    r'<text class="(terminal-[\w-]*r\d+)" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#terminal-[\w-]*line-(\d+)\)">([^<]*)</text>'
)
_LINE = re.compile(r"terminal-[\w-]*line-(\d+)")


def is_frame(character: str) -> bool:
    """Box drawing, block elements (scroll bars, half-block borders) and spaces: not text."""
    return character.isspace() or 0x2500 <= ord(character) <= 0x259F or character == "\u00a0"


@dataclass(frozen=True, slots=True)
class Run:
    """One run of text as drawn: where it starts, what it says, its colours."""

    row: int
    column: int
    text: str
    color: str
    background: str

    @property
    def is_text(self) -> bool:
        return any(not is_frame(character) for character in self.text)

    @property
    def contrast(self) -> float:
        return contrast_ratio(self.color, self.background)


@dataclass(frozen=True, slots=True)
class Rendering:
    """The text runs of one screenshot and its height in rows."""

    runs: tuple[Run, ...]
    height: int

    def row_text(self, row: int) -> str:
        cells: dict[int, str] = {}
        for run in self.runs:
            if run.row == row:
                for offset, character in enumerate(run.text):
                    cells[run.column + offset] = character
        width = max(cells, default=-1) + 1
        return "".join(cells.get(column, " ") for column in range(width))

    def text(self) -> str:
        return "\n".join(self.row_text(row) for row in range(self.height))

    def empty_rows(self) -> list[int]:
        """The rows between the first (header) and the last (footer) that show no text."""
        written = {run.row for run in self.runs if run.is_text}
        return [row for row in range(1, self.height - 1) if row not in written]

    def low_contrast(
        self, inside: tuple[int, int, int, int] | None = None, minimum: float = MINIMUM_CONTRAST
    ) -> list[Run]:
        """Text runs under `minimum` contrast; only those inside (x, y, width, height) if given."""
        return [
            run
            for run in self.runs
            if run.is_text and run.contrast < minimum and _within(run, inside)
        ]


def _within(run: Run, region: tuple[int, int, int, int] | None) -> bool:
    if region is None:
        return True
    x, y, width, height = region
    return y <= run.row < y + height and x <= run.column < x + width


def parse_svg(svg: str) -> Rendering:
    """The runs of a Rich SVG export, each with its fill and the background under it."""
    fills = dict(_CLASS_RULE.findall(svg))
    backgrounds: dict[tuple[int, int], str] = {}
    for fill, x, y, width in _RECT.findall(svg):
        row = round((float(y) - LINE_TOP) / LINE_HEIGHT)
        first = round(float(x) / CELL_WIDTH)
        for column in range(first, first + round(float(width) / CELL_WIDTH)):
            backgrounds[(row, column)] = fill.lower()
    runs = []
    for css_class, x, line, content in _TEXT.findall(svg):
        row, column = int(line), round(float(x) / CELL_WIDTH)
        color = fills.get(css_class, "#c5c8c6").lower()
        background = backgrounds.get((row, column), "#292929")
        text = html.unescape(content).replace("\n", "").replace("\u00a0", " ")
        runs.append(Run(row, column, text, color, background))
    height = max((int(line) for line in _LINE.findall(svg)), default=-1) + 1
    return Rendering(tuple(runs), height)


def relative_luminance(color: str) -> float:
    """WCAG 2: the relative luminance of an sRGB colour written #rrggbb."""
    channels = []
    for index in (1, 3, 5):
        value = int(color[index : index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def describe(runs: Iterable[Run]) -> str:
    """One line per run, for an assertion message."""
    return "\n".join(
        f"  row {run.row} col {run.column}: {run.text.strip()[:40]!r} "
        f"{run.color} on {run.background} = {run.contrast:.2f}:1"
        for run in runs
    )
