"""A new database, with TLS chosen at creation under "Advanced Options" (as the console does).

Choosing TLS here sets `created_with_tls`, which matters for Active-Active databases:
their TLS cannot be switched on or off later. The screen builds the new state with
`create_database` (the same operation as `tls-wizard db create`) and saves it through
`app.commit`; a refusal is shown on the form and nothing is lost.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
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

from state.certificates import CertificateInfo
from state.errors import WizardError
from state.model import State
from state.names import DATABASE_NAME_RULE, database_name_problem
from state.schema import valid_host_port
from state.transitions import SourceUpdate, TlsUpdate, add_participant_syncer, create_database
from state.vocabulary import DatabaseType, TlsMode

from ..text import escape
from ..widgets.frame import AppFooter, AppHeader
from ..widgets.mode_picker import ModePicker
from .base import AppScreen


def split_sources(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


class NewDatabaseScreen(AppScreen[str]):
    """Name, port, type, Replica Of or participants, and TLS under Advanced Options."""

    BINDINGS = [
        Binding("escape", "leave", "Cancel"),
        Binding("ctrl+s", "create", "Create", key_display="^s"),
        Binding("ctrl+t", "add_certificates", "Add certs", key_display="^t"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.certificates: list[CertificateInfo] = []
        self.source_certificate: CertificateInfo | None = None

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
    """
    """Create and Cancel sit below the scrolling form, so they are on screen at any size."""

    TITLE = "New database"

    def compose(self) -> ComposeResult:
        state = self.saved_state
        used_names = {d.name for d in state.databases}
        used_ports = {d.port for d in state.databases}
        free_port = max(used_ports, default=11999) + 1
        yield AppHeader()
        with VerticalScroll(classes="form"):
            yield Label("Name", classes="field-label")
            yield Input(
                placeholder="orders",
                id="name",
                validators=[
                    Function(lambda v: bool(v.strip()), "a database needs a name"),
                    Function(
                        lambda v: not v.strip() or database_name_problem(v.strip()) is None,
                        f"not a database name: {DATABASE_NAME_RULE}",
                    ),
                    Function(lambda v: v.strip() not in used_names, "that name is taken"),
                ],
            )
            yield Static("", id="name-error", classes="form-problems field-error")
            yield Label("Port", classes="field-label")
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
            with RadioSet(id="type"):
                yield RadioButton("Standard", value=True, id="type-standard")
                yield RadioButton("Active-Active", id="type-active-active")
            yield Label("Replica Of sources (host:port, comma-separated)", classes="field-label")
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
            yield Label(
                "Clusters hosting a replica of this database (it trusts their syncer certificates)",
                classes="field-label",
            )
            yield SelectionList[str](
                *[
                    (name, name)
                    for name in [state.cluster.name, *(p.name for p in state.participants)]
                ],
                id="replica-clusters",
            )
            yield Label("Participating clusters (Active-Active)", classes="field-label")
            yield SelectionList[str](
                *[(p.name, p.name) for p in state.participants], id="participants"
            )
            with Collapsible(title="Advanced Options: TLS", id="advanced", collapsed=False):
                with Horizontal(classes="switch-row"):
                    yield Switch(False, id="tls")
                    yield Label("TLS")
                with Horizontal(classes="switch-row"):
                    yield Switch(True, id="client-auth")
                    yield Label("Enforce client authentication")
                yield ModePicker(TlsMode.ALL, active_active=False, id="mode")
                with Horizontal(classes="switch-row"):
                    yield Button("Add certificates…", id="add-certificates", compact=True)
                    yield Static("No certificates yet.", id="certificate-count")
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

    @on(RadioSet.Changed)
    @on(Switch.Changed)
    def form_changed(self) -> None:
        self.refresh_form()

    @on(Input.Changed)
    def field_changed(self, event: Input.Changed) -> None:
        """Say what is wrong under the field itself, as it is typed."""
        self.show_field_error(event.input, event.validation_result)

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

    def build(self) -> State:
        name = self.query_one("#name", Input).value.strip()
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
        state = create_database(
            self.saved_state,
            name,
            int(port_text),
            type=database_type,
            sources=source_changes,
            participants=participants,
            tls=tls,
            replica_clusters=replica_clusters,
        )
        if tls is not None:
            # The documented rule: the syncer certificate of every participating cluster, and
            # of every cluster hosting a replica, is needed.
            for cluster in [*participants, *replica_clusters]:
                if state.syncer_certificate_of(cluster) is not None:
                    state = add_participant_syncer(state, name, cluster)
        return state

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
        from ..dialogs.paste import PasteCertificatesDialog, one_source_certificate

        def pasted(certificates: list[CertificateInfo] | None) -> None:
            certificate = one_source_certificate(self, certificates)
            if certificate is None:
                return
            self.source_certificate = certificate
            self.refresh_form()

        self.app.push_screen(
            PasteCertificatesDialog(
                "The source cluster's proxy certificate (its general settings)"
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
