"""A new database, with TLS chosen at creation under "Advanced Options" (as the console does).

Choosing TLS here sets `created_with_tls`, which matters for Active-Active databases:
their TLS cannot be switched on or off later. The screen builds the new state with
`create_database` (the same operation as `tls-wizard db create`) and saves it through
`app.commit`; a refusal is shown on the form and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.validation import Function, Integer
from textual.widgets import (
    Button,
    Collapsible,
    Input,
    Label,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
    Switch,
)
from textual.worker import get_current_worker

from state.certificates import CertificateInfo
from state.errors import WizardError
from state.model import State, TlsSettings
from state.names import DATABASE_NAME_RULE, database_name_problem
from state.schema import valid_host_port
from state.tls_effect import client_auth_effect, mode_effect
from state.transitions import SourceUpdate, TlsUpdate, add_participant_syncer, create_database
from state.vocabulary import DatabaseType, TlsMode

from ..text import escape
from ..widgets.frame import AppFooter, AppHeader
from ..widgets.mode_picker import ModePicker
from .base import AppScreen

PREVIEW_AT_ONCE = 500
"""Up to this many databases the preview follows every keystroke."""
PREVIEW_PAUSE = 0.4
"""Beyond it, the seconds of quiet after an edit before the preview is rebuilt."""


def split_sources(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def tls_lines(tls: TlsSettings) -> list[str]:
    """The TLS settings Create would save, and what they do."""
    if not tls.enabled:
        return [escape(mode_effect(tls))]
    return [
        escape(tls.mode.label),
        f"{escape(mode_effect(tls))}; {escape(client_auth_effect(tls))}",
        f"[dim]certificates[/] {len(tls.certificates)}",
    ]


def preview_markup(state: State, name: str, *, shown_name: str) -> str:
    """Database `name` as `state` (the form, built) has it, and what the rules say; the
    name is shown as `shown_name` (the form may have none yet)."""
    from state.rules import check_database

    from ..widgets.database_details import overview_markup
    from ..widgets.findings import findings_markup

    database = state.database(name)
    if database is None:
        return ""
    lines = [
        "[b $text-primary]What Create makes[/]",
        overview_markup(state, database, shown_name=shown_name),
    ]
    lines += ["[b $text-primary]TLS[/]", *tls_lines(database.tls)]
    findings = [f.within_database() for f in check_database(state, database)]
    lines += [
        "[b $text-primary]What the rules say[/]",
        findings_markup(findings, empty="No findings: all rules pass."),
    ]
    return "\n".join(lines)


def field_help(text: str) -> Static:
    """One line under a field's label saying what the field does."""
    return Static(text, classes="field-help")


class NewDatabaseScreen(AppScreen[str]):
    """Name, port, type, Replica Of or participants, and TLS under Advanced Options."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    """From 110 columns the database as Create would make it shows beside the form."""
    VERTICAL_BREAKPOINTS = [(0, "-short"), (56, "-tall")]
    """From 56 rows the whole form fits with rows to spare: the preview stands under it
    instead of beside it, so the rows under the form's end are not left empty."""

    BINDINGS = [
        Binding("escape", "leave", "Cancel"),
        Binding("ctrl+s", "create", "Create", key_display="^s"),
        Binding("ctrl+t", "add_certificates", "Add certs", key_display="^t"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.certificates: list[CertificateInfo] = []
        self.source_certificate: CertificateInfo | None = None
        self._preview_timer: Timer | None = None

    @property
    def saved_state(self) -> State:
        return self.app.saved_state

    DEFAULT_CSS = """
    NewDatabaseScreen SelectionList {
        height: auto;
        max-height: 6;
    }
    NewDatabaseScreen #new-database-actions {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    NewDatabaseScreen #new-database-actions #problems {
        width: 1fr;
        padding: 0;
    }
    NewDatabaseScreen #new-database-actions Button {
        margin-left: 1;
    }
    NewDatabaseScreen #new-database-body {
        height: 1fr;
    }
    NewDatabaseScreen #name-port {
        height: auto;
    }
    NewDatabaseScreen #name-column {
        width: 1fr;
        height: auto;
    }
    NewDatabaseScreen #port-column {
        width: 22;
        height: auto;
        margin-left: 1;
    }
    NewDatabaseScreen #advanced Contents {
        padding: 0 0 0 3;
    }
    NewDatabaseScreen .field-help {
        height: auto;
        color: $text-muted;
    }
    NewDatabaseScreen #new-database-preview {
        display: none;
        width: 1fr;
        height: 1fr;
        padding: 0 1;
        border-left: solid $primary-muted;
    }
    NewDatabaseScreen.-wide #new-database-preview {
        display: block;
    }
    NewDatabaseScreen.-wide .form {
        width: 3fr;
    }
    NewDatabaseScreen.-wide #new-database-preview {
        width: 2fr;
    }
    NewDatabaseScreen.-wide.-tall #new-database-body {
        layout: vertical;
    }
    NewDatabaseScreen.-wide.-tall .form {
        width: 1fr;
        height: 1fr;
    }
    NewDatabaseScreen.-wide.-tall #new-database-preview {
        width: 1fr;
        height: auto;
        max-height: 40%;
        border-left: none;
        border-top: solid $primary-muted;
    }
    """
    """Create and Cancel sit below the scrolling form, so they are on screen at any size."""

    TITLE = "New database"

    def compose(self) -> ComposeResult:
        state = self.saved_state
        used_names = {d.name for d in state.databases}
        used_ports = {d.port for d in state.databases}
        free_port = max(used_ports, default=11999) + 1
        yield AppHeader()
        with Horizontal(id="new-database-body"):
            with VerticalScroll(classes="form"):
                with Horizontal(id="name-port"):
                    with Vertical(id="name-column"):
                        yield Label("Name", classes="field-label")
                        yield field_help("Unique in this cluster; clients never see it.")
                        yield Input(
                            placeholder="orders",
                            id="name",
                            validators=[
                                Function(lambda v: bool(v.strip()), "a database needs a name"),
                                Function(
                                    lambda v: (
                                        not v.strip() or database_name_problem(v.strip()) is None
                                    ),
                                    f"not a database name: {DATABASE_NAME_RULE}",
                                ),
                                Function(
                                    lambda v: v.strip() not in used_names, "that name is taken"
                                ),
                            ],
                        )
                        yield Static("", id="name-error", classes="form-problems field-error")
                    with Vertical(id="port-column"):
                        yield Label("Port", classes="field-label")
                        yield field_help("The endpoint's port.")
                        yield Input(
                            str(free_port),
                            id="port",
                            type="integer",
                            validators=[
                                Integer(1, 65535, failure_description="a port is 1-65535"),
                                Function(
                                    lambda v: not v.isdigit() or int(v) not in used_ports,
                                    "another database uses that port",
                                ),
                            ],
                        )
                        yield Static("", id="port-error", classes="form-problems field-error")
                yield Label("Type", classes="field-label")
                yield field_help(
                    "Active-Active replicates between the participating clusters chosen below."
                )
                with RadioSet(id="type"):
                    yield RadioButton("Standard", value=True, id="type-standard")
                    yield RadioButton("Active-Active", id="type-active-active")
                yield Label(
                    "Replica Of sources (host:port, comma-separated)", classes="field-label"
                )
                yield field_help("The databases this one copies from; empty for none.")
                yield Input(
                    placeholder="redis-12001.cluster2.example.com:12001",
                    id="replica-of",
                    validators=[
                        Function(
                            lambda v: all(valid_host_port(s) for s in split_sources(v)),
                            "each source is host:port",
                        )
                    ],
                )
                yield Static("", id="replica-of-error", classes="form-problems field-error")
                with Horizontal(classes="switch-row"):
                    yield Switch(False, id="source-encryption")
                    yield Label("Encrypt the Replica Of link (the sources above use TLS)")
                with Horizontal(classes="switch-row"):
                    yield Button("Source proxy certificate…", id="source-certificate", compact=True)
                    yield Static("", id="source-certificate-label")
                yield Label("Clusters hosting a replica", classes="field-label")
                yield field_help("With TLS, the database trusts their syncer certificates.")
                yield SelectionList[str](
                    *[
                        (name, name)
                        for name in [state.cluster.name, *(p.name for p in state.participants)]
                    ],
                    id="replica-clusters",
                )
                yield Label("Participating clusters (Active-Active)", classes="field-label")
                yield field_help("With TLS, the database trusts each one's syncer certificate.")
                yield SelectionList[str](
                    *[(p.name, p.name) for p in state.participants], id="participants"
                )
                with Collapsible(title="Advanced Options: TLS", id="advanced", collapsed=False):
                    with Horizontal(classes="switch-row"):
                        yield Switch(False, id="tls")
                        yield Label(
                            "TLS\n[$text-muted]Fixed at creation for an Active-Active database.[/]"
                        )
                    with Horizontal(classes="switch-row"):
                        yield Switch(True, id="client-auth")
                        yield Label(
                            "Enforce client authentication\n[$text-muted]Clients must present "
                            "a certificate the database trusts.[/]"
                        )
                    yield field_help("Which connections must use TLS:")
                    yield ModePicker(TlsMode.ALL, active_active=False, id="mode")
                    with Horizontal(classes="switch-row"):
                        yield Button("Add certificates…", id="add-certificates", compact=True)
                        yield Static("No certificates yet.", id="certificate-count")
            yield Static("", id="new-database-preview")
        with Horizontal(id="new-database-actions"):
            yield Static("", id="problems", classes="form-problems")
            yield Button("Create", id="create", variant="primary", compact=True)
            yield Button("Cancel", id="cancel", compact=True)
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self.refresh_form()

    # -- reading the form ------------------------------------------------------------------

    def database_type(self) -> DatabaseType:
        pressed = self.query_one("#type", RadioSet).pressed_button
        return DatabaseType.of_crdt(pressed is not None and pressed.id == "type-active-active")

    def mode(self) -> TlsMode:
        return self.query_one("#mode", ModePicker).mode

    def refresh_form(self) -> None:
        active_active = self.database_type() == DatabaseType.ACTIVE_ACTIVE
        self.query_one("#participants", SelectionList).disabled = not active_active
        self.query_one("#replica-of", Input).disabled = active_active
        self.query_one("#replica-clusters", SelectionList).disabled = active_active
        encrypted = self.query_one("#source-encryption", Switch).value
        self.query_one("#source-encryption", Switch).disabled = active_active
        self.query_one("#source-certificate", Button).disabled = active_active or not encrypted
        chosen = self.source_certificate
        self.query_one("#source-certificate-label", Static).update(
            Text(f"trusts {chosen.label} (sha256 {chosen.sha256[:12]})")
            if chosen
            else Text(
                "paste the proxy certificate from the source cluster's general settings"
                if encrypted
                else "not encrypted"
            )
        )
        self.query_one("#mode", ModePicker).offer_crdb(active_active)
        tls = self.query_one("#tls", Switch).value
        for widget_id in ("#client-auth", "#mode", "#add-certificates"):
            self.query_one(widget_id).disabled = not tls
        count = len(self.certificates)
        self.query_one("#certificate-count", Static).update(
            f"{count} certificate{'s' if count != 1 else ''} to add: "
            + ", ".join(escape(c.label) for c in self.certificates)
            if count
            else "No certificates yet (client authentication needs at least one)."
        )
        self.request_preview()

    @on(RadioSet.Changed)
    @on(Switch.Changed)
    @on(SelectionList.SelectedChanged)
    def form_changed(self) -> None:
        self.refresh_form()

    def request_preview(self) -> None:
        """Redraw the preview after an edit: at once for an ordinary state; for a large one
        (building copies the state, about 0.6 s at 5,000 databases) once typing pauses."""
        if len(self.saved_state.databases) <= PREVIEW_AT_ONCE:
            self.show_preview()
            return
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_PAUSE, self.show_preview)

    def show_preview(self) -> None:
        """Beside the form (from 110 columns): the database as Create would save it. The
        form is read here; the state is built in a worker (the newest edit wins)."""
        if not self.has_class("-wide"):
            return
        name = self.query_one("#name", Input).value.strip()
        candidates: list[tuple[str, Callable[[], State] | str]] = []
        for candidate in dict.fromkeys([name, self.unused_name()]):
            if candidate:
                try:
                    candidates.append((candidate, self.building(candidate)))
                except WizardError as error:
                    candidates.append((candidate, str(error)))
        self.draw_preview(candidates, name or "(no name yet)")

    @work(thread=True, exclusive=True, group="new-database-preview")
    def draw_preview(
        self, candidates: list[tuple[str, Callable[[], State] | str]], shown: str
    ) -> None:
        problems = []
        markup = ""
        for candidate, build in candidates:
            try:
                if isinstance(build, str):
                    raise WizardError(build)
                state = build()
            except WizardError as error:
                problems.append(f"[$text-error]✗[/] {escape(str(error))}")
                continue
            markup = preview_markup(state, candidate, shown_name=shown)
            break
        if not get_current_worker().is_cancelled:
            text = "\n".join([*problems, markup] if markup else problems)
            self.app.call_from_thread(self.query_one("#new-database-preview", Static).update, text)

    def on_resize(self) -> None:
        """Wide enough for the preview now (the class is set on resize): draw it."""
        self.call_after_refresh(self.show_preview)

    def unused_name(self) -> str:
        """A name no database has, to preview the form before a name is typed."""
        taken = {d.name for d in self.saved_state.databases}
        return next(
            f"new-database-{n}" for n in range(len(taken) + 1) if f"new-database-{n}" not in taken
        )

    @on(Input.Changed)
    def field_changed(self, event: Input.Changed) -> None:
        """Say what is wrong under the field itself, as it is typed."""
        self.show_field_error(event.input, event.validation_result)
        self.request_preview()

    def show_field_error(self, field: Input, result) -> None:
        errors = self.query(f"#{field.id}-error")
        if not errors:
            return
        message = ""
        if result is not None and not result.is_valid:
            message = "✗ " + "; ".join(result.failure_descriptions)
        error = errors.first(Static)
        error.update(escape(message))
        error.set_class(bool(message), "-shown")

    def build(self, name: str | None = None) -> State:
        """The state with the form's database added (named `name` when given)."""
        return self.building(name)()

    def building(self, name: str | None = None) -> Callable[[], State]:
        """Read the form now; the returned call builds the state from what was read. Building
        copies the whole state (about 0.6 s at 5,000 databases), so the preview runs it in a
        worker thread, away from the keystrokes."""
        name = name or self.query_one("#name", Input).value.strip()
        port_text = self.query_one("#port", Input).value.strip()
        if not port_text.isdigit():
            raise WizardError("the port must be a number (1-65535)")
        database_type = self.database_type()
        participants = (
            list(self.query_one("#participants", SelectionList).selected)
            if database_type == DatabaseType.ACTIVE_ACTIVE
            else []
        )
        sources = (
            split_sources(self.query_one("#replica-of", Input).value)
            if database_type == DatabaseType.STANDARD
            else []
        )
        encrypted = self.query_one("#source-encryption", Switch).value
        source_changes = [
            SourceUpdate(
                uri,
                encryption=encrypted,
                server_certificate=self.source_certificate if encrypted else None,
            )
            for uri in sources
        ]
        replica_clusters = (
            list(self.query_one("#replica-clusters", SelectionList).selected)
            if database_type == DatabaseType.STANDARD
            else []
        )
        tls = None
        if self.query_one("#tls", Switch).value:
            tls = TlsUpdate(
                enabled=True,
                mode=self.mode(),
                enforce_client_auth=self.query_one("#client-auth", Switch).value,
                add_certificates=list(self.certificates),
            )
        saved = self.saved_state

        def build() -> State:
            state = create_database(
                saved,
                name,
                int(port_text),
                type=database_type,
                sources=source_changes,
                participants=participants,
                tls=tls,
                replica_clusters=replica_clusters,
            )
            if tls is not None:
                # The documented rule: the syncer certificate of every participating cluster,
                # and of every cluster hosting a replica, is needed.
                for cluster in [*participants, *replica_clusters]:
                    if state.syncer_certificate_of(cluster) is not None:
                        state = add_participant_syncer(state, name, cluster)
            return state

        return build

    # -- actions ------------------------------------------------------------------------------

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        problems = self.query_one("#problems", Static)
        invalid = [i for i in self.query(Input) if not i.disabled and not i.is_valid]
        if invalid:
            for field in invalid:
                self.show_field_error(field, field.validate(field.value))
            problems.update("✗ fix the fields marked in red first")
            invalid[0].focus()
            return
        try:
            state = self.build()
        except WizardError as error:
            problems.update(f"✗ {escape(str(error))}")
            return
        name = self.query_one("#name", Input).value.strip()
        problems.update("")
        if self.app.commit(state, f"db create {name}"):
            self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def pressed_cancel(self) -> None:
        self.action_leave()

    @on(Button.Pressed, "#source-certificate")
    def action_source_certificate(self) -> None:
        from ..dialogs.paste import SOURCE_PROXY, PasteCertificatesDialog, one_source_certificate

        def pasted(certificates: list[CertificateInfo] | None) -> None:
            certificate = one_source_certificate(self, certificates)
            if certificate is None:
                return
            self.source_certificate = certificate
            self.refresh_form()

        self.app.push_screen(
            PasteCertificatesDialog(
                "The source cluster's proxy certificate (its general settings)",
                expects=SOURCE_PROXY,
            ),
            pasted,
        )

    @on(Button.Pressed, "#add-certificates")
    def action_add_certificates(self) -> None:
        if not self.query_one("#tls", Switch).value:
            self.notify("Turn TLS on first (Advanced Options).", severity="warning")
            return
        from ..dialogs.paste import PasteCertificatesDialog

        def added(certificates: list[CertificateInfo] | None) -> None:
            for certificate in certificates or []:
                if certificate.sha256 not in {c.sha256 for c in self.certificates}:
                    self.certificates.append(certificate)
            self.refresh_form()

        self.app.push_screen(PasteCertificatesDialog("Certificates for the new database"), added)

    def action_leave(self) -> None:
        filled = (
            self.query_one("#name", Input).value.strip()
            or self.certificates
            or self.source_certificate
        )
        if not filled:
            self.dismiss(None)
            return
        from ..dialogs.confirm import UnsavedChangesDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(UnsavedChangesDialog("a new database"), answered)
