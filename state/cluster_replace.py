"""Replacing the proxy or syncer certificate, step by step, as the screens walk through it.

The documented flow is: create a key and a CSR, have a CA sign it, install certificate and
key. `workspace.write_key_and_csr` and `Workspace.set_cluster_certificate` do the two ends;
this module adds what a screen needs in between: a fresh folder per request (so a second
attempt never meets "key already exists"), reading the key file back, and the same checks
the install will make, so they can be shown before anything is saved.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import clock
from .certificates import CertificateInfo, CertificateInputError, check, load_private_key
from .certificates.issue import SubjectFields
from .errors import WizardError
from .files import read_bounded
from .findings import Finding
from .key_files import MAX_KEY_BYTES
from .workspace import Workspace, write_key_and_csr

REQUESTS_FOLDER = "requests"


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
    if country and (len(country) != 2 or not country.isalpha()):
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
