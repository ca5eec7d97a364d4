"""Where the user is in the wizard: the documented steps in order, done ones ticked."""

from __future__ import annotations

from collections.abc import Sequence

from textual.reactive import reactive
from textual.widgets import Static

from ..text import escape


class StepIndicator(Static):
    """`Enable → Mode → Certificates → Subject names → Review`, the current one highlighted."""

    DEFAULT_CSS = """
    StepIndicator {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    current: reactive[int] = reactive(0)

    def __init__(self, steps: Sequence[str], **kwargs) -> None:
        self.steps = list(steps)
        super().__init__(**kwargs)

    def render_markup(self) -> str:
        parts = []
        for index, name in enumerate(self.steps):
            label = f"{index + 1} {escape(name)}"
            if index == self.current:
                parts.append(f"[reverse b] {label} [/]")
            elif index < self.current:
                parts.append(f"[$text-success]✓[/] {label}")
            else:
                parts.append(f"[dim]{label}[/]")
        return " [dim]→[/] ".join(parts)

    def watch_current(self, current: int) -> None:
        self.update(self.render_markup())

    def on_mount(self) -> None:
        self.update(self.render_markup())
