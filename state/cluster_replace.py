"""Replacing the proxy or syncer certificate, step by step, as the screens walk through it.

The documented flow is: create a key and a CSR, have a CA sign it, install certificate and
key. `workspace.write_key_and_csr` and `Workspace.set_cluster_certificate` do the two ends;
this module adds what a screen needs in between: a fresh folder per request (so a second
attempt never meets "key already exists"), reading the key file back, and the same checks
the install will make, so they can be shown before anything is saved.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import clock
from .certificates import (
    CertificateInfo,
    CertificateInputError,
    check,
    load_private_key,
    read,
    read_certificate_file,
)
from .certificates.issue import SubjectFields
from .errors import WizardError
from .files import read_bounded
from .findings import Finding, errors
from .key_files import MAX_KEY_BYTES
from .workspace import Workspace, write_key_and_csr

REQUESTS_FOLDER = "requests"
COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")
"""A subject's C: two ASCII letters (X.520 countryName is a PrintableString of two)."""
SUBJECT_SHORT = {
    "cn": "CN",
    "country": "C",
    "state": "ST",
    "locality": "L",
    "org": "O",
    "org_unit": "OU",
}
"""The subject's fields in the order a CSR form asks for them, with their X.509 short names."""


def subject_field_problem(attr: str, value: str) -> str:
    """What is wrong with one field of a CSR's subject (`SubjectFields` attribute name), in
    the words the form shows beside it; empty when the value can be requested."""
    value = value.strip()
    if attr == "cn" and not value:
        return "the Common Name is required"
    if attr == "country" and value and not COUNTRY_CODE.fullmatch(value):
        return "two letters, such as US"
    return ""


def subject_problems(subject: SubjectFields) -> list[str]:
    """Every field a CSR could not be created with, as `C: two letters, such as US`."""
    problems = []
    for attr, short in SUBJECT_SHORT.items():
        problem = subject_field_problem(attr, getattr(subject, attr))
        if problem:
            problems.append(f"{short}: {problem}")
    return problems


@dataclass(frozen=True, slots=True)
class CertificateRequest:
    """A key (0600) and a CSR written beside the state, waiting for a CA's signature."""

    role: str
    key_path: Path
    csr_path: Path
    csr_pem: str


def request_folder(workspace: Workspace, role: str) -> Path:
    """`requests/<role>-<UTC time>` beside the state file; a new one for every request."""
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    folder = workspace.folder / REQUESTS_FOLDER / f"{role}-{stamp}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = workspace.folder / REQUESTS_FOLDER / f"{role}-{stamp}-{suffix}"
    return folder


def create_request(
    workspace: Workspace, role: str, subject: SubjectFields, *, key_type: str = "rsa"
) -> CertificateRequest:
    """Write a new key and CSR for `role` (slow: RSA key generation; run it in a worker)."""
    if role not in ("proxy", "syncer"):
        raise WizardError(f"{role!r} is not proxy or syncer")
    if not subject.cn.strip():
        raise WizardError("the Common Name (CN) is empty; the cluster FQDN is the usual one")
    country = subject.country.strip()
    if subject_field_problem("country", country):
        raise WizardError(f"country {country!r} must be a two-letter code such as US or DE")
    key_path, csr_path = write_key_and_csr(
        workspace.state, role, request_folder(workspace, role), subject, key_type=key_type
    )
    return CertificateRequest(role, key_path, csr_path, csr_path.read_text("ascii"))


def read_key_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a private key file (bounded, regular files only), checked to be an
    unencrypted private key."""
    path = Path(path).expanduser()
    data = read_bounded(path, limit=MAX_KEY_BYTES, what="key file")
    try:
        load_private_key(data, str(path))
    except CertificateInputError as error:
        raise WizardError(str(error)) from None
    return data


def import_findings(
    workspace: Workspace, role: str, certificates: list[CertificateInfo], key_pem: bytes | None
) -> list[Finding]:
    """What installing `certificates` with `key_pem` as `role` would meet: the install's own
    checks (key match, EKU, SANs, chain order, validity), with errors that refuse it."""
    key = load_private_key(key_pem, "key_file") if key_pem else None
    return check(certificates, role, fqdn=workspace.state.cluster.fqdn, key=key, now=clock.now())


def looks_like_path(text: str) -> bool:
    """Whether pasted text names a file rather than holding PEM: one line, no armour."""
    stripped = text.strip()
    return bool(stripped) and "\n" not in stripped and "-----" not in stripped


@dataclass(frozen=True, slots=True)
class ImportCheck:
    """The signed certificate as read, the key, and what the install would say."""

    certificates: list[CertificateInfo]
    key_pem: bytes | None
    problem: str
    findings: list[Finding]
    had_private_key: bool = False

    @property
    def refusal(self) -> str:
        """Why Install would be refused now; empty when it would go ahead."""
        if self.problem:
            return self.problem
        if not self.certificates:
            return "paste the signed certificate (and its chain) first"
        bad = errors(self.findings)
        return "; ".join(f.message for f in bad)


def check_import(workspace: Workspace, role: str, text: str, key_path: Path | None) -> ImportCheck:
    """Read the signed certificate (pasted PEM, or a path from the state's folder) and the
    key file, and run the install's checks on them, without saving anything: what the
    import step shows as the text changes. A pasted private key is left out of the
    findings (`had_private_key` says it was there, so the screen can wipe it)."""
    certificates: list[CertificateInfo] = []
    had_key = False
    problem = ""
    findings: list[Finding] = []
    if looks_like_path(text):
        location = workspace.resolve(text.strip())
        try:
            certificates = read_certificate_file(location)
        except CertificateInputError as error:
            problem = str(error)
    elif text.strip():
        result = read(text)
        certificates = result.certificates
        had_key = result.has_private_key
        findings += [f for f in result.findings if f.code != "private-key"]
    key_pem = None
    if key_path is None:
        problem = problem or "give the key file that signed the CSR"
    else:
        try:
            key_pem = read_key_file(key_path)
        except WizardError as error:
            problem = problem or str(error)
    if certificates:
        try:
            findings += import_findings(workspace, role, certificates, key_pem)
        except CertificateInputError as error:
            problem = problem or str(error)
    return ImportCheck(certificates, key_pem, problem, findings, had_key)
