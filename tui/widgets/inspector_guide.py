"""What the certificate inspector does, shown in its details pane until something is pasted.

The thresholds are read from the checks themselves (state/certificates/checks.py), so the
guide says what the inspector will actually judge, for the use it is checking as.
"""

from __future__ import annotations

from state.certificates.checks import (
    CODES,
    EXPIRY_WARNING_DAYS,
    MIN_BITS,
    SELF_SIGNED_SEVERITY,
    TLS_CURVES,
    WEAK_HASHES,
    cluster_names,
)
from state.vocabulary import CertificateRole, CertificateUse

from ..text import escape


def uses_markup(current: str) -> list[str]:
    """Every use the inspector can check for, the current one marked."""
    lines = []
    for use in CertificateUse:
        mark = "[b]▸[/]" if use.value == current else " "
        lines.append(
            f"{mark} [b]{escape(use.short)}[/]: {escape(use.label)} ({escape(use.meaning)})"
        )
    return lines


def checks_markup(fqdn: str | None, use: str = CertificateUse.ANY) -> list[str]:
    """What each check judges: the line every use shares, then the lines of `use` (all
    of them for any use). The inspector's guide and the paste dialog say the same."""
    keys = ", ".join(f"{kind} {bits}" for kind, bits in MIN_BITS.items())
    hashes = ", ".join(sorted(hash_name.upper() for hash_name in WEAK_HASHES))
    server_side = CertificateRole.values()
    covered = f" ({escape(fqdn)})" if fqdn else ""
    lines = [
        f"· every use: the validity dates (expired, not yet valid, or ending within "
        f"{EXPIRY_WARNING_DAYS} days), the key (at least {keys} bits), the signature "
        f"(not {hashes}), and whether it is self-signed"
    ]
    if use in (CertificateUse.ANY, CertificateUse.CLIENT, CertificateUse.CA):
        lines.append(
            "· client and CA: whether the certificate can authenticate clients, and whether "
            "a leaf comes with the CA that signed it"
        )
    if use == CertificateUse.ANY or use in server_side:
        lines.append(
            f"· {' and '.join(server_side)}: the leaf first and the chain in order, "
            f"serverAuth and clientAuth, SANs that cover the cluster's FQDN{covered}"
        )
    return lines


def thresholds_markup(fqdn: str | None) -> list[str]:
    """The figures the checks judge by, one per line under the finding code they raise,
    so a finding read later can be traced to its rule."""
    width = max(len(code) for code in CODES) + 2
    hashes = ", ".join(sorted(hash_name.upper() for hash_name in WEAK_HASHES))
    by_severity: dict[str, list[str]] = {}
    for use, severity in SELF_SIGNED_SEVERITY.items():
        by_severity.setdefault(severity, []).append(CertificateUse(use).short)
    self_signed = "; ".join(f"{sev} as {', '.join(uses)}" for sev, uses in by_severity.items())

    def row(code: str, rule: str) -> str:
        return f"[b]{code:<{width}}[/]{escape(rule)}"

    lines = [
        "[b $text-primary]Thresholds[/] [dim](finding code, then what raises it)[/]",
        row("expires-soon", f"a certificate ending within {EXPIRY_WARNING_DAYS} days"),
        *(row("weak-key", f"a key of {kind} under {bits} bits") for kind, bits in MIN_BITS.items()),
        row("weak-signature", f"a signature made with {hashes}"),
        row(
            "curve-without-tls-signatures",
            "an EC leaf key on a curve other than " + ", ".join(sorted(TLS_CURVES)),
        ),
        row("self-signed", self_signed),
    ]
    if fqdn:
        names = cluster_names(fqdn)
        rule = (
            f"a proxy or syncer leaf not covering {', '.join(names)} "
            f"(a self-signed one: {', '.join(names[:2])})"
        )
        lines.append(row("san-mismatch", rule))
    lines += [
        "[b $text-primary]Every finding code[/]",
        escape(", ".join(CODES)),
    ]
    return lines


def guide_markup(current: str, fqdn: str | None) -> str:
    """The guide for checking as `current`; `fqdn` is the cluster's, for the SAN check."""
    return "\n".join(
        [
            "[b $text-primary]What the inspector shows[/]",
            "One certificate or a whole bundle: the chain on the left (leaf, intermediates, "
            "root), the highlighted certificate's details here, the findings below.",
            "[b $text-primary]Checked as[/] [dim](^t changes it)[/]",
            *uses_markup(current),
            "[b $text-primary]What is checked[/]",
            *checks_markup(fqdn),
            "· a leaf pasted with its root: the chain is verified as a database verifies a client",
            "A pasted private key is wiped from the text at once and never kept.",
            *thresholds_markup(fqdn),
            "[b $text-primary]Elsewhere[/]",
            "· the cluster's proxy and syncer certificates: the Cluster screen, ⏎ on a card",
            f"· from a shell: tls-wizard inspect FILE --as {'|'.join(CertificateUse.specific())} "
            "(--trust FILE: would a database trusting FILE accept it; --key FILE: does the key "
            "match); exit 1 on errors",
        ]
    )
