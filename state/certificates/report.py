"""The inspector's report: readable text for a terminal, and the JSON shape scripts use.

Both take what ``read``, ``check`` and ``verify_client`` returned and add nothing of their
own, so the screens, ``tls-wizard inspect`` and its ``--json`` always agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..findings import Finding, sort_findings
from ..text import visible
from .info import CertificateInfo, ReadResult, utcnow

if TYPE_CHECKING:
    from .verify import Verdict

_COLOURS = {"error": "31", "warning": "33", "info": "36", "ok": "32", "bold": "1", "dim": "2"}


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with a ``Z``, as the rest of the CLI writes times."""
    return moment.isoformat().replace("+00:00", "Z")


def item_index(result: ReadResult, where: str) -> int | None:
    """The 0-based item a finding is about: ``item N`` is the N-th item, ``certificate N``
    the N-th certificate (``check`` numbers the certificates it was given)."""
    match = re.fullmatch(r"(item|certificate) (\d+)", where)
    if not match:
        return None
    number = int(match.group(2))
    if match.group(1) == "item":
        return number - 1 if 0 < number <= len(result.items) else None
    positions = [i for i, item in enumerate(result.items) if item.certificate is not None]
    return positions[number - 1] if 0 < number <= len(positions) else None


def numbered(certificates: list[CertificateInfo]) -> Callable[[str], CertificateInfo | None]:
    """The certificate a ``certificate N`` finding is about, in ``certificates``."""

    def certificate_at(where: str) -> CertificateInfo | None:
        match = re.fullmatch(r"certificate (\d+)", where)
        number = int(match.group(1)) if match else 0
        return certificates[number - 1] if 0 < number <= len(certificates) else None

    return certificate_at


def outside_the_chain(
    findings: list[Finding],
    verdict: Verdict,
    certificate_at: Callable[[str], CertificateInfo | None],
) -> list[Finding]:
    """Errors about certificates the accepted chain does not use, said as such.

    The server judges the chain it builds; an expired extra intermediate or a stray root in
    the input does not stop it, so such an error becomes a warning that says so, and the
    report never reads "accepted" beside "the server refuses it".
    """
    if not verdict.accepted:
        return findings
    used = set(verdict.chain)
    adjusted = []
    for finding in findings:
        cert = certificate_at(finding.where)
        if finding.severity == "error" and cert is not None and cert.sha256 not in used:
            finding = replace(
                finding,
                severity="warning",
                message=f"not in the chain the server uses, so it does not stop this client: "
                f"{finding.message}",
            )
        adjusted.append(finding)
    return adjusted


def _certificate_json(cert: CertificateInfo | None) -> dict[str, Any]:
    if cert is None:
        keys = ("subject", "subject_cn", "issuer", "serial", "not_before", "not_after")
        empty: dict[str, Any] = dict.fromkeys(keys)
        empty.update(
            sha256=None,
            sans=None,
            is_ca=None,
            self_signed=None,
            key=None,
            signature_hash=None,
            key_usage=None,
            extended_key_usage=None,
        )
        return empty
    return {
        "subject": cert.subject,
        "subject_cn": cert.subject_cn,
        "issuer": cert.issuer,
        "serial": cert.serial,
        "not_before": iso(cert.not_before),
        "not_after": iso(cert.not_after),
        "sha256": cert.sha256,
        "sans": list(cert.sans),
        "is_ca": cert.is_ca,
        "self_signed": cert.self_signed,
        "key": {"type": cert.key_type, "bits": cert.key_bits},
        "signature_hash": cert.signature_hash,
        "key_usage": list(cert.key_usage),
        "extended_key_usage": list(cert.extended_key_usage),
    }


def to_json(result: ReadResult, findings: list[Finding], verdict: Verdict | None) -> dict:
    """The ``inspect --json`` document. ``findings`` should include the reader's own
    (``result.findings``) when the caller wants them listed; ``verdict`` only with --trust."""
    document: dict[str, Any] = {
        "items": [
            {"kind": item.kind, **_certificate_json(item.certificate)} for item in result.items
        ],
        "findings": [
            {
                "severity": f.severity,
                "code": f.code,
                "message": f.message,
                "item": item_index(result, f.where),
            }
            for f in findings
        ],
    }
    if verdict is not None:
        document["verdict"] = {
            "accepted": verdict.accepted,
            "chain": list(verdict.chain),
            "reason": verdict.reason,
            "openssl_error": verdict.error or None,
            "error_depth": verdict.depth,
            "decided_by": verdict.openssl or None,
        }
    return document


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        if not self.enabled:
            return text
        return f"\x1b[{_COLOURS[style]}m{text}\x1b[0m"


def _details(cert: CertificateInfo, now: datetime) -> list[tuple[str, str]]:
    days = cert.days_left(now)
    left = f"{days} days left" if days >= 0 else f"expired {-days} days ago"
    key = " ".join(
        part
        for part in (
            cert.key_type,
            f"{cert.key_bits} bits" if cert.key_bits else "",
            cert.key_curve or "",
        )
        if part
    )
    ca = "yes" if cert.is_ca else "no"
    if cert.is_ca and cert.path_length is not None:
        ca += f" (path length {cert.path_length})"
    rows = [
        ("role", cert.role),
        ("subject", cert.subject or "(empty)"),
        ("issuer", cert.issuer or "(empty)"),
        ("serial", cert.serial),
        (
            "valid",
            f"{cert.not_before:%Y-%m-%d %H:%M:%S} to {cert.not_after:%Y-%m-%d %H:%M:%S} UTC ({left})",
        ),
        ("sha256", cert.sha256),
        ("key", key),
        ("signature", cert.signature_hash or "(none)"),
        ("CA", ca),
        ("key usage", ", ".join(cert.key_usage) or "(none)"),
        ("ext. key usage", ", ".join(cert.extended_key_usage) or "(none: any)"),
        ("SANs", ", ".join(cert.sans) or "(none)"),
        ("self-signed", "yes" if cert.self_signed else "no"),
    ]
    if cert.unreadable:
        rows.append(("unreadable", ", ".join(cert.unreadable)))
    return rows


def render_text(
    result: ReadResult,
    findings: list[Finding],
    verdict: Verdict | None,
    *,
    color: bool,
    now: datetime | None = None,
) -> str:
    """The readable report: one line per item, then each certificate's details, then the
    findings (errors first) and the verdict."""
    now = now or utcnow()
    paint = _Paint(color)
    lines: list[str] = []
    for number, item in enumerate(result.items, 1):
        summary = item.certificate.short(now) if item.certificate else item.label
        lines.append(f"{number:>2}  {item.kind:<12} {visible(summary)}")
    if not result.items:
        lines.append("nothing readable in the input")
    for number, item in enumerate(result.items, 1):
        if item.certificate is None:
            continue
        lines.append("")
        lines.append(paint("bold", f"item {number}: {visible(item.certificate.label)}"))
        rows = _details(item.certificate, now)
        width = max(len(name) for name, _ in rows)
        lines += [f"  {name:<{width}}  {visible(value)}" for name, value in rows]
    lines.append("")
    if findings:
        lines.append(paint("bold", "findings"))
        for finding in sort_findings(list(findings)):
            where = f"{visible(finding.where)}: " if finding.where else ""
            severity = paint(finding.severity, f"{finding.severity:<7}")
            lines.append(f"  {severity}  {where}{visible(finding.message)} [{finding.code}]")
    else:
        lines.append(paint("ok", "no findings"))
    if verdict is not None:
        lines.append("")
        state = paint("ok", "accepted") if verdict.accepted else paint("error", "rejected")
        reason = verdict.reason.removeprefix("accepted: ")
        lines.append(f"{paint('bold', 'verdict')}  {state}: {visible(reason)}")
    return "\n".join(lines) + "\n"
