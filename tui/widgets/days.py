"""Days left until a certificate expires, coloured: what an operator looks at first."""

from __future__ import annotations

from state import clock
from state.certificates import CertificateInfo

WARN_DAYS = 30
"""Under a month left is a warning colour; renewals take time to get through a CA."""


def days_left_markup(certificate: CertificateInfo | None) -> str:
    """'362 days' in green, '12 days' in yellow, 'expired 3 days ago' in red (Content markup)."""
    if certificate is None:
        return "[$text-error]none[/]"
    days = certificate.days_left(clock.now())
    if days < 0:
        return f"[$text-error bold]expired {-days} day{'s' if days != -1 else ''} ago[/]"
    style = "$text-warning" if days < WARN_DAYS else "$text-success"
    return f"[{style}]{days} day{'s' if days != 1 else ''} left[/]"


def expiry_markup(certificate: CertificateInfo) -> str:
    """The notAfter date and the coloured days left."""
    return f"{certificate.not_after:%Y-%m-%d} ({days_left_markup(certificate)})"
