"""One certificate as a card: who it names, who issued it, its role, expiry and findings.

Cards are focusable so the keyboard can walk them; the screen that shows them binds
Enter (inspect) and Delete (remove) to the focused card.
"""

from __future__ import annotations

from collections.abc import Sequence

from state import clock
from state.certificates import CertificateInfo, check
from state.findings import Finding

from ..text import escape
from .days import expiry_markup
from .findings import count_label, finding_markup
from .hanging import HangingStatic


def badges_markup(findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    badges = []
    if errors:
        badges.append(f"[$error on $error-muted] ✗ {errors} [/]")
    if warnings:
        badges.append(f"[$warning on $warning-muted] ! {warnings} [/]")
    if not badges:
        badges.append("[$success on $success-muted] ✓ [/]")
    return " ".join(badges)


class CertificateCard(HangingStatic, can_focus=True):
    """A card for one certificate; `note` says where it comes from (new, syncer of ...)."""

    DEFAULT_CSS = """
    CertificateCard {
        height: auto;
        border: round $primary-muted;
        padding: 0 1;
        margin: 0 0 0 0;
    }
    CertificateCard:focus {
        border: round $accent;
        background: $boost;
    }
    """

    def __init__(
        self,
        certificate: CertificateInfo,
        *,
        note: str = "",
        context: str = "client",
        alongside: Sequence[CertificateInfo] = (),
        **kwargs,
    ) -> None:
        self.certificate = certificate
        self.note = note
        self.findings = check([certificate], context, now=clock.now(), alongside=alongside)
        super().__init__(self.card_markup(), **kwargs)

    def card_markup(self) -> str:
        certificate = self.certificate
        issuer = f"CN={certificate.issuer_cn}" if certificate.issuer_cn else certificate.issuer
        note = f"  [$text-accent]{escape(self.note)}[/]" if self.note else ""
        status, _style = count_label(self.findings)
        lines = [
            f"[b]{escape(certificate.label)}[/]  [dim]{certificate.role}[/]  "
            f"{badges_markup(self.findings)}{note}",
            f"[dim]issuer[/] {escape(issuer)}  [dim]expires[/] {expiry_markup(certificate)}  "
            f"[dim]sha256[/] {certificate.sha256[:12]}",
        ]
        lines.extend(finding_markup(f, show_where=False) for f in self.findings[:3])
        if len(self.findings) > 3:
            lines.append(f"[dim]… {len(self.findings) - 3} more ({status}); Enter inspects[/]")
        return "\n".join(lines)
