"""No state file yet: create one (cluster name and FQDN) or open the demo.

Creating generates the self-signed proxy and syncer certificates the product ships with
(RSA 2048 keys), which takes a moment, so it runs in a worker thread while the screen
says what it is doing.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.validation import Function
from textual.widgets import Button, Footer, Input, Label, Static

from state.errors import WizardError
from state.names import cluster_name_problem
from state.workspace import Workspace, init_state

from ..text import escape
from .base import AppScreen


class FirstRunScreen(AppScreen[None]):
    """The first screen when the state file does not exist yet."""

    BINDINGS = [
        Binding("ctrl+s", "create", "Create", key_display="^s"),
        Binding("ctrl+d", "demo", "Open demo", key_display="^d", priority=True),
        Binding("ctrl+q", "app.quit", "Quit", key_display="^q"),
    ]

    def compose(self) -> ComposeResult:
        path = self.app.state_path
        with Center(id="first-run"), Vertical(id="first-run-box"):
            yield Label("Welcome to redis-tls-wizard", classes="dialog-title")
            yield Static(
                f"There is no state file [b]{escape(Path(path).name)}[/] here yet. Create one "
                "for your cluster: self-signed proxy and syncer certificates are generated "
                "(secure by default, as the product ships), to replace with CA-signed ones "
                "later. Or open the demo to look around.",
                classes="dialog-message",
            )
            yield Label("Cluster name")
            yield Input(
                placeholder="cluster1.example.com",
                id="cluster-name",
                validators=[
                    Function(lambda v: bool(v.strip()), "the cluster needs a name"),
                    Function(
                        lambda v: not v.strip() or cluster_name_problem(v.strip()) is None,
                        "not a host name (letters, digits, hyphens, dots)",
                    ),
                ],
            )
            yield Label("FQDN (defaults to the name)")
            yield Input(
                placeholder="cluster1.example.com",
                id="fqdn",
                validators=[
                    Function(
                        lambda v: not v.strip() or cluster_name_problem(v.strip()) is None,
                        "not a DNS name",
                    )
                ],
            )
            yield Static("", id="first-run-status", classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create", id="create", variant="primary")
                yield Button("Open the demo", id="demo")
                yield Button("Quit", id="quit")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#cluster-name", Input).focus()

    def status(self, text: str) -> None:
        self.query_one("#first-run-status", Static).update(text)

    @on(Input.Submitted, "#cluster-name")
    def name_submitted(self) -> None:
        self.query_one("#fqdn", Input).focus()

    @on(Input.Submitted, "#fqdn")
    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        name = self.query_one("#cluster-name", Input).value.strip()
        fqdn = self.query_one("#fqdn", Input).value.strip() or None
        if not name:
            self.status("[$text-error]✗[/] Type the cluster name first.")
            self.query_one("#cluster-name", Input).focus()
            return
        problem = cluster_name_problem(name) or (
            cluster_name_problem(fqdn, "cluster FQDN") if fqdn else None
        )
        if problem:
            self.status(f"[$text-error]✗[/] {escape(problem)}")
            return
        self.set_busy(True)
        self.status("Generating the proxy and syncer keys and certificates…")
        self.create(name, fqdn)

    def set_busy(self, busy: bool) -> None:
        for button in self.query(Button):
            button.disabled = busy

    @work(thread=True, exclusive=True, group="first-run")
    def create(self, name: str, fqdn: str | None) -> None:
        path = self.app.state_path
        try:
            workspace = init_state(path, name, fqdn)
        except WizardError as error:
            self.app.call_from_thread(self.failed, str(error))
            return
        except OSError as error:
            self.app.call_from_thread(self.failed, f"{error.filename}: {error.strerror}")
            return
        self.app.call_from_thread(self.app.open_workspace, workspace)
        self.app.call_from_thread(self.app.announce_demo)

    def failed(self, message: str) -> None:
        self.set_busy(False)
        self.status(f"[$text-error]✗[/] {escape(message)}")

    @on(Button.Pressed, "#quit")
    def quit_pressed(self) -> None:
        """A way out on the screen itself, for whoever does not know ctrl+q."""
        self.app.exit()

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.set_busy(True)
        self.status("Building the demo state in a temporary folder…")
        self.open_demo()

    @work(thread=True, exclusive=True, group="first-run")
    def open_demo(self) -> None:
        from state.demo import build_demo

        try:
            workspace = Workspace.open(build_demo())
        except (WizardError, OSError) as error:
            self.app.call_from_thread(self.failed, str(error))
            return
        self.app.call_from_thread(self.app.open_workspace, workspace)
        self.app.call_from_thread(self.app.announce_demo)
