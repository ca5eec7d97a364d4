"""The documented steps as pure transitions: the CLI and the screens both call these.

Each takes a State and returns a changed copy, raising WizardError when the input itself
is wrong; none reads or writes a file. `workspace.Workspace.commit` then runs the rules
and saves atomically, so a change is validated and saved whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .certificates import CertificateInfo, check, describe_pem
from .errors import RefusedError, WizardError
from .findings import Finding, errors
from .key_files import (
    KEYS_FOLDER,
    key_file_name,
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
from .schema import valid_host_port, vocabulary_word
from .versions import min_tls_problem, normalize_version
from .vocabulary import DatabaseType, SubjectValidation, TlsMode


@dataclass(slots=True)
class TlsUpdate:
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
        return self == TlsUpdate()


@dataclass(slots=True)
class SourceUpdate:
    """The replica side of one Replica Of source: what `db source` or `--replica-of` set.

    None leaves a field as it is; `server_certificate` is the source cluster's proxy
    certificate (or its CA) as pasted, stored once like every certificate.
    """

    uri: str
    encryption: bool | None = None
    server_certificate: CertificateInfo | None = None
    sni: str | None = None


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


def change_tls(state: State, name: str, change: TlsUpdate) -> State:
    """Apply one TLS form update to a copy of `state`."""
    state = state.copy()
    database = state.require_database(name)
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


def _new_name(name: str, what: str, problem_of: Callable[[str], str | None]) -> str:
    """A new object's name as typed, spaces at either end dropped, or the refusal: empty is
    a mistake to correct, a name the cluster would reject is refused with its reason."""
    name = name.strip(" ")
    if not name:
        raise WizardError(f"{what} needs a name")
    problem = problem_of(name)
    if problem:
        raise RefusedError(f"refused, nothing saved: {problem}")
    return name


def create_database(
    state: State,
    name: str,
    port: int,
    *,
    type: str = DatabaseType.STANDARD,
    replica_of: list[str] | None = None,
    participants: list[str] | None = None,
    tls: TlsUpdate | None = None,
    replica_clusters: list[str] | None = None,
    sources: list[SourceUpdate] | None = None,
) -> State:
    """A new database; TLS chosen here (the "Advanced Options" path) sets created_with_tls.

    `replica_of` names sources by host:port alone; `sources` also carries each one's
    encryption, proxy certificate and SNI (the replica side). `replica_clusters` are the
    known clusters hosting a replica of this database (the source side)."""
    name = _new_name(name, "a database", database_name_problem)
    if state.database(name):
        raise WizardError(f"a database named {name!r} already exists")
    if not 1 <= port <= 65535:
        raise WizardError(f"port {port} is not a port (1-65535)")
    for other in state.databases:
        if other.port == port:
            raise WizardError(f"port {port} is already used by database {other.name!r}")
    database_type = vocabulary_word(DatabaseType, type, "type")
    changes = [SourceUpdate(uri) for uri in replica_of or []] + list(sources or [])
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
    database = state.require_database(name)
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


def change_source(state: State, name: str, change: SourceUpdate, *, copy: bool = True) -> State:
    """The replica side of one Replica Of source: encryption, the source cluster's proxy
    certificate (refused if a server would refuse it) and the SNI name."""
    state = state.copy() if copy else state
    database = state.require_database(name)
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
    database = state.require_database(name)
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
    name = _new_name(name, "a participating cluster", cluster_name_problem)
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
    database = state.require_database(database_name)
    if sha in database.tls.certificates:
        return state
    state = state.copy()
    state.require_database(database_name).tls.certificates.append(sha)
    return state


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


class NewState(NamedTuple):
    """A fresh cluster's state and the key files (name -> PEM) its certificates need."""

    state: State
    keys: dict[str, bytes]


def new_state(name: str, fqdn: str | None = None, addresses: Sequence[str] = ()) -> NewState:
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
        state.cluster.set_certificate(role, ref)
    return NewState(state, keys)
