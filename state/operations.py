"""The documented steps as functions: the CLI and the screens both call these.

State-only steps are pure: they take a State and return a changed copy, raising
WizardError when the input itself is wrong. `Workspace.commit` then runs the rules and
saves atomically, so a change is validated and saved whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import store
from .certificates import CertificateInfo, check, describe_pem
from .errors import RefusedError, StateFileError, WizardError
from .files import make_private_folder, write_new_file
from .findings import Finding, errors
from .key_files import (
    KEYS_FOLDER,
    key_file_findings,
    key_file_name,
    read_checked_key,
    remove_created_key,
    write_new_key,
)
from .model import (
    TLS_VERSIONS,
    Cluster,
    ClusterCertificate,
    Database,
    Participant,
    ReplicaSource,
    State,
    Subject,
    copy_subject,
)
from .names import cluster_name_problem, database_name_problem, name_problem
from .rules import introduced_errors
from .schema import valid_host_port, vocabulary_word
from .versions import min_tls_problem, normalize_version
from .vocabulary import DatabaseType, SubjectValidation, TlsMode


@dataclass(slots=True)
class TlsChange:
    """What one Update of the TLS form changes; None leaves a field as it is."""

    enabled: bool | None = None
    mode: TlsMode | None = None
    enforce_client_auth: bool | None = None
    add_certificates: list[CertificateInfo] = field(default_factory=list)
    remove_certificates: list[str] = field(default_factory=list)
    subject_validation: SubjectValidation | None = None
    authorized_names: list[str] | None = None
    authorized_subjects: list[Subject] | None = None

    def is_empty(self) -> bool:
        return self == TlsChange()


@dataclass(slots=True)
class SourceChange:
    """The replica side of one Replica Of source: what `db source` or `--replica-of` set.

    None leaves a field as it is; `server_certificate` is the source cluster's proxy
    certificate (or its CA) as pasted, stored once like every certificate.
    """

    uri: str
    encryption: bool | None = None
    server_certificate: CertificateInfo | None = None
    sni: str | None = None


def _require_database(state: State, name: str) -> Database:
    database = state.database(name)
    if database is None:
        known = ", ".join(d.name for d in state.databases) or "none"
        raise WizardError(f"no database named {name!r} (databases: {known})")
    return database


def add_certificate_texts(state: State, certificates: list[CertificateInfo]) -> list[str]:
    """Store each certificate once, keyed by its SHA-256; returns the keys in order."""
    keys = []
    for certificate in certificates:
        state.certificates.setdefault(certificate.sha256, certificate.pem)
        keys.append(certificate.sha256)
    return keys


def refuse_bad_certificates(
    certificates: list[CertificateInfo], context: str, **kwargs
) -> list[Finding]:
    """Refuse what the server would refuse (expired, not a certificate...); return the warnings."""
    findings = check(certificates, context, **kwargs)
    bad = errors(findings)
    if bad:
        raise RefusedError("; ".join(f.message for f in bad), bad)
    return [f for f in findings if f.severity != "error"]


def change_tls(state: State, name: str, change: TlsChange) -> State:
    """Apply one TLS form update to a copy of `state`."""
    state = state.copy()
    database = _require_database(state, name)
    tls = database.tls
    if change.enabled is not None:
        tls.enabled = change.enabled
    if change.mode is not None:
        tls.mode = vocabulary_word(TlsMode, change.mode, "mode")
    if change.enforce_client_auth is not None:
        tls.enforce_client_auth = change.enforce_client_auth
    for sha in change.remove_certificates:
        matches = (
            [k for k in tls.certificates if k.startswith(sha.lower())] if len(sha) >= 8 else []
        )
        if not matches:
            raise WizardError(f"database {name!r} has no certificate {sha!r}")
        tls.certificates = [k for k in tls.certificates if k not in matches]
    if change.add_certificates:
        refuse_bad_certificates(change.add_certificates, "client")
        for sha in add_certificate_texts(state, change.add_certificates):
            if sha in tls.certificates:
                raise RefusedError(
                    f"certificate {sha[:12]}… is already in database {name!r} (duplicated_certs)"
                )
            tls.certificates.append(sha)
    if change.subject_validation is not None:
        tls.subject_validation = vocabulary_word(
            SubjectValidation, change.subject_validation, "subject validation"
        )
    if change.authorized_names is not None:
        tls.authorized_names = list(change.authorized_names)
    if change.authorized_subjects is not None:
        tls.authorized_subjects = [copy_subject(s) for s in change.authorized_subjects]
    none = SubjectValidation.NONE
    if tls.subject_validation is none and change.subject_validation == none:
        tls.authorized_names = []
        tls.authorized_subjects = []
    return state


def create_database(
    state: State,
    name: str,
    port: int,
    *,
    type: str = DatabaseType.STANDARD,
    replica_of: list[str] | None = None,
    participants: list[str] | None = None,
    tls: TlsChange | None = None,
    replica_clusters: list[str] | None = None,
    sources: list[SourceChange] | None = None,
) -> State:
    """A new database; TLS chosen here (the "Advanced Options" path) sets created_with_tls.

    `replica_of` names sources by host:port alone; `sources` also carries each one's
    encryption, proxy certificate and SNI (the replica side). `replica_clusters` are the
    known clusters hosting a replica of this database (the source side)."""
    name = name.strip(" ")
    if not name:
        raise WizardError("a database needs a name")
    problem = database_name_problem(name)
    if problem:
        raise RefusedError(f"refused, nothing saved: {problem}")
    if state.database(name):
        raise WizardError(f"a database named {name!r} already exists")
    if not 1 <= port <= 65535:
        raise WizardError(f"port {port} is not a port (1-65535)")
    for other in state.databases:
        if other.port == port:
            raise WizardError(f"port {port} is already used by database {other.name!r}")
    database_type = vocabulary_word(DatabaseType, type, "type")
    changes = [SourceChange(uri) for uri in replica_of or []] + list(sources or [])
    uris = list(dict.fromkeys(change.uri for change in changes))
    for source in uris:
        if not valid_host_port(source):
            raise WizardError(f"Replica Of source {source!r} is not host:port")
    clusters = list(dict.fromkeys(participants or []))
    if clusters and database_type is not DatabaseType.ACTIVE_ACTIVE:
        raise WizardError(
            "participating clusters are for active-active databases (--type active-active)"
        )
    state = state.copy()
    state.databases.append(
        Database(
            uid=state.next_uid(),
            name=name,
            port=port,
            type=database_type,
            replica_sources=[ReplicaSource(uri) for uri in uris],
            participants=clusters,
        )
    )
    for change in changes:
        state = change_source(state, name, change, copy=False)
    if replica_clusters:
        state = change_replica_clusters(state, name, add=replica_clusters, copy=False)
    if tls is not None and not tls.is_empty():
        state = change_tls(state, name, tls)
    database = state.database(name)
    assert database is not None
    database.created_with_tls = database.tls.enabled
    return state


def change_replica_clusters(
    state: State,
    name: str,
    *,
    add: list[str] | None = None,
    remove: list[str] | None = None,
    copy: bool = True,
) -> State:
    """The source side: name the clusters that host a replica of this database. Each must
    be known (this cluster or a participant), since its syncer certificate is what the
    database has to trust."""
    state = state.copy() if copy else state
    database = _require_database(state, name)
    for cluster in remove or []:
        if cluster not in database.replica_clusters:
            listed = ", ".join(database.replica_clusters) or "none"
            raise WizardError(
                f"cluster {cluster!r} hosts no replica of {name!r} (replica clusters: {listed})"
            )
        database.replica_clusters.remove(cluster)
    for cluster in add or []:
        if not state.known_cluster(cluster):
            raise WizardError(
                f"cluster {cluster!r} is not a known participant: add it first with the "
                f"syncer certificate from its general settings "
                f"(cluster participant add {cluster} FILE)"
            )
        if cluster in database.replica_clusters:
            raise WizardError(f"cluster {cluster!r} already hosts a replica of {name!r}")
        database.replica_clusters.append(cluster)
    return state


def change_source(state: State, name: str, change: SourceChange, *, copy: bool = True) -> State:
    """The replica side of one Replica Of source: encryption, the source cluster's proxy
    certificate (refused if a server would refuse it) and the SNI name."""
    state = state.copy() if copy else state
    database = _require_database(state, name)
    source = database.source(change.uri)
    if source is None:
        listed = ", ".join(database.replica_of) or "none"
        raise WizardError(
            f"database {name!r} has no Replica Of source {change.uri!r} (sources: {listed})"
        )
    if change.encryption is not None:
        source.encryption = change.encryption
    if change.server_certificate is not None:
        refuse_bad_certificates([change.server_certificate], "any")
        source.server_certificate = add_certificate_texts(state, [change.server_certificate])[0]
    if change.sni is not None:
        sni = change.sni.strip()
        problem = name_problem(sni) if sni else None
        if problem:
            raise WizardError(f"SNI name: {problem}")
        source.sni = sni
    return state


def remove_database(state: State, name: str) -> State:
    state = state.copy()
    database = _require_database(state, name)
    state.databases.remove(database)
    return state


def set_min_tls_version(state: State, version: str) -> State:
    """Refused when the cluster's Redis Enterprise version does not accept `version`."""
    if version not in TLS_VERSIONS:
        raise WizardError(
            f"minimum TLS version {version!r} is not one of {', '.join(TLS_VERSIONS)}"
        )
    problem = min_tls_problem(state.cluster.version, version)
    if problem:
        raise WizardError(problem)
    state = state.copy()
    state.cluster.min_data_tls_version = version
    return state


def set_cluster_version(state: State, version: str) -> State:
    """The cluster's Redis Enterprise version ('' forgets it): what the renderings follow."""
    state = state.copy()
    state.cluster.version = normalize_version(version)
    return state


def add_participant(state: State, name: str, certificates: list[CertificateInfo]) -> State:
    """Another cluster, known by its syncer certificate (the first certificate given)."""
    name = name.strip(" ")
    if not name:
        raise WizardError("a participating cluster needs a name")
    problem = cluster_name_problem(name)
    if problem:
        raise RefusedError(f"refused, nothing saved: {problem}")
    if name == state.cluster.name:
        raise WizardError(f"{name!r} is this cluster; participants are the other clusters")
    if state.participant(name):
        raise WizardError(f"cluster {name!r} is already a participant")
    if not certificates:
        raise WizardError("no syncer certificate given")
    refuse_bad_certificates(certificates[:1], "syncer")
    state = state.copy()
    sha = add_certificate_texts(state, certificates[:1])[0]
    state.participants.append(Participant(name=name, syncer_certificate=sha))
    return state


def remove_participant(state: State, name: str) -> State:
    participant = state.participant(name)
    if participant is None:
        raise WizardError(f"no participating cluster named {name!r}")
    users = [
        d.name for d in state.databases if name in d.participants or name in d.replica_clusters
    ]
    if users:
        raise WizardError(f"cluster {name!r} still participates in {', '.join(users)}")
    state = state.copy()
    state.participants = [p for p in state.participants if p.name != name]
    return state


def add_participant_syncer(state: State, database_name: str, cluster: str) -> State:
    """Trust the known syncer certificate of `cluster` (a participant, or this cluster when
    it hosts a replica itself) in a database (the checklist's action)."""
    sha = state.syncer_certificate_of(cluster)
    if sha is None:
        raise WizardError(f"no participating cluster named {cluster!r}")
    database = _require_database(state, database_name)
    if sha in database.tls.certificates:
        return state
    state = state.copy()
    _require_database(state, database_name).tls.certificates.append(sha)
    return state


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
        return write_new_key(self.folder, name, key_pem)[0]

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
    ) -> tuple[State, list[Finding]]:
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
        if role == "proxy":
            new_state.cluster.proxy = ref
        else:
            new_state.cluster.syncer = ref
        try:
            saved = self.commit(new_state, f"cluster certificate set {role} (CN={leaf.subject_cn})")
        except BaseException:
            # A refused or stale save must not leave an unreferenced private key behind.
            if created:
                remove_created_key(self.folder, key_file)
            raise
        return saved, warnings


def server_addresses(ips: Sequence[str] = (), dns: Sequence[str] = ()) -> list[str]:
    """The extra names `init --ip/--dns` puts in the self-signed certificates, checked: an
    IP address must parse as one, a DNS name as a DNS name (no wildcard, e-mail or URI)."""
    import ipaddress

    from .names import DNS_RE

    addresses: list[str] = []
    for ip in ips:
        try:
            addresses.append(str(ipaddress.ip_address(ip.strip())))
        except ValueError:
            raise WizardError(
                f"--ip {ip!r} is not an IP address (such as 127.0.0.1 or ::1)"
            ) from None
    for name in dns:
        name = name.strip().lower()
        if name_problem(name) or "*" in name or not DNS_RE.match(name):
            raise WizardError(f"--dns {name!r} is not a DNS name (such as redis.example.com)")
        addresses.append(name)
    return list(dict.fromkeys(addresses))


def new_state(
    name: str, fqdn: str | None = None, addresses: Sequence[str] = ()
) -> tuple[State, dict[str, bytes]]:
    """A fresh cluster with self-signed proxy and syncer certificates, as the product ships;
    `addresses` (from `server_addresses`) are added to their SANs."""
    from .certificates.issue import self_signed_cluster_certificate  # key generation

    fqdn = (fqdn or name).strip().lower()
    name = name.strip()
    if not name:
        raise WizardError("the cluster needs a name")
    state = State(cluster=Cluster(name=name, fqdn=fqdn))
    keys: dict[str, bytes] = {}
    for role in ("proxy", "syncer"):
        issued = self_signed_cluster_certificate(fqdn, extra_sans=addresses)
        info = describe_pem(issued.pem.decode())
        state.certificates[info.sha256] = info.pem
        key_file = f"{KEYS_FOLDER}/{key_file_name(role, info.sha256)}"
        keys[key_file] = issued.key_pem
        ref = ClusterCertificate(info.sha256, key_file)
        if role == "proxy":
            state.cluster.proxy = ref
        else:
            state.cluster.syncer = ref
    return state, keys


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


def certificate_pem(state: State, role: str) -> str:
    """The PEM (leaf then chain) of the proxy or syncer certificate."""
    ref = state.cluster.certificate(role)
    if ref is None:
        raise WizardError(f"the cluster has no {role} certificate")
    return "".join(state.certificates[sha] for sha in [ref.certificate, *ref.chain])


def write_key_and_csr(
    state: State,
    role: str,
    folder: Path,
    subject,
    *,
    key_type: str = "rsa",
    bits: int | None = None,
) -> tuple[Path, Path]:
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
    return key_path, csr_path
