"""Where the user is in the wizard: the documented steps in order, visited ones ticked
(they stay ticked when the user goes back)."""

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
    furthest: reactive[int] = reactive(0)
    """The furthest step reached so far."""

    def __init__(self, steps: Sequence[str], **kwargs) -> None:
        self.steps = list(steps)
        super().__init__(**kwargs)

    def render_markup(self) -> str:
        parts = []
        for index, name in enumerate(self.steps):
            label = f"{index + 1} {escape(name)}"
            if index == self.current:
                parts.append(f"[reverse b] {label} [/]")
            elif index <= self.furthest:
                parts.append(f"[$text-success]✓[/] {label}")
            else:
                parts.append(f"[dim]{label}[/]")
        return " [dim]→[/] ".join(parts)

    def watch_current(self, current: int) -> None:
        self.furthest = max(self.furthest, current)
        self.update(self.render_markup())

    def watch_furthest(self) -> None:
        self.update(self.render_markup())

    def on_mount(self) -> None:
        self.update(self.render_markup())
