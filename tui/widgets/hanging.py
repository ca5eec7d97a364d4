"""Wrapped lines that hang under their text, not under their marker.

Textual wraps a long line back to the widget's left edge, so a finding's second line
starts under "! warning" and a bullet's under the bullet, and the eye loses where one item
ends. `HangingStatic` wraps each line itself: a line that starts with a marker (a bullet, a
tick or cross, a severity) or with spaces continues under the first word after them.
"""

from __future__ import annotations

import re

from textual.app import RenderResult
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Static

LEAD = re.compile(r"^ *(?:(?:✗ error|! warning|i info|[•·✓✗!\-*]|\d+\.) +)?")
"""Leading spaces and an optional marker with the spaces after it: the hanging indent."""


def hanging_lines(content: Content, width: int) -> list[Content]:
    """`content` wrapped to `width` cells, each wrapped line indented under its line's text.

    An indent of half the width or more is dropped, so a narrow column never ends up with
    a sliver of text on the right."""
    if width <= 0:
        return content.split("\n", allow_blank=True)
    lines: list[Content] = []
    for line in content.split("\n", allow_blank=True):
        if line.cell_length <= width:
            lines.append(line)
            continue
        match = LEAD.match(line.plain)
        hang = match.end() if match else 0
        if hang * 2 >= width:
            hang = 0
        lead, rest = line[:hang], line[hang:]
        wrapped = rest.wrap(width - hang)
        lines.append(lead + wrapped[0])
        lines.extend(Content(" " * hang) + part for part in wrapped[1:])
    return lines


class HangingStatic(Static):
    """A `Static` whose wrapped lines hang (see the module); use it where text wraps."""

    def _source(self) -> Content | None:
        visual = self.visual
        return visual if isinstance(visual, Content) else None

    def render(self) -> RenderResult:
        source = self._source()
        if source is None:
            return super().render()
        return Content("\n").join(hanging_lines(source, self.content_size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        source = self._source()
        if source is None:
            return super().get_content_height(container, viewport, width)
        return len(hanging_lines(source, width))
