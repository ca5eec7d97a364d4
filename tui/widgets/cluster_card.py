"""A card for the proxy or the syncer certificate: the inspector's details and findings.

Focusable, so the cluster screen's actions (replace, inspect) apply to the card the
keyboard is on. In a tall terminal a card says more: every detail, the findings in full
sentences, and what replacing the certificate would also need (state/rotation.py).
"""

from __future__ import annotations

from state import clock
from state.certificates import CertificateInfo, check, describe_pem
from state.findings import Finding, sort_findings
from state.model import State
from state.rotation import follow_ups
from state.vocabulary import CertificateRole

from ..text import escape
from .findings import SEVERITY_STYLE, count_label, finding_markup
from .hanging import HangingStatic
from .inspector_details import detail_rows


def cluster_certificates(state: State, role: str) -> list[CertificateInfo]:
    """The role's certificate and its chain, leaf first, as the core describes them."""
    ref = state.cluster.certificate(role)
    if ref is None:
        return []
    return [
        describe_pem(state.certificates[sha])
        for sha in [ref.certificate, *ref.chain]
        if sha in state.certificates
    ]


class ClusterCard(HangingStatic, can_focus=True):
    """One of the two cluster certificates; call `show` with the state to redraw."""

    DEFAULT_CSS = """
    ClusterCard {
        height: 100%;
        border: round $primary-muted;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
    }
    ClusterCard:focus {
        border: round $accent;
        background: $boost;
    }
    """

    def __init__(self, role: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.role = role
        self.border_title = CertificateRole(role).label
        self.certificates: list[CertificateInfo] = []
        self.findings: list[Finding] = []

    def show(self, state: State, *, full: bool = False) -> None:
        """Redraw from `state`; `full` when the screen has the rows for every detail."""
        self.certificates = cluster_certificates(state, self.role)
        if not self.certificates:
            self.findings = []
            self.border_subtitle = ""
            self.update(
                f"[$text-error]No {self.role} certificate.[/] Replace (r) creates a key and a CSR."
            )
            return
        leaf = self.certificates[0]
        self.findings = check(
            self.certificates, self.role, fqdn=state.cluster.fqdn, now=clock.now()
        )
        label, style = count_label(self.findings)
        self.border_subtitle = f"[$text-{style}]{label}[/]"
        chain = ""
        if len(self.certificates) > 1:
            names = " -> ".join(c.label for c in self.certificates[1:])
            chain = f"\n[b]{'Chain':<7}[/]  {escape(names)}"
        problems = [f for f in self.findings if f.severity != "info"]
        lines = [f"[dim]{CertificateRole(self.role).meaning}[/]", card_details(leaf, full=full)]
        if chain:
            lines.append(chain.lstrip("\n"))
        if full:
            lines += [finding_markup(f, show_where=False) for f in sort_findings(problems)]
            lines += replacing_markup(state, self.role)
        elif problems:
            lines.append(codes_markup(problems))
        self.update("\n".join(lines))


def card_details(certificate: CertificateInfo, *, full: bool) -> str:
    """The inspector's short rows; `full` names every SAN instead of the first and a count."""
    rows = detail_rows(certificate, full=False)
    if full:
        names = ", ".join(san.removeprefix("DNS:") for san in certificate.sans) or "none"
        rows = [(label, escape(names) if label == "SANs" else value) for label, value in rows]
    return "\n".join(f"[b]{label:<7}[/]  {value}" for label, value in rows)


def replacing_markup(state: State, role: str) -> list[str]:
    """What replacing this certificate also needs (the updating-certificates page)."""
    needs = follow_ups(state, role).lines()
    if not needs:
        return []
    return ["[b]Replacing it also needs[/]", *(f"[dim]·[/] {escape(line)}" for line in needs)]


def codes_markup(findings: list[Finding]) -> str:
    """Findings by code only ('! self-signed'): a card has no room for the sentences;
    Enter opens the inspector with them in full."""
    return "  ".join(
        f"[{SEVERITY_STYLE[f.severity]} bold]{'✗' if f.severity == 'error' else '!'}[/] "
        f"{escape(f.code)}"
        for f in sort_findings(findings)
    )
