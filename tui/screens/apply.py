"""Apply to server and Verify: the `apply redis` and `verify` commands as screens.

Both call the same core operations as the CLI (`state.targets`), in thread workers so a
slow or unreachable server never blocks the interface; progress comes back through
`call_from_thread`. Paths in the forms are relative to the state file's folder unless
absolute, so what a screen shows does not depend on where the wizard was started.
"""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.validation import Function, Integer
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Static

from state.errors import WizardError
from state.model import State
from state.targets.redis_plan import REPLICA_OF_TLS_PORT_OFFSET, tls_folder_name
from state.vocabulary import TlsMode

from ..text import cells, escape
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


def _setting_text(value: str) -> str:
    return "''" if value == "" else value


class _TargetScreen(AppScreen[None]):
    """What both screens share: the database, the state, paths, fields and the worker state."""

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
            compact=True,
            validators=[Function(self.file_exists, "no such file")],
        )

    def form_problem(self) -> str | None:
        """The first field that is wrong, said under the field (which gets the focus, so it
        is in view at 24 rows) and returned for the status line; None when all are fine."""
        for field in self.query(Input):
            if self.show_field_error(field):
                field.focus()
                label = self.labels.get(field.id or "", field.id)
                return f"{label}: {self.field_error(field)}"
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
            self.query_one(".target-status", Static).update(text)

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
        return True

    @on(Button.Pressed, "#run")
    def run_pressed(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.action_back()

    def labelled(self, label: str, widget: Input) -> ComposeResult:
        """A label above a one-line input (compact, so the form fits 80x24)."""
        self.labels[widget.id or ""] = label.split(" (")[0]
        widget.compact = True
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
        with VerticalScroll(classes="form", id="apply-form"):
            yield Static(
                "Writes the certificate files into the TLS folder and sets them with the TLS "
                "port in one CONFIG SET. The TLS port is checked with a real handshake before "
                "the plaintext port closes; any failure restores the previous values and "
                "checks them.",
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
            yield Static("", classes="target-status", id="apply-status")
            table: DataTable = DataTable(id="apply-plan", cursor_type="row", zebra_stripes=True)
            table.add_columns("", "Setting", "Current", "Desired")
            table.display = False
            yield table
            yield Static("", id="apply-log", classes="hint")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()

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
        self.query_one("#apply-log", Static).update("")
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
        self.query_one("#apply-log", Static).update("\n".join(lines))
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
            yield Static("", classes="target-status", id="verify-status")
            table: DataTable = DataTable(id="verify-checks", cursor_type="row", zebra_stripes=True)
            table.add_columns("Result", "Check")
            table.display = False
            yield table
            yield Static("", id="verify-reason", classes="hint")
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#host", Input).focus()

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
            self.query_one("#verify-reason", Static).update(
                f"{verdict} {escape(screen_words(check.reason))}"
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
