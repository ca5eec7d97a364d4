"""The details beside a step (below it in a narrow terminal): what the pending settings do.

Every step shows the same short account of the form as it stands, so the user sees the
effect of an edit where it is made: the settings after Update against the saved ones,
what they do to the traffic (state/tls_effect.py, the words `db show` uses), the REST
`tls_mode` the cluster would get, and how a client then connects (the enable-tls page's
redis-cli line).
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from state.enterprise.rest import rest_export, shown_body, tls_mode
from state.errors import WizardError
from state.findings import Finding
from state.model import Database, State, TlsSettings
from state.tls_effect import client_auth_effect, mode_effect
from state.tls_form import TlsForm
from state.vocabulary import SubjectValidation, TlsMode

from ...text import escape
from ...widgets.findings import findings_markup


def pending_tls(form: TlsForm, database: Database) -> TlsSettings:
    """The switches and the mode as the form has them (certificates and names aside)."""
    return replace(
        database.tls,
        enabled=form.enabled,
        mode=form.mode,
        enforce_client_auth=form.enforce_client_auth,
    )


def setting_rows(form: TlsForm, database: Database) -> list[tuple[str, str, str]]:
    """(setting, after Update, saved) for the settings the steps edit."""
    saved = database.tls
    names = ", ".join(form.names()) if form.subject_validation == SubjectValidation.SAN else ""
    if form.subject_validation == SubjectValidation.FULL_SUBJECT:
        names = f"{len(form.subjects())} subject(s)"
    saved_names = (
        ", ".join(saved.authorized_names)
        if saved.subject_validation == SubjectValidation.SAN
        else ""
    )
    if saved.subject_validation == SubjectValidation.FULL_SUBJECT:
        saved_names = f"{len(saved.authorized_subjects)} subject(s)"
    new = len([sha for sha in form.certificates if sha not in saved.certificates])
    gone = len([sha for sha in saved.certificates if sha not in form.certificates])
    certificates = f"{len(form.certificates)} trusted"
    if new or gone:
        certificates += f" (+{new} -{gone})"
    return [
        ("TLS", on_off(form.enabled), on_off(saved.enabled)),
        ("Client auth", on_off(form.enforce_client_auth), on_off(saved.enforce_client_auth)),
        ("Mode", form.mode.label, saved.mode.label),
        ("Certificates", certificates, f"{len(saved.certificates)} trusted"),
        (
            "Names check",
            form.subject_validation.label,
            saved.subject_validation.label,
        ),
        ("Names", names or "-", saved_names or "-"),
    ]


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def on_off(value: bool) -> str:
    return "on" if value else "off"


def connect_command(tls: TlsSettings, port: int) -> str:
    """The redis-cli line a client uses once the settings apply (enable-tls, "Connect")."""
    command = f"redis-cli -h <endpoint> -p {port}"
    if not tls.enabled or tls.mode != TlsMode.ALL:
        return command + "   (plain text: clients are not on TLS)"
    command += " --tls --cacert proxy_cert.pem"
    if tls.enforce_client_auth:
        command += " --cert client.crt --key client.key"
    return command


def request_lines(after: State | None, problem: str | None, name: str) -> list[str]:
    """What the cluster gets for this database: its REST request(s), or why there is none."""
    if after is None:
        return [f"[$text-error]✗[/] {escape(problem or 'the change cannot be built')}"]
    try:
        export = rest_export(after, name)
    except WizardError as error:
        return [f"[$text-error]✗[/] {escape(str(error))}"]
    lines = []
    for request in export.requests:
        if not request.path.startswith("/v1/bdbs/"):
            continue
        lines.append(f"{request.method} {escape(request.path)}")
        lines += [escape(line) for line in shown_body(request).splitlines()]
    return lines or ["[dim]no database request[/]"]


def details_markup(
    form: TlsForm,
    database: Database,
    about: str,
    labels: dict[str, str],
    pending: tuple[State | None, str | None],
    findings: list[Finding] | None = None,
) -> str:
    """The panel's text: `about` (the step's own note), the pending settings with the
    trusted certificates (`labels`, by SHA-256), the rules' `findings` on the pending state
    (as Review lists them, seen while editing), and the REST request of the pending state."""
    tls = pending_tls(form, database)
    lines = []
    if about:
        lines.append(escape(about))
    lines.append("[b]After Update[/]  [dim](saved value where it differs)[/]")
    for setting, after, saved in setting_rows(form, database):
        changed = f"  [$text-warning]was {escape(saved)}[/]" if after != saved else ""
        lines.append(f"[dim]{setting:<13}[/]{escape(after)}{changed}")
        if setting == "Certificates":
            lines += [f"[dim]  ·[/] {escape(label)}" for label in labels.values()]
    with_mode = replace(database, tls=tls)
    lines += [
        "[b]What it does[/]",
        f"{escape(capitalized(mode_effect(tls)))}.",
    ]
    if tls.enabled:
        lines.append(f"{escape(capitalized(client_auth_effect(tls)))}.")
    lines += [
        f"[dim]REST tls_mode[/] {tls_mode(with_mode)}",
    ]
    if findings is not None:
        lines += ["[b]Findings after Update[/]", findings_markup(findings, empty="No findings.")]
    lines += [
        "[b]A client connects with[/]",
        escape(connect_command(tls, database.port)),
        "[b]The cluster gets[/]",
        *request_lines(*pending, database.name),
    ]
    return "\n".join(lines)


class StepDetails(VerticalScroll):
    """The panel; the step fills it through `show`."""

    DEFAULT_CSS = """
    StepDetails {
        height: 1fr;
        padding: 0 1;
    }
    StepDetails > Static {
        width: 100%;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", classes="details-text")

    shown = ""

    def show(self, markup: str) -> None:
        if markup != self.shown:
            self.shown = markup
            self.query_one(".details-text", Static).update(markup)
