"""The reference for start-up: a bare Textual app (Header, Static, Footer), started the
same way as the wizard (a Python process in a terminal), with the same theme."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.theme = "textual-dark"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("redis-tls-wizard")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
