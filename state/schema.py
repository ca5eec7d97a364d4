"""The state file's TOML document to and from the model, validating every field.

Each problem is reported with the key path that holds it, for example
`databases[2].tls.mode: 'everything' is not one of all, replica-of, crdb`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any, TypeVar

from .errors import StateFileError, WizardError
from .fields import Dialect, FieldReader
from .key_files import key_file_problem
from .model import (
    DEFAULT_MIN_TLS,
    FORMAT,
    SUBJECT_FIELDS,
    TLS_VERSIONS,
    Cluster,
    ClusterCertificate,
    Database,
    Participant,
    ReplicaSource,
    State,
    Subject,
    TlsSettings,
)
from .names import cluster_name_problem, database_name_problem
from .versions import normalize_version
from .vocabulary import CertificateRole, DatabaseType, SubjectValidation, TlsMode, Vocabulary

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
HOST_PORT_RE = re.compile(r"^(?P<host>[A-Za-z0-9_.\-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>\d{1,5})$")

V = TypeVar("V", bound=Vocabulary)


def vocabulary_word(kind: type[V], value: str, what: str) -> V:
    """The one check of a vocabulary word (a TLS mode, a subject validation, a database
    type) a caller passes: the member, or `<what> 'x' is not one of ...`."""
    member = kind.parse(value)
    if member is None:
        raise WizardError(f"{what} {_not_one_of(kind, value)}")
    return member


def _not_one_of(kind: type[Vocabulary], value: object) -> str:
    return f"{value!r} is not one of {', '.join(kind.values())}"


class _Reader(FieldReader):
    """Reads typed fields out of a TOML table, naming the key path in every error."""

    def __init__(self, table: Any, path: str) -> None:
        super().__init__(table, path, TOML)

    def word(self, key: str, kind: type[V], default: V) -> V:
        """A vocabulary word as its member; the error names the key path."""
        value = self.get(key, str, default.value)
        member = kind.parse(value)
        if member is None:
            raise self.fail(key, _not_one_of(kind, value))
        return member

    def strings(self, key: str) -> list[str]:
        values = self.get(key, list, [])
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise StateFileError(
                    f"{self.where(key)}[{index}]: expected a string, got {_kind(value)}"
                )
        return list(values)

    def sha256(self, key: str, default: Any = ...) -> str:
        value = self.get(key, str, default)
        if not SHA256_RE.match(value):
            raise self.fail(key, f"{value!r} is not a SHA-256 (64 lowercase hex digits)")
        return value

    def table_at(self, key: str) -> _Reader:
        return _Reader(self.get(key, dict), self.where(key))

    def unknown_keys(self, known: set[str]) -> None:
        extra = sorted(set(self.table) - known)
        if extra:
            raise self.fail(extra[0], "is not a known key (a typo?)")


def key_text(key: str) -> str:
    """A key as a message shows it: quoted with escapes when it is empty, padded or holds
    control characters, so a hand-edited key never breaks the one-line error."""
    if key and key.isprintable() and key.strip() == key:
        return key
    return json.dumps(key)


_TYPE_WORDS: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    list: "an array",
    dict: "a table",
}


def _kind(value: Any) -> str:
    return _TYPE_WORDS.get(type(value), type(value).__name__)


def _expected(value: Any, kinds: tuple[type, ...]) -> str:
    expected = "/".join(_TYPE_WORDS.get(k, k.__name__) for k in kinds)
    return f"expected {expected}, got {_kind(value)}"


TOML = Dialect(
    error=StateFileError,
    table_word="a table",
    kind_word=_kind,
    wrong_type=_expected,
    bool_as_int="expected an integer, got a boolean",
    key_text=key_text,
)
"""The state file's words: TOML tables, keys quoted when they would break the line."""


def from_document(doc: dict[str, Any]) -> State:
    """Validate a parsed TOML document and build the model (migrating older formats)."""
    top = _Reader(doc, "")
    version = top.get("format", int, 0)
    if version > FORMAT:
        raise StateFileError(
            f"format: this file is format {version}, newer than this tls-wizard understands "
            f"({FORMAT}); upgrade redis-tls-wizard to open it"
        )
    if version < 0:
        raise top.fail("format", f"{version} is not a format version")
    doc = migrate(doc, version)
    top = _Reader(doc, "")
    top.unknown_keys(
        {
            "format",
            "revision",
            "saved_at",
            "change",
            "cluster",
            "participants",
            "databases",
            "certificates",
        }
    )
    revision = top.get("revision", int, 0)
    if revision < 0:
        raise top.fail("revision", f"{revision} is negative")
    certificates = _certificates(top)
    state = State(
        cluster=_cluster(top.table_at("cluster")),
        participants=[
            _participant(_Reader(p, f"participants[{i}]"))
            for i, p in enumerate(top.get("participants", list, []))
        ],
        databases=[
            _database(_Reader(d, f"databases[{i}]"))
            for i, d in enumerate(top.get("databases", list, []))
        ],
        certificates=certificates,
        revision=revision,
        saved_at=top.get("saved_at", str, ""),
        change=top.get("change", str, ""),
    )
    _check_references(state)
    _check_fingerprints(state.certificates)
    _check_unique(state)
    problems = name_problems(state)
    if problems:
        raise StateFileError(
            f"{problems[0]}; rename it in the state file (or restore a good copy) and try again"
        )
    return state


def name_problems(state: State) -> list[str]:
    """Every database and cluster name in `state` that Redis Enterprise would not accept
    (see state.names), each as 'where: why'. Checked on every load and every save."""
    problems = []

    def check(where: str, problem: str | None) -> None:
        if problem:
            problems.append(f"{where}: {problem}")

    check("cluster.name", cluster_name_problem(state.cluster.name))
    check("cluster.fqdn", cluster_name_problem(state.cluster.fqdn, "cluster FQDN"))
    for i, participant in enumerate(state.participants):
        check(f"participants[{i}].name", cluster_name_problem(participant.name))
    for i, database in enumerate(state.databases):
        check(f"databases[{i}].name", database_name_problem(database.name))
        for j, name in enumerate(database.participants):
            check(f"databases[{i}].participants[{j}]", cluster_name_problem(name))
        for j, name in enumerate(database.replica_clusters):
            check(f"databases[{i}].replica_clusters[{j}]", cluster_name_problem(name))
    return problems


def migrate(doc: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring an older document up to FORMAT in memory; the file changes on the next save.

    Format 0 (before the `format` key existed) kept participants under `cluster` and
    called the subject validation switch `enforce_san` (a boolean). Formats 0 and 1 held
    each Replica Of source as a `host:port` string; it becomes a source table without
    encryption (the rule `replica-source-plaintext` then says what to add).
    """
    if version >= FORMAT:
        return doc
    doc = dict(doc)
    cluster = doc.get("cluster")
    if isinstance(cluster, dict) and "participants" in cluster:
        cluster = dict(cluster)
        doc.setdefault("participants", cluster.pop("participants"))
        doc["cluster"] = cluster
    for database in doc.get("databases", []) if isinstance(doc.get("databases"), list) else []:
        tls = database.get("tls") if isinstance(database, dict) else None
        if isinstance(tls, dict) and "enforce_san" in tls:
            tls["subject_validation"] = (
                SubjectValidation.SAN if tls.pop("enforce_san") else SubjectValidation.NONE
            ).value
        sources = database.get("replica_of") if isinstance(database, dict) else None
        if isinstance(sources, list):
            database["replica_of"] = [
                {"uri": source} if isinstance(source, str) else source for source in sources
            ]
    doc["format"] = FORMAT
    return doc


def _certificates(top: _Reader) -> dict[str, str]:
    table = top.get("certificates", dict, {})
    result: dict[str, str] = {}
    for sha, entry in table.items():
        where = f"certificates.{key_text(sha)}"
        if not SHA256_RE.match(sha):
            raise StateFileError(f"{where}: the key is not a SHA-256 (64 lowercase hex digits)")
        reader = _Reader(entry, where)
        pem = reader.get("pem", str)
        if "-----BEGIN CERTIFICATE-----" not in pem:
            raise reader.fail("pem", "does not hold a PEM certificate")
        if "PRIVATE KEY" in pem:
            raise reader.fail("pem", "holds a private key; keys belong in key files, not here")
        result[sha] = pem
    return result


def _check_fingerprints(certificates: dict[str, str]) -> None:
    """Each stored PEM must still be the certificate its key names: a hand edit or a bad
    merge that changed a byte would otherwise be trusted under the old fingerprint."""
    for sha, pem in certificates.items():
        where = f"certificates.{sha}.pem"
        actual = pem_sha256(pem)
        if actual is None:
            raise StateFileError(
                f"{where}: the certificate's base64 text is damaged; paste the certificate again"
            )
        if actual != sha:
            raise StateFileError(
                f"{where}: holds a certificate whose SHA-256 is {actual[:12]}…, not its key: "
                "it was changed after it was stored; paste the certificate again"
            )


def pem_sha256(pem: str) -> str | None:
    """The SHA-256 of the DER inside the first CERTIFICATE block, or None if its base64 is
    damaged. hashlib and base64 only: checking every stored certificate's key stays cheap
    and loading a state never needs cryptography."""
    body = pem.split("-----BEGIN CERTIFICATE-----", 1)[1].split("-----END CERTIFICATE-----", 1)
    if len(body) < 2:
        return None
    try:
        der = base64.b64decode("".join(body[0].split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return hashlib.sha256(der).hexdigest()


def _cluster_certificate(reader: _Reader, key: str) -> ClusterCertificate | None:
    if key not in reader.table:
        return None
    table = reader.table_at(key)
    table.unknown_keys({"certificate", "key_file", "chain"})
    key_file = table.get("key_file", str)
    if not key_file.strip():
        raise table.fail("key_file", "is empty")
    problem = key_file_problem(key_file)
    if problem:
        raise table.fail(
            "key_file",
            f"{key_file[:80]!r} {problem}; a key file is keys/NAME beside the state file "
            "[key-file-outside]",
        )
    chain = table.strings("chain")
    for index, sha in enumerate(chain):
        if not SHA256_RE.match(sha):
            raise StateFileError(f"{table.where('chain')}[{index}]: {sha!r} is not a SHA-256")
    return ClusterCertificate(
        certificate=table.sha256("certificate"), key_file=key_file, chain=chain
    )


def _cluster(reader: _Reader) -> Cluster:
    reader.unknown_keys({"name", "fqdn", "min_data_tls_version", *CertificateRole, "version"})
    name = reader.get("name", str)
    if not name.strip():
        raise reader.fail("name", "is empty")
    return Cluster(
        name=name,
        fqdn=reader.get("fqdn", str, name),
        min_data_tls_version=reader.choice("min_data_tls_version", TLS_VERSIONS, DEFAULT_MIN_TLS),
        proxy=_cluster_certificate(reader, CertificateRole.PROXY),
        syncer=_cluster_certificate(reader, CertificateRole.SYNCER),
        version=_version(reader),
    )


def _version(reader: _Reader) -> str:
    """The cluster's Redis Enterprise version, X.Y.Z ('' or absent: not known)."""
    text = reader.get("version", str, "")
    try:
        return normalize_version(text)
    except WizardError as error:
        raise reader.fail("version", str(error)) from None


def _subject(reader: _Reader) -> Subject:
    """One authorized subject; OU is a list of strings (a single string reads as one unit,
    as files written before OU became a list hold it)."""
    reader.unknown_keys(set(SUBJECT_FIELDS))
    subject: Subject = {}
    for key in SUBJECT_FIELDS:
        if key not in reader.table:
            continue
        if key == "OU":
            value = reader.table[key]
            units = [value] if isinstance(value, str) else reader.strings("OU")
            if units:
                subject["OU"] = units
        else:
            subject[key] = reader.get(key, str)
    if not str(subject.get("CN", "")).strip():
        raise reader.fail("CN", "is required")
    return subject


def _participant(reader: _Reader) -> Participant:
    reader.unknown_keys({"name", "syncer_certificate"})
    return Participant(
        name=reader.get("name", str), syncer_certificate=reader.sha256("syncer_certificate")
    )


def _database(reader: _Reader) -> Database:
    reader.unknown_keys(
        {
            "uid",
            "name",
            "port",
            "type",
            "replica_of",
            "replica_clusters",
            "participants",
            "crdb_guid",
            "created_with_tls",
            "tls",
        }
    )
    uid = reader.get("uid", int)
    if uid < 1:
        raise reader.fail("uid", f"{uid} is not a positive integer")
    name = reader.get("name", str)
    if not name.strip():
        raise reader.fail("name", "is empty")
    port = reader.get("port", int)
    if not 1 <= port <= 65535:
        raise reader.fail("port", f"{port} is not a port (1-65535)")
    sources = [
        _replica_source(_Reader(source, f"{reader.where('replica_of')}[{index}]"))
        for index, source in enumerate(reader.get("replica_of", list, []))
    ]
    tls = _tls(reader.table_at("tls")) if "tls" in reader.table else TlsSettings()
    return Database(
        uid=uid,
        name=name,
        port=port,
        type=reader.word("type", DatabaseType, DatabaseType.STANDARD),
        replica_sources=sources,
        participants=reader.strings("participants"),
        created_with_tls=reader.get("created_with_tls", bool, tls.enabled),
        tls=tls,
        replica_clusters=reader.strings("replica_clusters"),
        crdb_guid=reader.get("crdb_guid", str, ""),
    )


def _replica_source(reader: _Reader) -> ReplicaSource:
    reader.unknown_keys({"uri", "encryption", "server_certificate", "sni"})
    uri = reader.get("uri", str)
    if not valid_host_port(uri):
        raise reader.fail("uri", f"{uri!r} is not host:port")
    return ReplicaSource(
        uri=uri,
        encryption=reader.get("encryption", bool, False),
        server_certificate=(
            reader.sha256("server_certificate") if "server_certificate" in reader.table else None
        ),
        sni=reader.get("sni", str, ""),
    )


def _tls(reader: _Reader) -> TlsSettings:
    reader.unknown_keys(
        {
            "enabled",
            "mode",
            "enforce_client_auth",
            "certificates",
            "subject_validation",
            "authorized_names",
            "authorized_subjects",
        }
    )
    certificates = reader.strings("certificates")
    for index, sha in enumerate(certificates):
        if not SHA256_RE.match(sha):
            raise StateFileError(
                f"{reader.where('certificates')}[{index}]: {sha!r} is not a SHA-256 (64 lowercase hex digits)"
            )
    subjects = [
        _subject(_Reader(subject, f"{reader.where('authorized_subjects')}[{index}]"))
        for index, subject in enumerate(reader.get("authorized_subjects", list, []))
    ]
    return TlsSettings(
        enabled=reader.get("enabled", bool, False),
        mode=reader.word("mode", TlsMode, TlsMode.ALL),
        enforce_client_auth=reader.get("enforce_client_auth", bool, True),
        certificates=certificates,
        subject_validation=reader.word(
            "subject_validation", SubjectValidation, SubjectValidation.NONE
        ),
        authorized_names=reader.strings("authorized_names"),
        authorized_subjects=subjects,
    )


def valid_host_port(text: str) -> bool:
    match = HOST_PORT_RE.match(text)
    return match is not None and 1 <= int(match["port"]) <= 65535


def _check_references(state: State) -> None:
    def need(sha: str, where: str) -> None:
        if sha not in state.certificates:
            raise StateFileError(f"{where}: certificate {sha[:12]}… is not in [certificates]")

    for role in CertificateRole:
        ref = state.cluster.certificate(role)
        if ref:
            need(ref.certificate, f"cluster.{role}.certificate")
            for j, sha in enumerate(ref.chain):
                need(sha, f"cluster.{role}.chain[{j}]")
    for i, participant in enumerate(state.participants):
        need(participant.syncer_certificate, f"participants[{i}].syncer_certificate")
    for i, database in enumerate(state.databases):
        for j, sha in enumerate(database.tls.certificates):
            need(sha, f"databases[{i}].tls.certificates[{j}]")
        for j, source in enumerate(database.replica_sources):
            if source.server_certificate:
                need(
                    source.server_certificate, f"databases[{i}].replica_of[{j}].server_certificate"
                )


def _check_unique(state: State) -> None:
    for key in ("uid", "name", "port"):
        seen: dict[Any, int] = {}
        for i, database in enumerate(state.databases):
            value = getattr(database, key)
            if value in seen:
                raise StateFileError(
                    f"databases[{i}].{key}: {value!r} is already used by databases[{seen[value]}]"
                )
            seen[value] = i
    names: dict[str, int] = {}
    for i, participant in enumerate(state.participants):
        if participant.name in names:
            raise StateFileError(f"participants[{i}].name: {participant.name!r} is listed twice")
        names[participant.name] = i


def to_document(state: State) -> dict[str, Any]:
    """The model as a TOML document; keys in a stable order so diffs stay small."""
    cluster: dict[str, Any] = {
        "name": state.cluster.name,
        "fqdn": state.cluster.fqdn,
        "min_data_tls_version": state.cluster.min_data_tls_version,
    }
    if state.cluster.version:
        cluster["version"] = state.cluster.version
    for role in CertificateRole:
        ref = state.cluster.certificate(role)
        if ref:
            cluster[role] = {"certificate": ref.certificate, "key_file": ref.key_file}
            if ref.chain:
                cluster[role]["chain"] = list(ref.chain)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "revision": state.revision,
        "saved_at": state.saved_at,
        "change": state.change,
        "cluster": cluster,
        "participants": [
            {"name": p.name, "syncer_certificate": p.syncer_certificate} for p in state.participants
        ],
        "databases": [database_document(d) for d in state.databases],
        "certificates": {sha: {"pem": pem} for sha, pem in sorted(state.certificates.items())},
    }
    return doc


def database_document(database: Database) -> dict[str, Any]:
    tls = database.tls
    tls_doc: dict[str, Any] = {
        "enabled": tls.enabled,
        "mode": tls.mode,
        "enforce_client_auth": tls.enforce_client_auth,
        "certificates": list(tls.certificates),
        "subject_validation": tls.subject_validation,
        "authorized_names": list(tls.authorized_names),
    }
    if tls.authorized_subjects:
        tls_doc["authorized_subjects"] = [
            {k: list(v) if isinstance(v, list) else v for k, v in s.items()}
            for s in tls.authorized_subjects
        ]
    document: dict[str, Any] = {
        "uid": database.uid,
        "name": database.name,
        "port": database.port,
        "type": database.type,
        "replica_clusters": list(database.replica_clusters),
        "replica_of": [source_document(s) for s in database.replica_sources],
        "participants": list(database.participants),
    }
    if database.crdb_guid:
        document["crdb_guid"] = database.crdb_guid
    document["created_with_tls"] = database.created_with_tls
    document["tls"] = tls_doc
    return document


def source_document(source: ReplicaSource) -> dict[str, Any]:
    """A Replica Of source as the state file keeps it (TOML has no null: no key when unset)."""
    document: dict[str, Any] = {"uri": source.uri, "encryption": source.encryption}
    if source.server_certificate:
        document["server_certificate"] = source.server_certificate
    if source.sni:
        document["sni"] = source.sni
    return document
