"""One certificate's details as text: what the inspector and the cluster cards show.

Only formatting: every value comes from the core's `CertificateInfo`, so the screens show
exactly what the checks judged.
"""

from __future__ import annotations

from datetime import datetime

from state.certificates import CertificateInfo

from ..text import escape
from .days import days_left_markup

ROLE_NAMES = {"root-ca": "root CA", "intermediate-ca": "intermediate CA", "leaf": "leaf"}


def role_name(certificate: CertificateInfo) -> str:
    name = ROLE_NAMES.get(certificate.role, certificate.role)
    if certificate.role == "leaf" and certificate.self_signed:
        return "leaf, self-signed"
    return name


def key_text(certificate: CertificateInfo) -> str:
    """'RSA 2048', 'EC 256 (secp256r1)'."""
    bits = f" {certificate.key_bits}" if certificate.key_bits else ""
    curve = f" ({certificate.key_curve})" if certificate.key_curve else ""
    return f"{certificate.key_type}{bits}{curve}"


def _date(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def compact_sans(certificate: CertificateInfo, shown: int = 2) -> str:
    """The first names without their 'DNS:' prefix, and how many more."""
    names = [san.removeprefix("DNS:") for san in certificate.sans]
    if not names:
        return "none"
    more = f" +{len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def detail_rows(certificate: CertificateInfo, *, full: bool = True) -> list[tuple[str, str]]:
    """(label, markup) pairs, most telling first; `full` adds the long and rarely read ones."""
    if not full:
        return [
            ("Subject", escape(certificate.subject or "(empty)")),
            ("Issuer", escape(certificate.issuer or "(empty)")),
            ("Expires", f"{certificate.not_after:%Y-%m-%d}  {days_left_markup(certificate)}"),
            (
                "Key",
                f"{escape(key_text(certificate))}, {escape(certificate.signature_hash or '?')}",
            ),
            ("SANs", escape(compact_sans(certificate, shown=1))),
            ("EKU", escape(", ".join(certificate.extended_key_usage) or "none (any use)")),
        ]
    rows = [
        ("Subject", escape(certificate.subject or "(empty)")),
        ("Issuer", escape(certificate.issuer or "(empty)")),
        ("Role", role_name(certificate)),
        (
            "Expires",
            f"{_date(certificate.not_after)}  {days_left_markup(certificate)}",
        ),
        ("Key", escape(key_text(certificate))),
        ("Signature", escape(certificate.signature_hash or "unknown")),
        ("SANs", escape(", ".join(certificate.sans) or "none")),
        ("EKU", escape(", ".join(certificate.extended_key_usage) or "none (any use)")),
    ]
    if full:
        ca = "yes" if certificate.is_ca else "no"
        if certificate.is_ca and certificate.path_length is not None:
            ca += f" (path length {certificate.path_length})"
        rows[4:4] = [("Valid from", _date(certificate.not_before))]
        rows += [
            ("Key usage", escape(", ".join(certificate.key_usage) or "none")),
            ("CA", ca),
            ("Serial", escape(certificate.serial)),
            ("SHA-256", certificate.sha256),
        ]
        if certificate.unreadable:
            rows.append(
                ("Unreadable", f"[$text-warning]{escape(', '.join(certificate.unreadable))}[/]")
            )
    return rows


def details_markup(certificate: CertificateInfo, *, full: bool = True) -> str:
    rows = detail_rows(certificate, full=full)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"[b]{label:<{width}}[/]  {value}" for label, value in rows)
