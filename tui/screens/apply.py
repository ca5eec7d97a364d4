"""Apply to server and Verify: the `apply redis` and `verify` commands as screens.

Both call the same core operations as the CLI (`state.targets`), in thread workers so a
slow or unreachable server never blocks the interface; progress comes back through
`call_from_thread`. Paths in the forms are relative to the state file's folder unless
absolute, so what a screen shows does not depend on where the wizard was started.

From 110 columns the result stands beside the form and takes the height: before a run it
says what the run will do (Apply: the settings and files of the plan, `redis_plan`; Verify:
the checks it will make, `planned_checks`), after it the plan or the checks as found.
"""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, VerticalScroll
from textual.validation import Function, Integer
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Static

from state.errors import WizardError
from state.model import Database, State
from state.targets.redis_plan import REPLICA_OF_TLS_PORT_OFFSET, tls_folder_name
from state.vocabulary import TlsMode

from ..text import cells, escape
from ..widgets.days import expiry_markup
from ..widgets.frame import AppFooter, AppHeader
from .base import AppScreen

URL_HELP = "redis://HOST:PORT, or rediss://HOST:PORT with a client certificate"


def url_is_valid(value: str) -> bool:
    from state.targets.redis_apply import check_url

    try:
        check_url(value.strip())
    except WizardError:
        return False
    return True


CONTROLS = {
    "--allow-replicaof-change": "Apply anyway",
    "--password-file": "Password",
    "--ask-password": "Password",
    "--client-cert": "Client certificate",
    "--client-key": "Client key",
    "--server-name": "Server name",
    "--tls-port": "TLS port",
    "--tls-dir": "TLS folder",
    "--rewrite": "Persist with CONFIG REWRITE",
    "--dry-run": "Dry run",
    "--port": "Port",
    "--url": "Admin URL",
    "--ca": "CA",
}
"""The CLI's flags in the core's messages, and the control of these screens that sets each."""

_FLAG = re.compile("|".join(re.escape(flag) + r"\b(?!-)" for flag in CONTROLS))


def screen_words(message: str) -> str:
    """A core message as these screens say it: each CLI flag becomes the control's name
    ("pass --client-cert" reads "pass 'Client certificate'"), since there is no flag here."""
    return _FLAG.sub(lambda match: f"'{CONTROLS[match.group(0)]}'", message)


APPLY_ORDER = (
    "compare with the server's CONFIG GET and INFO replication",
    "one CONFIG SET with the TLS files, tls-auth-clients, tls-protocols and the TLS port "
    "(the server reverts all of it when one value fails)",
    "a real handshake on the TLS port: the planned proxy certificate, and PING with the "
    "client certificate given",
    "tls-replication and REPLICAOF, then the replication link must come up (a replica)",
    "only then the plaintext port changes (closed when TLS is required for all)",
    "CONFIG REWRITE when persisting; without it a restart of the server undoes the change",
)
"""What `apply_database` does, in its order (docs/targets.md, "The order, and why")."""


def shown_or_hidden(line: Static, markup: str) -> None:
    """An empty line takes no row: the status, log and reason lines show once they say something."""
    line.update(markup)
    line.display = bool(markup)


def _setting_text(value: str) -> str:
    return "''" if value == "" else value


class _TargetScreen(AppScreen[None]):
    """What both screens share: the database, the state, paths, fields and the worker state."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (50, "-tall")]
    """Side by side when wide; stacked when narrow, or tall enough to show both in full."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "run", "Run", key_display="^s"),
    ]

    def __init__(self, database: str) -> None:
        super().__init__()
        self.database = database
        self.running = False
        self.labels: dict[str, str] = {}

    @property
    def saved_state(self) -> State:
        return self.workspace.state

    def path(self, value: str) -> Path | None:
        """A path from the form: relative to the state's folder unless absolute."""
        text = value.strip()
        if not text:
            return None
        return self.workspace.resolve(text)

    def file_exists(self, value: str) -> bool:
        path = self.path(value)
        return path is None or path.is_file()

    def field(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def file_input(self, widget_id: str, placeholder: str) -> Input:
        return Input(
            placeholder=placeholder,
            id=widget_id,
            validators=[Function(self.file_exists, "no such file")],
        )

    def form_problem(self) -> str | None:
        """The first field that is wrong, named for the status line; None when all are fine.
        What is wrong is said once, under the field, which gets the focus (so it is in view
        at 24 rows); the status line only says which field stopped the run."""
        for field in self.query(Input):
            if self.show_field_error(field):
                field.focus()
                label = self.labels.get(field.id or "", field.id)
                return f"Not run: {label} needs fixing (said under it)."
        return None

    def field_error(self, field: Input) -> str:
        """What is wrong with `field`, or "" ("a value is needed" for an empty Admin URL)."""
        result = field.validate(field.value)
        if result is None or result.is_valid:
            return ""
        if not field.value.strip():
            return "a value is needed: " + "; ".join(result.failure_descriptions)
        return "; ".join(result.failure_descriptions)

    def show_field_error(self, field: Input) -> bool:
        """Write the field's problem on the line under it; True when there is one."""
        problem = self.field_error(field)
        for line in self.query(f"#{field.id}-error").results(Static):
            line.update(Text(f"✗ {problem}" if problem else ""))
            line.set_class(bool(problem), "-shown")
        return bool(problem)

    @on(Input.Changed)
    def field_changed(self, event: Input.Changed) -> None:
        self.show_field_error(event.input)

    def set_status(self, text: str) -> None:
        if self.is_mounted:  # a worker may report after the screen was left
            shown_or_hidden(self.query_one(".target-status", Static), text)

    def action_back(self) -> None:
        self.app.pop_screen()

    def show_results(self) -> None:
        """Scroll the form away so the status line and the result table are in view."""
        status = self.query_one(".target-status", Static)
        self.call_after_refresh(status.scroll_visible, top=True, animate=False)

    def action_run(self) -> None:
        if self.running:
            self.notify("Still running; wait for the result.", severity="warning")
            return
        problem = self.form_problem()
        if problem:
            self.set_status(f"[$text-error]{escape(problem)}[/]")
            return
        self.running = True
        self.query_one("#run", Button).disabled = True
        self.start()

    def start(self) -> None:  # pragma: no cover - each screen has its own
        raise NotImplementedError

    def finished(self) -> bool:
        """The worker is done; False when the screen was left meanwhile (nothing to show)."""
        self.running = False
        if not self.is_mounted:
            return False
        self.query_one("#run", Button).disabled = False
        # What the run would do gives way to what it found.
        self.query_one(".target-preview", Static).display = False
        return True

    @on(Button.Pressed, "#run")
    def run_pressed(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.action_back()

    def labelled(self, label: str, widget: Input) -> ComposeResult:
        """A label above a one-line input (the app's one input style)."""
        self.labels[widget.id or ""] = label.split(" (")[0]
        yield Label(label, classes="field-label")
        yield widget
        if widget.validators:
            yield Static("", id=f"{widget.id}-error", classes="form-problems field-error")


class ApplyScreen(_TargetScreen):
    """Apply the database's TLS settings to a running redis-server, then show the result."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "run", "Apply", key_display="^s"),
    ]

    def compose(self) -> ComposeResult:
        self.title = f"Apply to server: {self.database}"
        yield AppHeader()
        with Container(classes="target-body"):
            yield from self.apply_form()
            with VerticalScroll(classes="target-result", id="apply-result"):
                yield Static("", classes="target-status", id="apply-status")
                table: DataTable = DataTable(id="apply-plan", cursor_type="row", zebra_stripes=True)
                table.add_columns("", "Setting", "Current", "Desired")
                table.display = False
                yield table
                yield Static("", id="apply-log", classes="hint")
                yield Static("", id="apply-preview", classes="target-preview")
        yield AppFooter()

    def apply_form(self) -> ComposeResult:
        with VerticalScroll(classes="form", id="apply-form"):
            yield Static(
                "Sets the database's TLS settings on a running redis-server, in the order "
                "shown with the plan; any failure restores the previous values and checks them.",
                classes="hint",
            )
            yield from self.labelled(
                "Admin URL",
                Input(
                    placeholder="e.g. redis://127.0.0.1:6379",
                    id="url",
                    validators=[Function(url_is_valid, URL_HELP)],
                ),
            )
            yield from self.labelled(
                "Password (empty: none, or REDISCLI_AUTH)",
                Input(placeholder="not set", id="password", password=True),
            )
            yield from self.labelled(
                "TLS folder (the server must be able to read it)",
                Input(tls_folder_name(self.saved_state, self.database), id="tls-dir"),
            )
            yield from self.labelled(
                "Client certificate (proves you can still connect over TLS)",
                self.file_input("client-cert", "e.g. samples/app1.pem"),
            )
            yield from self.labelled(
                "Client key", self.file_input("client-key", "e.g. samples/app1.key")
            )
            yield from self.labelled(
                "CA to verify the server (default: the proxy certificate)",
                self.file_input("ca", "empty: the proxy certificate"),
            )
            if self.replica_of_only():
                yield from self.labelled(
                    "TLS port (Replica Of only: clients keep the plaintext port)",
                    Input(
                        str(self.default_tls_port()),
                        id="tls-port",
                        type="integer",
                        validators=[Integer(1, 65535, failure_description="a port is 1-65535")],
                    ),
                )
            yield Label("")
            yield Checkbox("Dry run: show the plan, change nothing", id="dry-run", compact=True)
            yield Checkbox("Persist with CONFIG REWRITE", id="rewrite", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", id="run", variant="primary", compact=True)
                yield Button("Back", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()
        self.show_preview()

    @on(Input.Changed, "#tls-dir, #tls-port")
    def plan_changed(self) -> None:
        self.show_preview()

    def show_preview(self) -> None:
        """What Apply will set and write, from the plan alone (no server is asked)."""
        self.query_one("#apply-preview", Static).update("\n".join(self.preview_lines()))

    def preview_lines(self) -> list[str]:
        from state.targets.redis_plan import NO_REPLICATION, build_plan

        folder = self.path(self.field("tls-dir")) or self.workspace.folder
        port = self.field("tls-port") if self.replica_of_only() else ""
        try:
            plan = build_plan(
                self.saved_state,
                self.database,
                folder,
                self.workspace.read_key,
                tls_port=int(port) if port.isdigit() else None,
            )
        except (WizardError, OSError, ValueError) as error:
            return [f"[$text-error]✗ Apply would refuse:[/] {escape(screen_words(str(error)))}"]
        shown = str(self.workspace.folder) + "/"
        lines = ["[b]What Apply sets[/] [dim](only what differs from the server's values)[/]"]
        width = max(len(setting) for setting in plan.settings)
        for setting, value in plan.settings.items():
            value = escape(_setting_text(value).removeprefix(shown))
            lines.append(f"[dim]{setting:<{width}}[/]  {value}")
        if plan.replica_of and plan.replica_of != NO_REPLICATION:
            lines.append(f"[dim]{'replicaof':<{width}}[/]  {escape(plan.replica_of)}")
        if plan.files:
            lines.append("[b]Files written into the TLS folder first[/]")
            lines += [
                f"[dim]·[/] {escape(str(f.path).removeprefix(shown))}  {f.role} ({f.mode:o})"
                for f in plan.files
            ]
        if plan.not_enforced:
            lines.append("[b]Not enforced by a redis-server[/]")
            lines += [
                f"[$text-warning]·[/] {escape(item.setting)}: {escape(screen_words(item.detail))}"
                for item in plan.not_enforced
            ]
        lines += [f"[dim]note:[/] {escape(screen_words(note))}" for note in plan.notes]
        lines.append("[b]The order[/] [dim](docs/targets.md)[/]")
        lines += [f"[dim]{n}.[/] {step}" for n, step in enumerate(APPLY_ORDER, 1)]
        return lines

    def action_back(self) -> None:
        if self.running:
            # Leaving would hide how the apply ended (applied, or rolled back, and why).
            self.notify("Applying: wait for the result (it rolls back on any failure).")
            return
        super().action_back()

    def replica_of_only(self) -> bool:
        database = self.saved_state.database(self.database)
        return (
            database is not None
            and database.tls.enabled
            and database.tls.mode == TlsMode.REPLICA_OF
        )

    def default_tls_port(self) -> int:
        database = self.saved_state.database(self.database)
        return (database.port if database else 0) + REPLICA_OF_TLS_PORT_OFFSET

    def start(self, allow_replicaof_change: bool = False) -> None:
        self.set_status("Connecting…")
        shown_or_hidden(self.query_one("#apply-log", Static), "")
        self.run_apply(
            allow_replicaof_change=allow_replicaof_change,
            password=self.query_one("#password", Input).value or None,
            url=self.field("url"),
            tls_dir=self.path(self.field("tls-dir")),
            certificate=self.path(self.field("client-cert")),
            key=self.path(self.field("client-key")),
            ca=self.path(self.field("ca")),
            tls_port=int(self.field("tls-port")) if self.replica_of_only() else None,
            dry_run=self.query_one("#dry-run", Checkbox).value,
            rewrite=self.query_one("#rewrite", Checkbox).value,
        )

    @work(thread=True, exclusive=True, group="apply")
    def run_apply(
        self,
        *,
        url: str,
        tls_dir: Path | None,
        certificate: Path | None,
        key: Path | None,
        ca: Path | None,
        tls_port: int | None,
        dry_run: bool,
        rewrite: bool,
        allow_replicaof_change: bool,
        password: str | None,
    ) -> None:
        from state.errors import StaleStateError
        from state.targets.redis_admin import password_from_environment
        from state.targets.redis_apply import (
            AdminConnection,
            ReplicaOfChangeRefused,
            apply_database,
            credential,
            read_ca_file,
        )

        workspace = self.workspace
        try:
            admin = AdminConnection(
                url,
                credential(certificate, key),
                read_ca_file(ca),
                password=password or password_from_environment(),
            )
            result = apply_database(
                workspace,
                self.database,
                admin,
                tls_dir=tls_dir,
                tls_port=tls_port,
                dry_run=dry_run,
                rewrite=rewrite,
                allow_replicaof_change=allow_replicaof_change,
                base_revision=workspace.state.revision,
                progress=lambda message: self.app.call_from_thread(
                    self.set_status, escape(message.capitalize()) + "…"
                ),
            )
        except StaleStateError as error:
            self.app.call_from_thread(self.show_stale, error)
            return
        except ReplicaOfChangeRefused as refused:
            self.app.call_from_thread(self.confirm_replicaof, refused.warning)
            return
        except (WizardError, ValueError, OSError) as error:
            self.app.call_from_thread(self.show_error, str(error))
            return
        self.app.call_from_thread(self.show_result, result)

    def show_stale(self, error) -> None:
        """Another writer saved since this state was loaded: apply nothing, offer to reload
        (the same dialog as Update), so a CA removed elsewhere never returns to a server."""
        if not self.finished():
            return
        self.set_status(
            "[$text-error]Nothing was changed:[/] the state file has a newer revision; "
            "reload it and apply again."
        )
        self.app.show_stale(error)

    def confirm_replicaof(self, warning: str) -> None:
        """A change of the server's replication role is applied only after a yes."""
        from ..dialogs.confirm import ConfirmDialog

        if not self.finished():
            return
        warning = screen_words(warning)
        self.set_status(f"[$text-warning]Waiting for your answer:[/] {escape(warning)}")

        def answered(yes: bool | None) -> None:
            if yes:
                self.running = True
                self.query_one("#run", Button).disabled = True
                self.start(allow_replicaof_change=True)
            else:
                self.set_status("Nothing was changed: the replication role stays as it is.")

        self.app.push_screen(
            ConfirmDialog(
                "Change the server's replication?",
                escape(warning) + "\nNothing has changed yet.",
                confirm_label="Apply anyway",
                danger=True,
            ),
            answered,
        )

    def show_error(self, message: str) -> None:
        if not self.finished():
            return
        self.set_status(f"[$text-error]Nothing was changed:[/] {escape(screen_words(message))}")
        self.show_results()

    def show_result(self, result) -> None:
        """The plan against the server, then what was applied, checked and rolled back."""
        if not self.finished():
            return
        table = self.query_one("#apply-plan", DataTable)
        table.clear()
        folder = str(self.workspace.folder) + "/"
        for change in result.changes:
            mark = Text("*", style="bold") if change.changed else ""
            current, desired = (
                _setting_text(v).removeprefix(folder) for v in (change.current, change.desired)
            )
            table.add_row(mark, *cells(change.setting, current, desired))
        table.display = True
        said = screen_words
        lines = [f"{escape(said(line))}" for line in result.log]
        for setting, detail in result.not_enforced:
            lines.append(
                f"[$text-warning]not enforced:[/] {escape(setting)}: {escape(said(detail))}"
            )
        lines.extend(f"[$text-error]WARNING:[/] {escape(said(w))}" for w in result.warnings)
        lines.extend(f"note: {escape(said(note))}" for note in result.notes)
        shown_or_hidden(self.query_one("#apply-log", Static), "\n".join(lines))
        pending = len(result.pending)
        where = escape(result.reach)
        if result.outcome == "rolled-back":
            status = (
                f"[$text-error]Failed and rolled back[/] (checked): "
                f"{escape(said(result.error))}; "
                f"reach the server at {where}"
            )
        elif result.error:
            status = f"[$text-error]Failed, NOT rolled back:[/] {escape(said(result.error))}"
        elif result.dry_run:
            status = f"Dry run on {escape(result.server)}: {pending} setting(s) would change."
        elif not result.applied:
            status = (
                f"[$text-success]Nothing to change[/]: {escape(result.server)} matches; "
                f"reach it at {where}."
            )
        else:
            status = (
                f"[$text-success]Applied[/] {len(result.applied)} step(s) on "
                f"{escape(result.server)}; reach it at {where}."
            )
        self.set_status(status)
        self.show_results()


class VerifyScreen(_TargetScreen):
    """The live checks against a server, as a table of pass/fail with reasons."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "run", "Verify", key_display="^s"),
    ]

    def default_port(self) -> int:
        database = self.saved_state.database(self.database)
        if database is None:
            return 6379
        # The database port, in every mode: in Replica Of only mode verify finds the TLS
        # replication port itself (port + 10000, as Apply opens it).
        return database.port

    def compose(self) -> ComposeResult:
        self.title = f"Verify: {self.database}"
        yield AppHeader()
        with Container(classes="target-body"):
            yield from self.verify_form()
            with VerticalScroll(classes="target-result", id="verify-result"):
                yield Static("", classes="target-status", id="verify-status")
                table: DataTable = DataTable(
                    id="verify-checks", cursor_type="row", zebra_stripes=True
                )
                table.add_columns("Result", "Check")
                table.display = False
                yield table
                yield Static("", id="verify-reason", classes="hint")
                yield Static("", id="verify-preview", classes="target-preview")
        yield AppFooter()

    def verify_form(self) -> ComposeResult:
        with VerticalScroll(classes="form", id="verify-form"):
            yield Static(
                "Live TLS handshakes against the server: each check passes or fails with "
                "its reason.",
                classes="hint",
            )
            yield from self.labelled("Host", Input("127.0.0.1", id="host"))
            yield from self.labelled(
                "Port",
                Input(
                    str(self.default_port()),
                    id="port",
                    type="integer",
                    validators=[Integer(1, 65535, failure_description="a port is 1-65535")],
                ),
            )
            yield from self.labelled(
                "Server name the certificate must match (default: the host)",
                Input(
                    placeholder="empty: the host",
                    id="server-name",
                ),
            )
            yield from self.labelled(
                "Client certificate", self.file_input("client-cert", "e.g. samples/app1.pem")
            )
            yield from self.labelled(
                "Client key", self.file_input("client-key", "e.g. samples/app1.key")
            )
            yield from self.labelled(
                "CA to verify the server (default: the proxy certificate)",
                self.file_input("ca", "empty: the proxy certificate"),
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Verify", id="run", variant="primary", compact=True)
                yield Button("Back", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#host", Input).focus()
        self.show_preview()

    @on(Input.Changed, "#host, #port, #server-name, #client-cert")
    def checks_changed(self) -> None:
        self.show_preview()

    def show_preview(self) -> None:
        """The checks Verify will make, in its words, before anything connects."""
        from state.targets.verify import planned_checks

        port = self.field("port")
        database = self.saved_state.database(self.database)
        client = self.path(self.field("client-cert"))
        titles = planned_checks(
            self.saved_state,
            self.database,
            int(port) if port.isdigit() and 0 < int(port) < 65536 else None,
            server_name=self.field("server-name") or self.field("host"),
            client=client.name if client else "",
        )
        mode = database.tls.mode.label if database and database.tls.enabled else "TLS off"
        lines = [f"[b]What Verify checks[/] [dim]({escape(mode)})[/]"]
        for n, check in enumerate(titles, 1):
            lines += [f"[dim]{n}.[/] {escape(check.title)}", f"   [dim]{escape(check.purpose)}[/]"]
        lines.append("[dim]Each check passes or fails with its reason; nothing is changed.[/]")
        if database is not None:
            lines += self.checked_against(database)
        self.query_one("#verify-preview", Static).update("\n".join(lines))

    def checked_against(self, database: Database) -> list[str]:
        """What the checks compare the server with: the state's settings for the database,
        and what a redis-server cannot enforce (reported as notes, never as failures)."""
        from state.certificates import describe_pem
        from state.targets.redis_plan import not_enforced

        state = self.saved_state
        tls = database.tls
        lines = ["[b]Checked against the state file[/]"]
        proxy = state.cluster.proxy
        rows: list[tuple[str, str]] = []
        if proxy is not None and proxy.certificate in state.certificates:
            info = describe_pem(state.certificates[proxy.certificate])
            shown = ", ".join(name.removeprefix("DNS:") for name in info.sans) or "none"
            rows.append(("proxy certificate", f"{escape(info.label)}, {expiry_markup(info)}"))
            rows.append(("its names", escape(shown)))
        rows.append(("client auth", "enforced" if tls.enforce_client_auth else "off"))
        rows.append(("minimum TLS", state.cluster.min_data_tls_version))
        for sha in tls.certificates:
            if sha in state.certificates:
                rows.append(("trusted", escape(describe_pem(state.certificates[sha]).label)))
        names = ", ".join(tls.authorized_names) or "-"
        rows.append(("names check", f"{escape(tls.subject_validation.label)}: {escape(names)}"))
        lines += [f"[dim]{label:<17}[/]  {value}" for label, value in rows]
        gaps = not_enforced(state, database)
        if gaps:
            lines.append("[b]Not enforced by a redis-server[/] [dim](noted, never failed)[/]")
            lines += [
                f"[$text-warning]·[/] {escape(gap.setting)}: {escape(screen_words(gap.detail))}"
                for gap in gaps
            ]
        return lines

    def start(self) -> None:
        self.set_status("Checking…")
        self.run_verify(
            host=self.field("host"),
            port=int(self.field("port")),
            server_name=self.field("server-name") or None,
            certificate=self.path(self.field("client-cert")),
            key=self.path(self.field("client-key")),
            ca=self.path(self.field("ca")),
        )

    @work(thread=True, exclusive=True, group="verify")
    def run_verify(
        self,
        *,
        host: str,
        port: int,
        server_name: str | None,
        certificate: Path | None,
        key: Path | None,
        ca: Path | None,
    ) -> None:
        from state.targets.redis_apply import credential, read_ca_file
        from state.targets.verify import verify_database

        workspace = self.workspace
        try:
            pair = credential(certificate, key)
            report = verify_database(
                workspace.state,
                self.database,
                host,
                port,
                read_key=workspace.read_key,
                clients=[pair] if pair else [],
                ca_pem=read_ca_file(ca),
                server_name=server_name,
            )
        except (WizardError, ValueError, OSError) as error:
            self.app.call_from_thread(self.show_error, str(error))
            return
        self.app.call_from_thread(self.show_report, report)

    def show_error(self, message: str) -> None:
        if not self.finished():
            return
        self.set_status(f"[$text-error]Could not verify:[/] {escape(screen_words(message))}")
        self.show_results()

    def show_reason(self, row: int) -> None:
        """The highlighted check's reason on the line below the table (the table already
        names the check, so only the verdict and the reason are said here)."""
        checks = getattr(self, "checks", [])
        if 0 <= row < len(checks):
            check = checks[row]
            verdict = "[$text-success]✓[/]" if check.passed else "[$text-error]✗[/]"
            shown_or_hidden(
                self.query_one("#verify-reason", Static),
                f"{verdict} {escape(screen_words(check.reason))}",
            )

    @on(DataTable.RowHighlighted, "#verify-checks")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_reason(event.cursor_row)

    def show_report(self, report) -> None:
        if not self.finished():
            return
        from state.targets.verify import Check

        notes = [
            Check("not-enforced", f"{setting}: not enforced by this target", True, detail)
            for setting, detail in report.not_enforced
        ]
        self.checks = [*report.checks, *notes]
        table = self.query_one("#verify-checks", DataTable)
        table.clear()
        colours = self.app.theme_variables
        for check in report.checks:
            verdict = (
                Text("PASS", style=f"bold {colours.get('text-success', '')}")
                if check.passed
                else Text("FAIL", style=f"bold {colours.get('text-error', '')}")
            )
            table.add_row(verdict, Text(check.title))
        for note in notes:
            table.add_row(Text("NOTE", style="bold"), Text(note.title))
        table.display = True
        first_failing = next((i for i, c in enumerate(report.checks) if not c.passed), 0)
        table.move_cursor(row=first_failing)
        self.show_reason(first_failing)
        passed = sum(check.passed for check in report.checks)
        total = len(report.checks)
        where = f"{escape(report.host)}:{report.port}"
        if report.ok:
            self.set_status(f"[$text-success]All {total} checks passed[/] on {where}.")
        else:
            self.set_status(
                f"[$text-error]{total - passed} of {total} checks failed[/] on {where}."
            )
        table.scroll_visible()
