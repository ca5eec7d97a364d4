"""The cluster as a whole on the home screen: its certificates, its databases, its findings.

Beside the table's rows in a wide terminal (under the table, left of the highlighted
database's details), and in place of the details when no row is highlighted (a filter that
matches nothing, no databases yet), so the screen still answers "how is this cluster?".
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from state.certificates import describe_pem
from state.findings import Finding
from state.model import State

from ..text import escape
from .days import expiry_markup
from .findings import findings_markup
from .hanging import HangingStatic

SHOWN_FINDINGS = 8
"""Findings listed by name; the rest are counted (the status column has them all)."""
SHOWN_NAMES = 5
"""Database names listed per TLS setting; the rest are counted."""


def certificate_line(state: State, label: str, sha: str | None) -> list[str]:
    """`label`: its subject's CN and expiry, and who issued it."""
    pem = state.certificates.get(sha) if sha else None
    if pem is None:
        return [f"[dim]{label}[/] [$text-error]none[/]"]
    info = describe_pem(pem)
    issuer = "itself (self-signed)" if info.self_signed else info.issuer_cn or info.issuer
    return [
        f"[dim]{label}[/] {escape(info.label)}",
        f"  [dim]expires[/] {expiry_markup(info)}  [dim]issued by[/] {escape(issuer)}",
    ]


def certificates_markup(state: State) -> list[str]:
    """The proxy and syncer certificates, then each participant's syncer certificate (the
    facts under the header say how many days each has left; this says which it is)."""
    cluster = state.cluster
    lines: list[str] = []
    for role in ("proxy", "syncer"):
        ref = cluster.certificate(role)
        lines += certificate_line(state, f"{role} certificate", ref.certificate if ref else None)
    for participant in state.participants:
        lines += certificate_line(
            state, f"{escape(participant.name)} syncer", participant.syncer_certificate
        )
    return lines


def names_markup(names: list[str]) -> str:
    """A few names and how many more: a cluster may hold thousands of databases."""
    shown = ", ".join(escape(name) for name in names[:SHOWN_NAMES])
    more = f" [dim]+{len(names) - SHOWN_NAMES} more[/]" if len(names) > SHOWN_NAMES else ""
    return (shown + more) or "none"


def databases_markup(state: State) -> list[str]:
    """Which databases use TLS in which mode, which have it off, and where client
    authentication is not enforced."""
    databases = state.databases
    if not databases:
        return ["No databases yet."]
    by_mode: dict[str, list[str]] = {}
    for database in databases:
        if database.tls.enabled:
            by_mode.setdefault(database.tls.mode.label, []).append(database.name)
    lines = [f"{len(databases)} database{'s' if len(databases) != 1 else ''}"]
    lines += [f"  [dim]{escape(mode)}:[/] {names_markup(names)}" for mode, names in by_mode.items()]
    off = [d.name for d in databases if not d.tls.enabled]
    unauthenticated = [d.name for d in databases if d.tls.enabled and not d.tls.enforce_client_auth]
    lines.append(f"  [dim]TLS off:[/] {names_markup(off)}")
    lines.append(f"  [dim]client authentication not enforced:[/] {names_markup(unauthenticated)}")
    return lines


def findings_summary(findings: list[Finding]) -> list[str]:
    """The first findings of the whole cluster, and how many more there are."""
    lines = [findings_markup(findings[:SHOWN_FINDINGS], empty="No findings: all rules pass.")]
    if len(findings) > SHOWN_FINDINGS:
        lines.append(f"[dim]… and {len(findings) - SHOWN_FINDINGS} more[/]")
    return lines


class ClusterSummary(VerticalScroll, can_focus=False):
    """The cluster's certificates, its databases by TLS setting, and its findings."""

    DEFAULT_CSS = """
    ClusterSummary {
        height: 1fr;
        padding: 0 1;
    }
    ClusterSummary > Static {
        height: auto;
    }
    """

    def compose(self) -> ComposeResult:
        yield HangingStatic("", id="cluster-summary-text")

    def show(self, state: State, findings: list[Finding]) -> None:
        """Redraw from `state` and its findings (all of them, cluster and databases)."""
        lines = [
            "[b $text-primary]Cluster[/]",
            *certificates_markup(state),
            "[b $text-primary]Databases[/]",
            *databases_markup(state),
            "[b $text-primary]Findings across the cluster[/]",
            *findings_summary(findings),
        ]
        self.query_one("#cluster-summary-text", Static).update("\n".join(lines))
