"""Step 1, Enable: TLS on or off and "Enforce client authentication" (selected by default).

An Active-Active database's TLS switch follows the cluster's version: locked before 7.8
(the documentation: it cannot be enabled or turned off after creation), through
`crdb-cli crdb update --encryption` from 7.8.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static, Switch

from state.model import TlsSettings
from state.tls_effect import client_auth_effect
from state.tls_form import TlsForm
from state.versions import aa_tls_toggle
from state.vocabulary import TlsMode

from ...text import escape
from .details import StepDetails
from .steps import Step, StepView

AA_LOCK = (
    "Locked: Redis Enterprise {version} cannot enable or disable TLS of an Active-Active "
    "database after it is created (it was created {how} TLS; possible from 7.8). Its TLS "
    "configuration can still be changed."
)
AA_TOGGLE = (
    "Active-Active (created {how} TLS): from Redis Enterprise 7.8, turning TLS on or off "
    "goes through `crdb-cli crdb update --encryption`; the Review step shows the command."
)
AA_TOGGLE_UNKNOWN = (
    "Active-Active (created {how} TLS): turning TLS on or off works only from Redis "
    "Enterprise 7.8 (crdb-cli); the cluster's version is not known (cluster screen, v)."
)
ENABLE_ABOUT = (
    "As the admin console's TLS page has it: enable TLS, then choose whether clients must "
    'authenticate; "Enforce client authentication" is selected by default, and turning it '
    "off means encryption without authentication."
)
CLIENT_AUTH_ON = (
    "Clients must present a certificate signed by, or equal to, one of the database's "
    "certificates (next steps)."
)
CLIENT_AUTH_OFF = (
    "Off: encryption without authentication. Traffic is encrypted, but any client "
    "may connect; no client certificate is asked for."
)


def client_auth_text(mode: TlsMode, enforced: bool) -> str:
    """The Enable step's line under "Enforce client authentication", true for the mode: in
    Replica Of only and CRDB only modes it is about the link, and clients use plain text."""
    if mode == TlsMode.ALL:
        return CLIENT_AUTH_ON if enforced else CLIENT_AUTH_OFF
    effect = client_auth_effect(TlsSettings(enabled=True, mode=mode, enforce_client_auth=enforced))
    effect = effect.removeprefix("client authentication is off: ")
    return (effect[0].upper() + effect[1:] if enforced else f"Off: {effect}") + "."


class EnableStep(StepView):
    """The TLS switch (maybe locked, with why) and the client authentication switch."""

    STEP = Step.ENABLE

    def compose(self) -> ComposeResult:
        database = self.database
        version = self.saved.cluster.version
        toggle = aa_tls_toggle(version) if database.is_active_active else True
        locked = toggle is False
        how = "with" if database.created_with_tls else "without"
        form = self.form
        with Vertical(classes="step-body"):
            with VerticalScroll(classes="step-content"):
                with Horizontal(classes="toggle-row"):
                    yield Switch(form.enabled, id="tls-enabled", disabled=locked)
                    yield Label("TLS")
                if locked:
                    text = AA_LOCK.format(how=how, version=version)
                    yield Static(escape(text), id="tls-locked", classes="locked")
                elif database.is_active_active:
                    text = (AA_TOGGLE if toggle else AA_TOGGLE_UNKNOWN).format(how=how)
                    yield Static(escape(text), id="tls-aa-toggle", classes="explain")
                else:
                    yield Static(
                        "Encrypt connections to this database.", id="tls-explain", classes="explain"
                    )
                with Horizontal(classes="toggle-row"):
                    yield Switch(form.enforce_client_auth, id="client-auth")
                    yield Label("Enforce client authentication")
                yield Static("", id="client-auth-explain", classes="explain")
            yield StepDetails()

    def show_form(self, form: TlsForm) -> None:
        self.set_switch("#tls-enabled", form.enabled)
        self.set_switch("#client-auth", form.enforce_client_auth)
        explain = self.query_one("#client-auth-explain", Static)
        explain.update(client_auth_text(form.mode, form.enforce_client_auth))
        explain.set_class(not form.enforce_client_auth, "locked")
        self.query_one(StepDetails).show(self.details(form, ENABLE_ABOUT))

    @on(Switch.Changed, "#tls-enabled")
    def tls_switched(self, event: Switch.Changed) -> None:
        self.form.enabled = event.value
        self.edited()

    @on(Switch.Changed, "#client-auth")
    def client_auth_switched(self, event: Switch.Changed) -> None:
        self.form.enforce_client_auth = event.value
        self.edited()
