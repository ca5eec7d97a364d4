"""Client-side encryption: what it protects, what it costs, a data key and the code to use it.

TLS stops at the server; values encrypted by the application stay encrypted inside Redis.
The screen says what that buys and what stops working, writes a 256-bit data key file
(0600, never overwriting one: that would orphan every value encrypted with it) through
`state.encryption`, and shows the AES-GCM example the end-to-end tests run.
"""

from __future__ import annotations

from pathlib import Path

from rich.syntax import Syntax
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import Function
from textual.widgets import Button, Input, Static

from state.encryption import (
    DEFAULT_DATA_KEY_FILE,
    KEYS_STAY_PLAIN,
    PROTECTS,
    STAYS_VISIBLE,
    STOPS_WORKING,
    generate_data_key_file,
    python_example,
)
from state.errors import WizardError
from state.model import State

from ..messages import StateChanged
from ..text import escape
from ..widgets.frame import AppFooter, AppHeader
from .base import AppScreen

ENDPOINT_PREFIX = "redis-{port}."
"""Redis Enterprise names a database endpoint redis-<port>.<cluster fqdn>."""


def example_for(state: State, key_file: str) -> str:
    """The example, connected to the first TLS database (else the first one) of the state."""
    databases = [d for d in state.databases if d.tls.enabled] or state.databases
    port = databases[0].port if databases else 12000
    client_auth = bool(databases) and databases[0].tls.enforce_client_auth
    tls = bool(databases) and databases[0].tls.enabled
    return python_example(
        key_file,
        ENDPOINT_PREFIX.format(port=port) + state.cluster.fqdn,
        port,
        tls=tls,
        ca_file="proxy-ca.pem",
        cert_file="client.pem" if client_auth else None,
        cert_key_file="client.key" if client_auth else None,
    )


EXAMPLE_NOTE = (
    "proxy-ca.pem: the CA of the proxy certificate (for the self-signed one, the "
    "certificate itself: Cluster certificates, Inspect). client.pem and client.key: a "
    "client certificate the database trusts, when it enforces client authentication."
)


def _not_blank(value: str) -> bool:
    return bool(value.strip())


class EncryptionScreen(AppScreen[None]):
    """Explain client-side encryption, generate a data key, show the example."""

    TITLE = "Client-side encryption"

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (50, "-tall")]
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("g", "generate", "Generate key"),
        Binding("y", "copy_example", "Copy example"),
    ]

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="encryption"), Horizontal(id="encryption-columns"):
            with Vertical(id="encryption-about"):
                yield Static("What it protects", classes="section-title")
                yield Static("\n".join(f"• {line}" for line in PROTECTS), classes="encryption-text")
                yield Static("What stops working on encrypted values", classes="section-title")
                yield Static(
                    "\n".join(f"• [b]{name}:[/] {escape(why)}" for name, why in STOPS_WORKING)
                    + f"\n• {escape(KEYS_STAY_PLAIN)}",
                    classes="encryption-text",
                )
                # Only in a tall terminal: at 24 rows the key row must stay in view.
                with Vertical(id="encryption-visible"):
                    yield Static("What the server still sees", classes="section-title")
                    yield Static(
                        "\n".join(f"• [b]{name}:[/] {escape(why)}" for name, why in STAYS_VISIBLE),
                        classes="encryption-text",
                    )
                yield Static("Data key (AES-256, file mode 0600)", classes="section-title")
                with Horizontal(id="encryption-key-row"):
                    yield Input(
                        DEFAULT_DATA_KEY_FILE,
                        placeholder="file for the key, relative to the state file",
                        id="encryption-key-path",
                        validators=[Function(_not_blank, "Give a file name for the key.")],
                    )
                    yield Button("Generate", id="encryption-generate", variant="primary")
                yield Static(
                    "Keep the key with the application (a secrets manager), never in Redis.",
                    id="encryption-key-status",
                    classes="hint",
                )
            with Vertical(id="encryption-example-box"):
                yield Static(
                    "Python: encrypt before SET, decrypt after GET", classes="section-title"
                )
                yield Static(id="encryption-example")
                yield Static(EXAMPLE_NOTE, classes="hint", id="encryption-example-note")
        yield AppFooter()

    def on_mount(self) -> None:
        self.show_example()
        # Start on the page, so arrows and PgDn scroll to the example and g and y work at
        # once; Tab reaches the file name and the button.
        self.query_one("#encryption", VerticalScroll).focus()

    @property
    def key_file(self) -> str:
        return self.query_one("#encryption-key-path", Input).value.strip()

    def show_example(self) -> None:
        code = example_for(self.workspace.state, self.key_file or DEFAULT_DATA_KEY_FILE)
        self.query_one("#encryption-example", Static).update(
            Syntax(code, "python", theme="ansi_dark")
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_example()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_generate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "encryption-generate":
            self.action_generate()

    def on_state_changed(self, message: StateChanged) -> None:
        self.show_example()

    def _status(self, markup: str) -> None:
        self.query_one("#encryption-key-status", Static).update(markup)

    def action_generate(self) -> None:
        if not self.key_file:
            self._status("[$text-error bold]✗[/] Give a file name for the key first.")
            return
        path = self.workspace.resolve(self.key_file)
        self._status(f"Writing {escape(self.key_file)}…")
        self.generate(path, self.key_file)

    @work(thread=True, exclusive=True, group="encryption-key")
    def generate(self, path: Path, shown: str) -> None:
        """Random bytes and an fsync'd atomic write: off the event loop."""
        try:
            generate_data_key_file(path)
        except WizardError as error:
            self.app.call_from_thread(self._refused, str(error))
            return
        self.app.call_from_thread(self._written, shown)

    def _refused(self, message: str) -> None:
        self._status(f"[$text-error bold]✗[/] {escape(message)}")
        self.notify(message, title="No key written", severity="error", timeout=10)

    def _written(self, shown: str) -> None:
        self._status(
            f"[$text-success]✓[/] Wrote a new 256-bit key to {escape(shown)} (0600). "
            "Back it up: values encrypted with it are lost without it."
        )
        self.notify(f"Data key written to {shown}", title="Key written")

    def action_copy_example(self) -> None:
        self.app.copy_to_clipboard(
            example_for(self.workspace.state, self.key_file or DEFAULT_DATA_KEY_FILE)
        )
        self.notify("The example is on the clipboard (OSC 52).", title="Copied")

    def action_back(self) -> None:
        self.app.pop_screen()
