"""The workspace: a state file opened for changes, and the steps that touch files.

Transitions (`transitions.py`) build a new State; `Workspace.commit` validates it with the
rules and saves it atomically as the next revision. Key files live beside the state, in
keys/, and are written and read only through here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from . import store
from .certificates import CertificateInfo
from .errors import RefusedError, StateFileError, WizardError
from .files import make_private_folder, write_new_file
from .findings import Finding
from .key_files import (
    key_file_findings,
    key_file_name,
    read_checked_key,
    remove_created_key,
    write_new_key,
)
from .model import ClusterCertificate, State
from .names import cluster_name_problem
from .rules import introduced_errors
from .transitions import add_certificate_texts, new_state, refuse_bad_certificates


class InstalledCertificate(NamedTuple):
    """The state saved with a newly installed cluster certificate, and the inspector's
    warnings about it (refusals are raised instead)."""

    state: State
    warnings: list[Finding]


class KeyAndRequest(NamedTuple):
    """The two files of the documented first step: the private key (0600) and the CSR."""

    key_file: Path
    csr_file: Path


@dataclass(slots=True)
class Workspace:
    """A state file opened for changes: the saved state and the revision it is based on."""

    path: Path
    state: State

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Workspace:
        return cls(Path(path), store.load(path))

    @property
    def folder(self) -> Path:
        return self.path.resolve().parent

    def resolve(self, path: str | os.PathLike[str]) -> Path:
        """A path the user typed (`~` expanded), a relative one taken from the state's
        folder rather than the current directory, as every screen's file field means it."""
        expanded = Path(path).expanduser()
        return expanded if expanded.is_absolute() else self.folder / expanded

    def key_path(self, key_file: str) -> Path:
        """Where a key file is shown to be; it is read only through `read_key`."""
        return self.folder / key_file

    def reload(self) -> State:
        self.state = store.load(self.path)
        return self.state

    def findings_for_commit(self, new_state: State) -> list[Finding]:
        return introduced_errors(self.state, new_state)

    def commit(self, new_state: State, change: str) -> State:
        """Validate with the rules and save atomically as the next revision."""
        refused = self.findings_for_commit(new_state)
        if refused:
            raise RefusedError(
                "refused: " + "; ".join(f"{f.where}: {f.message} [{f.code}]" for f in refused),
                refused,
            )
        self.state = store.save(
            self.path, new_state, base_revision=self.state.revision, change=change
        )
        return self.state

    def update(self, step: Callable[[State], State], change: str) -> State:
        return self.commit(step(self.state), change)

    def write_key(self, name: str, key_pem: bytes) -> str:
        """Create a private key file beside the state (keys/NAME, 0600), never replacing
        another key; returns its relative path."""
        return write_new_key(self.folder, name, key_pem).key_file

    def read_key(self, role: str) -> bytes:
        """The role's key file, confined to keys/ beside the state, bounded, and only once
        it parses as the private key of the role's certificate: every export, apply and
        REST send reads keys through here."""
        ref = self.state.cluster.certificate(role)
        if ref is None:
            raise WizardError(f"the cluster has no {role} certificate")
        return read_checked_key(
            self.folder, ref.key_file, self.state.certificates[ref.certificate], role
        )

    def key_findings(self) -> list[Finding]:
        """An error for every proxy/syncer key file `read_key` would refuse (for `check`)."""
        return key_file_findings(self.folder, self.state)

    def set_cluster_certificate(
        self, role: str, certificates: list[CertificateInfo], key_pem: bytes
    ) -> InstalledCertificate:
        """Install a CA-signed proxy or syncer certificate with its key, as rladmin does.

        Refuses a key that does not match, an expired certificate, missing EKUs and a chain
        out of order; the rest of the inspector's findings come back as warnings.
        """
        if role not in ("proxy", "syncer"):
            raise WizardError(f"{role!r} is not proxy or syncer")
        if not certificates:
            raise WizardError("the certificate file holds no certificate")
        from .certificates import key_matches, load_private_key  # the reader: not at start-up

        key = load_private_key(key_pem, "key_file")
        warnings = refuse_bad_certificates(
            certificates, role, fqdn=self.state.cluster.fqdn, key=key
        )
        leaf = certificates[0]
        if not key_matches(leaf, key):
            raise RefusedError("the key does not match the certificate (key-mismatch)")
        new_state = self.state.copy()
        add_certificate_texts(new_state, certificates)
        key_file, created = write_new_key(self.folder, key_file_name(role, leaf.sha256), key_pem)
        ref = ClusterCertificate(leaf.sha256, key_file, [c.sha256 for c in certificates[1:]])
        new_state.cluster.set_certificate(role, ref)
        try:
            saved = self.commit(new_state, f"cluster certificate set {role} (CN={leaf.subject_cn})")
        except BaseException:
            # A refused or stale save must not leave an unreferenced private key behind.
            if created:
                remove_created_key(self.folder, key_file)
            raise
        return InstalledCertificate(saved, warnings)


def init_state(
    path: str | os.PathLike[str],
    name: str,
    fqdn: str | None = None,
    addresses: Sequence[str] = (),
) -> Workspace:
    """Create a new state file; refuses to overwrite an existing one. `addresses`: extra
    SANs for the self-signed certificates (the IP addresses and names clients connect by).

    Its keys are new files named by their certificate's fingerprint, created exclusively:
    a second state in the same folder, or a concurrent init, never touches them. When the
    save is refused (another init won), the keys this call created are removed again.
    """
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise StateFileError(f"{path}: a state file already exists; it was not overwritten")
    if not path.parent.is_dir():
        raise StateFileError(f"{path.parent}: no such folder")
    problem = cluster_name_problem(name.strip(" ")) or (
        cluster_name_problem(fqdn.strip(" "), "cluster FQDN") if fqdn is not None else None
    )
    if problem:
        raise RefusedError(f"refused, nothing created: {problem}")
    state, keys = new_state(name, fqdn, addresses)
    workspace = Workspace(path, state)
    created = []
    try:
        for key_file, key_pem in keys.items():
            written, new = write_new_key(workspace.folder, Path(key_file).name, key_pem)
            if new:
                created.append(written)
        workspace.state = store.save(path, state, base_revision=None, change=f"init {name}")
    except BaseException:
        for key_file in created:
            remove_created_key(workspace.folder, key_file)
        raise
    return workspace


def write_key_and_csr(
    state: State,
    role: str,
    folder: Path,
    subject,
    *,
    key_type: str = "rsa",
    bits: int | None = None,
) -> KeyAndRequest:
    """The documented first step of installing your own certificate: a key (0600) and a CSR."""
    from .certificates.issue import create_key_and_csr

    bits = bits or (2048 if key_type == "rsa" else 256)
    if key_type == "rsa" and bits < 2048:
        raise WizardError(f"an RSA key needs at least 2048 bits, not {bits}")
    if key_type == "ec" and bits not in (256, 384, 521):
        raise WizardError(f"an EC key is 256, 384 or 521 bits, not {bits}")
    folder = make_private_folder(folder)
    key_path, csr_path = folder / f"{role}.key", folder / f"{role}.csr"
    if key_path.exists() or key_path.is_symlink():
        raise WizardError(f"{key_path} already exists; it was not overwritten")
    made = create_key_and_csr(state.cluster.fqdn, subject, key_type=key_type, bits=bits)
    if not write_new_file(key_path, made.key_pem, 0o600):
        raise WizardError(f"{key_path} already exists; it was not overwritten")
    store.write_atomic(csr_path, made.pem, 0o644)
    return KeyAndRequest(key_path, csr_path)
