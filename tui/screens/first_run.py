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
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import Function
from textual.widgets import Button, Input, Label, Static

from state.certificates.issue import CLUSTER_CERTIFICATE_DAYS, cluster_sans
from state.errors import WizardError
from state.key_files import KEY_FILE_MODE, KEYS_FOLDER, key_file_name
from state.names import cluster_name_problem
from state.store import HISTORY_KEEP
from state.workspace import Workspace, init_state

from ..text import escape
from ..widgets.frame import AppFooter, AppHeader
from .base import AppScreen


def folder_words(folder: Path) -> str:
    """'this folder' when the wizard was started in it, else the folder's path."""
    try:
        here = folder.resolve() == Path.cwd().resolve()
    except OSError:
        here = False
    return "this folder" if here else escape(folder)


def about_markup(file_name: str) -> str:
    """What the state file is, what Create makes, what comes next, what the demo is."""
    return "\n".join(
        [
            "[b $text-primary]The state file[/]",
            f"{escape(file_name)} holds one cluster: its name and FQDN, the minimum TLS "
            "version, the proxy and syncer certificates, every database's TLS settings and "
            f"the certificates they trust. Private keys stay in {KEYS_FOLDER}/ beside it "
            f"(mode {KEY_FILE_MODE:04o}). Each save keeps the previous revisions (the last "
            f"{HISTORY_KEEP}) in .tls-wizard/history/, so a change can be rolled back.",
            "[b $text-primary]Create[/]",
            "Generates the self-signed proxy and syncer certificates the product ships with "
            "(above, what they cover). Replace them with CA-signed ones later on the Cluster "
            "screen.",
            "[b $text-primary]Then[/]",
            "1. n adds a database, or ^o imports a cluster's REST JSON",
            "2. ⏎ on a database opens the TLS wizard: mode, certificates, names, review",
            "3. a applies the settings to a redis-server; v verifies them with live handshakes",
            "4. c opens the Cluster screen: replace the proxy and syncer certificates (r), "
            "add the participating clusters' syncer certificates",
            "5. h shows the state file's history and rolls back",
            "[b $text-primary]The demo[/]",
            "A sample cluster with four databases and two peer clusters, in a temporary "
            "folder that is removed when you quit.",
        ]
    )


def writes_markup(file_name: str, name: str, fqdn: str) -> str:
    """What Create would write for the name and FQDN typed so far, file by file."""
    shown_fqdn = fqdn or name or "FQDN"
    lines = [
        "[b $text-primary]What Create writes[/] [dim](for what is typed)[/]",
        f"[b]{escape(file_name)}[/]  cluster {escape(name or 'NAME')}, FQDN {escape(shown_fqdn)}",
    ]
    for role in ("proxy", "syncer"):
        key_file = key_file_name(role, "FINGERPRINT")
        lines.append(
            f"[b]{KEYS_FOLDER}/{escape(key_file)}[/]  the {role} certificate's private key "
            f"(mode {KEY_FILE_MODE:04o})"
        )
    lines.append("[b].tls-wizard/history/[/]  the first revision")
    lines.append(
        f"The proxy and syncer certificates (RSA 2048, {CLUSTER_CERTIFICATE_DAYS} days) cover:"
    )
    lines += [f"  {escape(san)}" for san in cluster_sans(shown_fqdn)]
    return "\n".join(lines)


class FirstRunScreen(AppScreen[None]):
    """The first screen when the state file does not exist yet."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (50, "-tall")]
    """From 110 columns the explanation sits beside the form, below it otherwise; a tall
    terminal stacks it under the form too, where it fills the rows the short form leaves."""

    DEFAULT_CSS = """
    FirstRunScreen #first-run {
        height: 1fr;
        layout: vertical;
    }
    FirstRunScreen.-wide #first-run {
        layout: horizontal;
    }
    FirstRunScreen #first-run-form {
        height: auto;
        padding: 0 1;
    }
    FirstRunScreen.-wide #first-run-form {
        width: 64;
        height: 1fr;
    }
    FirstRunScreen.-wide.-tall #first-run {
        layout: vertical;
    }
    FirstRunScreen.-wide.-tall #first-run-form {
        width: 100;
        height: auto;
    }
    FirstRunScreen.-wide.-tall #first-run-about {
        width: 1fr;
        border-left: none;
        border-top: solid $primary-muted;
    }
    FirstRunScreen #first-run-form Input {
        width: 100%;
    }
    FirstRunScreen #first-run-intro, FirstRunScreen #first-run-status {
        height: auto;
        padding: 0 1;
    }
    FirstRunScreen .field-help {
        height: auto;
        color: $text-muted;
    }
    FirstRunScreen #first-run-buttons {
        height: auto;
    }
    FirstRunScreen #first-run-buttons Button {
        margin-right: 1;
    }
    FirstRunScreen #first-run-about {
        height: 1fr;
        padding: 0 1;
        border-top: solid $primary-muted;
    }
    FirstRunScreen.-wide #first-run-about {
        width: 1fr;
        border-top: none;
        border-left: solid $primary-muted;
    }
    FirstRunScreen #first-run-about > Static {
        height: auto;
        max-width: 100;  /* prose reads badly in 130-column lines */
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "create", "Create", key_display="^s"),
        Binding("ctrl+d", "demo", "Open demo", key_display="^d", priority=True),
        Binding("ctrl+q", "app.quit", "Quit", key_display="^q"),
    ]

    TITLE = "Welcome: no state file yet"

    def compose(self) -> ComposeResult:
        path = Path(self.app.state_path)
        yield AppHeader()
        with Horizontal(id="first-run"):
            with Vertical(id="first-run-form"):
                yield Static(
                    f"There is no state file [b]{escape(path.name)}[/] in "
                    f"{folder_words(path.parent)} yet. Create one for your cluster, or open "
                    "the demo to look around.",
                    id="first-run-intro",
                )
                yield Label("Cluster name", classes="field-label")
                yield Static(
                    "The name this cluster is known by: other clusters' state files name it "
                    "as a participant or replica cluster.",
                    classes="field-help",
                )
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
                yield Label("FQDN (defaults to the name)", classes="field-label")
                yield Static(
                    "The cluster's DNS name: databases are reached at redis-PORT.FQDN, and "
                    "the proxy and syncer certificates must cover it.",
                    classes="field-help",
                )
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
                yield Static("", id="first-run-status")
                with Horizontal(id="first-run-buttons"):
                    yield Button("Create", id="create", variant="primary")
                    yield Button("Open the demo", id="demo")
                    yield Button("Quit", id="quit")
            with VerticalScroll(id="first-run-about"):
                yield Static(writes_markup(path.name, "", ""), id="first-run-writes")
                yield Static(about_markup(path.name))
        yield AppFooter()

    def on_mount(self) -> None:
        self.status("")
        self.query_one("#cluster-name", Input).focus()

    def status(self, text: str) -> None:
        """One line under the fields: what is wrong, or what is being done; no empty row."""
        status = self.query_one("#first-run-status", Static)
        status.update(text)
        status.display = bool(text)

    @on(Input.Changed)
    def typed(self) -> None:
        name = self.query_one("#cluster-name", Input).value.strip()
        fqdn = self.query_one("#fqdn", Input).value.strip()
        path = Path(self.app.state_path)
        self.query_one("#first-run-writes", Static).update(writes_markup(path.name, name, fqdn))

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
