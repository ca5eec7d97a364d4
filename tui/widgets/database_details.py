"""The highlighted database on the home screen: its TLS settings, certificates and findings.

Beside the table in a wide terminal, below it in a narrow one, so an operator sees what a
row means (which certificates, how long they last, what the rules say) without opening the
wizard.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from state.certificates import CertificateInfo, describe_pem
from state.findings import Finding
from state.model import Database, State
from state.tls_effect import client_auth_effect, mode_effect

from ..text import escape
from .days import expiry_markup
from .findings import FindingsView
from .hanging import HangingStatic
from .inspector_details import compact_sans, key_text


def overview_markup(state: State, database: Database, *, shown_name: str | None = None) -> str:
    """Name (or `shown_name`: a form may have none yet), type, where clients connect; the
    Replica Of sources and participants."""
    kind = database.type.label
    lines = [
        f"[b]{escape(database.name if shown_name is None else shown_name)}[/]  {kind}",
        f"[dim]endpoint[/] redis-{database.port}.{escape(state.cluster.fqdn)}:{database.port}",
    ]
    for source in database.replica_sources:
        link = "encrypted" if source.encryption else "not encrypted"
        lines.append(f"[dim]Replica Of[/] {escape(source.uri)} ({link})")
    if database.participants:
        names = ", ".join(escape(p) for p in database.participants)
        lines.append(f"[dim]participants[/] {names}")
    if database.replica_clusters:
        names = ", ".join(escape(c) for c in database.replica_clusters)
        lines.append(f"[dim]replicas on[/] {names}")
    if database.is_active_active:
        lines.append(f"created {'with' if database.created_with_tls else 'without'} TLS")
    return "\n".join(lines)


def tls_markup(database: Database) -> str:
    """The console's TLS form for this database, one setting a line."""
    tls = database.tls
    if not tls.enabled:
        return f"[$text-warning]off[/]: {escape(mode_effect(tls))}"
    auth = "enforced" if tls.enforce_client_auth else "[$text-warning]not enforced[/]"
    lines = [
        escape(tls.mode.label),
        f"[dim]client authentication[/] {auth}",
        f"[dim]subject validation[/] {escape(tls.subject_validation.label)}",
    ]
    if tls.authorized_names:
        lines.append("[dim]names[/] " + ", ".join(escape(name) for name in tls.authorized_names))
    lines.append(
        f"[dim]in effect:[/] {escape(mode_effect(tls))}; {escape(client_auth_effect(tls))}"
    )
    return "\n".join(lines)


def certificate_markup(info: CertificateInfo) -> str:
    """One trusted certificate: who, until when (days left), issued by whom, its names."""
    kind = " (CA)" if info.is_ca else ""
    issuer = f"CN={info.issuer_cn}" if info.issuer_cn is not None else info.issuer
    if info.self_signed:
        issuer = "itself (self-signed)"
    lines = [
        f"{escape(info.label)}{kind}",
        f"  [dim]expires[/] {expiry_markup(info)}",
        f"  [dim]issued by[/] {escape(issuer)}",
    ]
    if info.sans:
        lines.append("  [dim]SANs[/] " + escape(compact_sans(info, shown=3)))
    lines.append(f"  [dim]key[/] {escape(key_text(info))}")
    lines.append(f"  [dim]sha256[/] {info.sha256[:16]}…")
    return "\n".join(lines)


def certificates_markup(state: State, database: Database) -> str:
    """Each certificate the database trusts for client authentication."""
    if not database.tls.certificates:
        return "[dim]none[/]"
    blocks = []
    for reference in database.tls.certificates:
        pem = state.certificates.get(reference)
        if pem is None:
            blocks.append(f"[$text-error]missing[/] sha256 {escape(reference[:16])}…")
        else:
            blocks.append(certificate_markup(describe_pem(pem)))
    return "\n".join(blocks)


class DatabaseDetails(VerticalScroll, can_focus=False):
    """Overview, TLS settings, certificates and findings of one database; `show` redraws."""

    DEFAULT_CSS = """
    DatabaseDetails {
        height: 1fr;
        padding: 0 1;
    }
    DatabaseDetails > Static {
        height: auto;
    }
    DatabaseDetails .details-section {
        text-style: bold;
        color: $text-primary;
    }
    DatabaseDetails .details-body {
        padding: 0 0 0 2;
    }
    DatabaseDetails FindingsView {
        padding: 0 0 0 2;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="details-overview")
        yield Static("TLS", classes="details-section")
        yield HangingStatic("", id="details-tls", classes="details-body")
        yield Static("Certificates", classes="details-section", id="details-certificates-title")
        yield HangingStatic("", id="details-certificates", classes="details-body")
        yield Static("Findings", classes="details-section")
        yield FindingsView(id="database-findings", empty="No findings: all rules pass.")

    def show(self, state: State, database: Database, findings: list[Finding]) -> None:
        """Draw `database` with its `findings`."""
        self.query_one("#details-overview", Static).update(overview_markup(state, database))
        self.query_one("#details-tls", Static).update(tls_markup(database))
        count = len(database.tls.certificates)
        self.query_one("#details-certificates-title", Static).update(f"Certificates ({count})")
        self.query_one("#details-certificates", Static).update(certificates_markup(state, database))
        self.query_one(FindingsView).show([f.within_database() for f in findings])
