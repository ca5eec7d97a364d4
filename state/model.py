"""The model: a cluster, its databases and their TLS settings, as plain dataclasses.

Certificates are referenced by the SHA-256 of their DER and stored once in
`State.certificates`; private keys are files beside the state, referenced by path.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import WizardError
from .text import visible
from .vocabulary import CertificateRole, DatabaseType, SubjectValidation, TlsMode

FORMAT = 2
TLS_VERSIONS = ("1", "1.1", "1.2", "1.3")
DEFAULT_MIN_TLS = "1.2"
SUBJECT_FIELDS = ("CN", "O", "OU", "L", "ST", "C")

Subject = dict[str, str | list[str]]
"""One authorized subject: CN, O, L, ST, C are strings; OU is a list of strings, as the
bdb object's `authorized_subjects` holds it (a certificate may carry several units)."""


def subject_pairs(subject: Subject) -> list[tuple[str, str]]:
    """(field, value) in the order of SUBJECT_FIELDS, one pair per organizational unit."""
    pairs: list[tuple[str, str]] = []
    for key in SUBJECT_FIELDS:
        value = subject.get(key)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return pairs


def copy_subject(subject: Subject) -> Subject:
    """A copy that shares no list with `subject`."""
    return {
        key: list(value) if isinstance(value, list) else value for key, value in subject.items()
    }


def subject_text(subject: Subject) -> str:
    """`CN=a,O=b,OU=x,OU=y`: how screens, the plan and the history write a subject."""
    return ",".join(f"{key}={value}" for key, value in subject_pairs(subject))


def set_as_member(kinds: dict[str, type[Any]], target: object, name: str, value: object) -> None:
    """Set `name`, turning a plain word into its vocabulary member, so a model object holds
    members whoever built it (a test, the importer); the schema has already said what was
    wrong with a word it read, so an unknown word here is a programming error (ValueError)."""
    kind = kinds.get(name)
    object.__setattr__(target, name, kind(value) if kind is not None else value)


@dataclass(slots=True)
class ClusterCertificate:
    """The proxy or syncer certificate: a certificate reference and the key file beside it."""

    certificate: str
    key_file: str
    chain: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Participant:
    """Another cluster this one replicates with, known by its syncer certificate."""

    name: str
    syncer_certificate: str


@dataclass(slots=True)
class Cluster:
    name: str
    fqdn: str
    min_data_tls_version: str = DEFAULT_MIN_TLS
    proxy: ClusterCertificate | None = None
    syncer: ClusterCertificate | None = None
    version: str = ""
    """The cluster's Redis Enterprise version (X.Y.Z); '' when not known (see versions.py)."""

    def certificate(self, role: str) -> ClusterCertificate | None:
        return self.proxy if role == CertificateRole.PROXY else self.syncer

    def set_certificate(self, role: str, ref: ClusterCertificate | None) -> None:
        """Put `ref` in the proxy or syncer slot: the one setter `certificate` reads back."""
        if role == CertificateRole.PROXY:
            self.proxy = ref
        else:
            self.syncer = ref


@dataclass(slots=True)
class TlsSettings:
    """What the console's TLS form holds for one database."""

    enabled: bool = False
    mode: TlsMode = TlsMode.ALL
    enforce_client_auth: bool = True
    certificates: list[str] = field(default_factory=list)
    subject_validation: SubjectValidation = SubjectValidation.NONE
    authorized_names: list[str] = field(default_factory=list)
    authorized_subjects: list[Subject] = field(default_factory=list)

    def __setattr__(self, name: str, value: object) -> None:
        set_as_member(TLS_VOCABULARY, self, name, value)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The form's fields in the console's order, read from the dataclass itself."""
        return tuple(f.name for f in fields(cls))

    def changed_fields(self, after: TlsSettings) -> tuple[str, ...]:
        """The one diff of two TLS settings: the fields `after` sets differently, in order.
        The wizard's change, the plan's Review rows and the history line all render it."""
        return tuple(
            name for name in self.field_names() if getattr(self, name) != getattr(after, name)
        )


TLS_VOCABULARY: dict[str, type[Any]] = {
    "mode": TlsMode,
    "subject_validation": SubjectValidation,
}


@dataclass(slots=True)
class ReplicaSource:
    """The replica side of Replica Of: one source database and how this replica reaches it.

    With `encryption` the replica's syncer connects over TLS, presents this cluster's syncer
    certificate and trusts `server_certificate`, the source cluster's proxy certificate
    (REST `replica_sources[]`: `encryption`, `server_cert`, `replication_tls_sni`).
    """

    uri: str
    encryption: bool = False
    server_certificate: str | None = None
    sni: str = ""


@dataclass(slots=True)
class Database:
    uid: int
    name: str
    port: int
    type: DatabaseType = DatabaseType.STANDARD
    replica_sources: list[ReplicaSource] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    created_with_tls: bool = False
    tls: TlsSettings = field(default_factory=TlsSettings)
    replica_clusters: list[str] = field(default_factory=list)
    crdb_guid: str = ""

    def __setattr__(self, name: str, value: object) -> None:
        set_as_member(_DATABASE_VOCABULARY, self, name, value)

    @property
    def is_active_active(self) -> bool:
        return self.type is DatabaseType.ACTIVE_ACTIVE

    @property
    def replica_of(self) -> list[str]:
        """The Replica Of sources' host:port, in order (the replica side)."""
        return [source.uri for source in self.replica_sources]

    def source(self, uri: str) -> ReplicaSource | None:
        for source in self.replica_sources:
            if source.uri == uri:
                return source
        return None


_DATABASE_VOCABULARY: dict[str, type[Any]] = {"type": DatabaseType}


@dataclass(slots=True)
class State:
    """One state file: the desired TLS configuration of one cluster."""

    cluster: Cluster
    databases: list[Database] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    certificates: dict[str, str] = field(default_factory=dict)
    revision: int = 0
    saved_at: str = ""
    change: str = ""
    format: int = FORMAT

    def copy(self) -> State:
        return copy.deepcopy(self)

    def database(self, name: str) -> Database | None:
        for database in self.databases:
            if database.name == name:
                return database
        return None

    def require_database(self, name: str) -> Database:
        """The database named `name`, or the one refusal every caller gives for a missing one."""
        database = self.database(name)
        if database is None:
            known = ", ".join(visible(d.name) for d in self.databases) or "none"
            raise WizardError(f"no database named {visible(name)!r} (databases: {known})")
        return database

    def certificate_pem(self, role: str) -> str:
        """The PEM (leaf then chain) of the proxy or syncer certificate: what the targets
        trust and send, and what `cluster certificate show` prints."""
        ref = self.cluster.certificate(role)
        if ref is None:
            raise WizardError(f"the cluster has no {role} certificate")
        return "".join(self.certificates[sha] for sha in [ref.certificate, *ref.chain])

    def participant(self, name: str) -> Participant | None:
        for participant in self.participants:
            if participant.name == name:
                return participant
        return None

    def known_cluster(self, name: str) -> bool:
        """This cluster or a known participant: a cluster whose syncer certificate is known."""
        return name == self.cluster.name or self.participant(name) is not None

    def syncer_certificate_of(self, name: str) -> str | None:
        """The current syncer certificate of this cluster or of a known participant."""
        if name == self.cluster.name:
            return self.cluster.syncer.certificate if self.cluster.syncer else None
        participant = self.participant(name)
        return participant.syncer_certificate if participant else None

    def next_uid(self) -> int:
        return max((d.uid for d in self.databases), default=0) + 1

    def referenced_certificates(self) -> set[str]:
        """Every certificate some object points at; the rest can be dropped on save."""
        used: set[str] = set()
        for role in CertificateRole:
            ref = self.cluster.certificate(role)
            if ref:
                used.add(ref.certificate)
                used.update(ref.chain)
        used.update(p.syncer_certificate for p in self.participants)
        for database in self.databases:
            used.update(database.tls.certificates)
            used.update(
                s.server_certificate for s in database.replica_sources if s.server_certificate
            )
        return used

    def prune_certificates(self) -> None:
        used = self.referenced_certificates()
        self.certificates = {k: v for k, v in self.certificates.items() if k in used}
