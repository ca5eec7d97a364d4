"""The inspector's plain data: what a certificate says, and what an input held.

These dataclasses import nothing heavy, so screens and commands can name them without
loading cryptography; the modules that fill them in do that work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import clock
from ..findings import Finding

ROLES = ("root-ca", "intermediate-ca", "leaf")
KINDS = ("certificate", "private-key", "csr", "public-key", "crl", "pkcs12", "unknown")
SUBJECT_FIELDS = ("CN", "O", "OU", "L", "ST", "C")


def utcnow() -> datetime:
    """The core's clock (``state.clock``), so a fixed ``TLS_WIZARD_NOW`` fixes "days left"."""
    return clock.now()


@dataclass(frozen=True)
class CertificateInfo:
    """Everything the wizard shows or checks about one certificate.

    Built by ``describe``; fields that could not be read are empty (or ``None``) and named
    in ``unreadable``, so one bad extension never hides the rest of the certificate.
    """

    pem: str
    sha256: str
    subject: str
    subject_cn: str | None
    subject_attributes: dict[str, str] = field(hash=False)
    issuer: str
    issuer_cn: str | None
    serial: str
    not_before: datetime
    not_after: datetime
    sans: tuple[str, ...]
    dns_names: tuple[str, ...]
    is_ca: bool
    path_length: int | None
    key_type: str
    key_bits: int | None
    key_curve: str | None
    signature_hash: str | None
    key_usage: tuple[str, ...]
    extended_key_usage: tuple[str, ...]
    self_signed: bool
    role: str
    unreadable: tuple[str, ...] = ()

    def days_left(self, now: datetime | None = None) -> int:
        """Whole days until notAfter (negative once expired), as `step` and browsers count."""
        return (self.not_after - (now or utcnow())).days

    def short(self, now: datetime | None = None) -> str:
        """One line, in the spirit of ``step certificate inspect --short``."""
        subject = f"CN={self.subject_cn}" if self.subject_cn is not None else self.subject
        issuer = f"CN={self.issuer_cn}" if self.issuer_cn is not None else self.issuer
        days = self.days_left(now)
        date = self.not_after.strftime("%Y-%m-%d")
        if days < 0:
            when = f"expired {date} ({-days} days ago)"
        else:
            when = f"expires {date} ({days} day{'' if days == 1 else 's'})"
        return f"{self.role}  {subject or '(empty subject)'}  issuer {issuer}  {when}"

    @property
    def label(self) -> str:
        """A short name for messages: the CN, else the subject, else the fingerprint."""
        if self.subject_cn:
            return f"CN={self.subject_cn}"
        return self.subject or f"sha256 {self.sha256[:16]}"


@dataclass(frozen=True)
class Item:
    """One thing found in the input. ``label`` describes it and never holds key material."""

    kind: str
    certificate: CertificateInfo | None
    label: str


@dataclass(frozen=True)
class ReadResult:
    """Everything found in one input, in input order, and what the reader noticed."""

    items: list[Item]
    findings: list[Finding]

    @property
    def certificates(self) -> list[CertificateInfo]:
        return [item.certificate for item in self.items if item.certificate is not None]

    @property
    def has_private_key(self) -> bool:
        return any(item.kind == "private-key" for item in self.items)
