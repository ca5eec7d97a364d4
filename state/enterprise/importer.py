"""A new state from a cluster's `GET /v1/bdbs` and `GET /v1/cluster` JSON.

This brings an existing Redis Enterprise cluster under the wizard: exporting the result
reproduces the TLS fields the cluster returned. What the JSON cannot say is decided here
and reported as a note:

- The cluster's proxy/syncer certificates come from `proxy_certificate`/`syncer_certificate`
  (`GET /v1/cluster`) or `proxy_cert`/`proxy_key` (`GET /v1/cluster/certificates`). A
  certificate without its key is kept as *cluster-held*; with no certificate at all a
  self-signed *placeholder* is made. Neither is ever sent back to the cluster.
- An active-active database's CRDT certificates become participating clusters named by
  the certificate's CN (the product's syncer certificates carry the cluster FQDN there).
- Replica Of source URIs keep only `host:port`: the credentials they carry are dropped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .. import store
from ..certificates import CertificateInfo, CertificateInputError, describe_pem, read_certificates
from ..certificates.issue import self_signed_cluster_certificate
from ..errors import StateFileError, WizardError
from ..fields import Dialect, FieldReader
from ..files import FileReadError, read_bounded
from ..key_files import KEYS_FOLDER
from ..model import (
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
from ..plan import FieldChange, diff_states
from ..schema import from_document, to_document
from ..versions import normalize_version, parse_version
from ..vocabulary import (
    REST_OFF,
    REST_ON,
    CertificateRole,
    DatabaseType,
    SubjectValidation,
    TlsMode,
)
from ..workspace import Workspace
from .rest import CLUSTER_HELD_SUFFIX, PLACEHOLDER_SUFFIX

MAX_JSON_BYTES = 64 * 1024 * 1024
CLI_LABELS = ("--bdbs", "--cluster")
"""How messages name the two files; the import dialog names them in words instead."""


@dataclass(slots=True)
class ImportResult:
    """The imported state, the key files to write beside it, and what was decided."""

    state: State
    keys: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_json_file(path: str | os.PathLike[str], what: str) -> Any:
    """A JSON file, or one WizardError that names the file and what to do."""
    try:
        data = read_bounded(path, limit=MAX_JSON_BYTES, what="JSON file")
    except FileReadError as error:
        if error.reason == "missing":
            raise WizardError(f"{what} {path}: no such file") from None
        raise WizardError(f"{what} {error}") from None
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WizardError(
            f"{what} {path}: not valid JSON ({error}); save the API's response body as it is"
        ) from None
    except RecursionError:
        raise WizardError(
            f"{what} {path}: nested too deeply to be the API's JSON; save the response body "
            "as it is"
        ) from None


JSON_FIELDS = Dialect(
    error=WizardError,
    table_word="a JSON object",
    kind_word=lambda value: type(value).__name__,
    wrong_type=lambda value, kinds: f"unexpected {type(value).__name__} {value!r}",
    bool_as_int="expected a number, got a boolean",
    none_is_missing=True,
)
"""The REST JSON's words: objects, and `null` for a field the API leaves unset."""


def _json_fields(value: Any, where: str) -> FieldReader:
    """Typed access to one JSON object, naming `where` in every error."""
    return FieldReader(value, where, JSON_FIELDS)


class _Importer:
    def __init__(self, name_hint: str | None, placeholders: bool = True) -> None:
        self.name_hint = name_hint
        self.placeholders = placeholders
        self.software_version = ""
        self.result = ImportResult(State(cluster=Cluster(name="", fqdn="")))

    @property
    def state(self) -> State:
        return self.result.state

    def note(self, message: str) -> None:
        self.result.notes.append(message)

    def nodes(self, nodes_json: Any) -> None:
        """The cluster's version from the nodes' `software_version`: `GET /v1/nodes` (a
        list), `GET /v1/nodes/status` (an object by node uid) or one node's object.

        During an upgrade the nodes differ; the oldest one is kept, since a request must
        be accepted by every node.
        """
        if nodes_json is None:
            self.note(
                "no nodes JSON: the cluster's version is unknown (set it with "
                "`tls-wizard cluster config version X.Y.Z`)"
            )
            return
        nodes = _node_entries(nodes_json)
        versions = []
        for where, node in nodes:
            text = _json_fields(node, where).get("software_version", str, "")
            if not text:
                continue
            try:
                versions.append((parse_version(text), normalize_version(text)))
            except WizardError as error:
                raise WizardError(f"{where}.software_version: {error}") from None
        if not versions:
            raise WizardError("nodes: no node has a software_version; save GET /v1/nodes as it is")
        oldest = min(versions)[1]
        if len(versions) < len(nodes):
            self.note(f"{len(nodes) - len(versions)} node(s) without software_version")
        if len({v for v, _ in versions}) > 1:
            self.note(f"the nodes run different versions; the oldest, {oldest}, is kept")
        self.software_version = oldest

    def certificates(self, pem: Any, where: str) -> list[CertificateInfo]:
        if not isinstance(pem, str):
            raise WizardError(f"{where}: expected a PEM string, got {type(pem).__name__}")
        try:
            infos = read_certificates(pem)
        except CertificateInputError as error:
            raise WizardError(f"{where}: {error}") from None
        for info in infos:
            self.state.certificates.setdefault(info.sha256, info.pem)
        return infos

    # --- the cluster ---------------------------------------------------------------------

    def cluster(self, cluster_json: Any, bdbs: list[Any]) -> None:
        fields = _json_fields(cluster_json if cluster_json is not None else {}, "cluster")
        name = fields.get("name", str, "").strip() or self.name_hint or _name_from_endpoints(bdbs)
        if not name:
            raise WizardError(
                "the cluster's name is unknown: give --cluster FILE (GET /v1/cluster) or --name"
            )
        if cluster_json is None:
            self.note(f"no cluster JSON: the cluster is named {name!r}")
        version = str(fields.get("min_data_TLS_version", (str, int, float), "1.2"))
        if version not in TLS_VERSIONS:
            raise WizardError(
                f"cluster.min_data_TLS_version: {version!r} is not one of {', '.join(TLS_VERSIONS)}"
            )
        if cluster_json is not None and "min_data_TLS_version" not in fields.table:
            self.note("the cluster JSON has no min_data_TLS_version; the state uses 1.2")
        self.state.cluster = Cluster(name=name, fqdn=name.lower(), min_data_tls_version=version)
        self.state.cluster.version = self.software_version
        for role in CertificateRole:
            ref = self.cluster_certificate(fields, role)
            self.state.cluster.set_certificate(role, ref)

    def cluster_certificate(self, fields: FieldReader, role: str) -> ClusterCertificate | None:
        pem = fields.table.get(f"{role}_certificate") or fields.table.get(f"{role}_cert")
        key = fields.table.get(f"{role}_key")
        if pem:
            chain = self.certificates(pem, f"cluster.{role}_certificate")
            if isinstance(key, str) and "PRIVATE KEY" in key:
                key_file = f"{KEYS_FOLDER}/{role}.key"
                self.result.keys[key_file] = key.encode()
            else:
                key_file = f"{KEYS_FOLDER}/{role}{CLUSTER_HELD_SUFFIX}"
                self.note(
                    f"the {role} certificate was imported without its key: the cluster keeps "
                    "it, and exports never send it back"
                )
            return ClusterCertificate(chain[0].sha256, key_file, [c.sha256 for c in chain[1:]])
        self.note(
            f"the cluster JSON has no {role} certificate: a self-signed placeholder stands in "
            "for it and is never sent to the cluster; install yours with "
            f"`tls-wizard cluster certificate set {role} ...`"
        )
        if not self.placeholders:
            return None
        issued = self_signed_cluster_certificate(self.state.cluster.fqdn)
        info = describe_pem(issued.pem.decode())
        self.state.certificates[info.sha256] = info.pem
        key_file = f"{KEYS_FOLDER}/{role}{PLACEHOLDER_SUFFIX}"
        self.result.keys[key_file] = issued.key_pem
        return ClusterCertificate(info.sha256, key_file)

    # --- databases -----------------------------------------------------------------------

    def databases(self, bdbs: list[Any]) -> None:
        for index, bdb in enumerate(bdbs):
            self.state.databases.append(self.database(_json_fields(bdb, f"bdbs[{index}]")))
        self.state.databases.sort(key=lambda d: d.uid)

    def database(self, bdb: FieldReader) -> Database:
        uid = bdb.get("uid", int)
        name = bdb.get("name", str)
        where = f"bdbs[uid {uid}]"
        port = bdb.get("port", int, 0) or _endpoint_port(bdb.table)
        if not port:
            raise WizardError(f"{where}.port: is missing; save the full GET /v1/bdbs response")
        crdt = bool(bdb.get("crdt", bool, False))
        mode = TlsMode.from_rest(_tls_mode(bdb), active_active=crdt)
        tls = TlsSettings(
            enabled=mode is not None,
            mode=mode or TlsMode.ALL,
            enforce_client_auth=bdb.choice(
                "enforce_client_authentication", (REST_ON, REST_OFF), REST_ON
            )
            == REST_ON,
        )
        database = Database(
            uid=uid,
            name=name,
            port=port,
            type=DatabaseType.of_crdt(crdt),
            replica_sources=self.replica_sources(bdb, where),
            created_with_tls=tls.enabled,
            tls=tls,
            crdb_guid=bdb.get("crdt_guid", str, "") if crdt else "",
        )
        for index, entry in enumerate(bdb.get("authentication_ssl_client_certs", list, [])):
            self.trust(database, entry, f"{where}.authentication_ssl_client_certs[{index}]")
        for index, entry in enumerate(bdb.get("authentication_ssl_crdt_certs", list, [])):
            infos = self.trust(database, entry, f"{where}.authentication_ssl_crdt_certs[{index}]")
            if crdt:
                self.participant(database, infos[0])
        self.subjects(bdb, tls, where)
        if tls.enabled and not crdt and not database.replica_sources:
            self.note(
                f"database {name!r} requires TLS{' for Replica Of' if tls.mode is TlsMode.REPLICA_OF else ''}: "
                "the clusters hosting its replicas are not in the cluster's JSON; name them "
                f"(db replicas {name} --add CLUSTER) so their syncer certificates are checked"
            )
        return database

    def trust(self, database: Database, entry: Any, where: str) -> list[CertificateInfo]:
        infos = self.certificates(_json_fields(entry, where).get("client_cert", str), where)
        for info in infos:
            if info.sha256 in database.tls.certificates:
                self.note(f"{where}: certificate {info.sha256[:12]}… is listed twice; kept once")
                continue
            database.tls.certificates.append(info.sha256)
        return infos

    def participant(self, database: Database, info: CertificateInfo) -> None:
        """A CRDT certificate: this cluster's own syncer, or a participating cluster's."""
        own = self.state.cluster.syncer
        if own is not None and own.certificate == info.sha256:
            return
        for participant in self.state.participants:
            if participant.syncer_certificate == info.sha256:
                break
        else:
            base = info.subject_cn or (info.dns_names[0] if info.dns_names else "")
            base = base or f"cluster-{info.sha256[:8]}"
            name, number = base, 2
            while self.state.participant(name) or name == self.state.cluster.name:
                name, number = f"{base}-{number}", number + 1
            participant = Participant(name, info.sha256)
            self.state.participants.append(participant)
            self.note(
                f"participating cluster {name!r} added from a CRDT certificate of "
                f"database {database.name!r} (named by its CN)"
            )
        if participant.name not in database.participants:
            database.participants.append(participant.name)

    def replica_sources(self, bdb: FieldReader, where: str) -> list[ReplicaSource]:
        """The replica side: each syncer_sources object's uri, encryption, server_cert
        (the source cluster's proxy certificate, stored once) and replication_tls_sni."""
        sources = []
        for index, entry in enumerate(bdb.get("replica_sources", list, [])):
            at = f"{where}.replica_sources[{index}]"
            source = _json_fields(entry, at)
            host_port = _host_port(source.get("uri", str))
            if host_port is None:
                raise WizardError(f"{at}.uri: not a redis:// or rediss:// URI with host and port")
            replica = ReplicaSource(
                host_port,
                encryption=bool(source.get("encryption", bool, False)),
                sni=source.get("replication_tls_sni", str, "") or "",
            )
            server_cert = source.get("server_cert", str, "") or ""
            if server_cert.strip():
                replica.server_certificate = self.certificates(server_cert, f"{at}.server_cert")[
                    0
                ].sha256
            if source.get("client_cert", str, ""):
                self.note(
                    f"{at}.client_cert: the source's own client certificate is not kept; the "
                    "replica presents this cluster's syncer certificate"
                )
            sources.append(replica)
        return sources

    def subjects(self, bdb: FieldReader, tls: TlsSettings, where: str) -> None:
        kind = bdb.choice(
            "client_cert_subject_validation_type", SubjectValidation.rest_values(), REST_OFF
        )
        validation = SubjectValidation.from_rest(kind)
        assert validation is not None  # `choice` took one of the REST values
        tls.subject_validation = validation
        subjects = [
            self.subject(s, f"{where}.authorized_subjects[{i}]")
            for i, s in enumerate(bdb.get("authorized_subjects", list, []))
        ]
        names = [str(n) for n in bdb.get("authorized_names", list, [])]
        if kind == "full_subject" or (subjects and any(set(s) != {"CN"} for s in subjects)):
            tls.authorized_subjects = subjects
            if names:
                self.note(f"{where}: authorized_names ignored; authorized_subjects is set")
        else:
            tls.authorized_names = [str(s["CN"]) for s in subjects] or names  # CN is one string

    def subject(self, value: Any, where: str) -> Subject:
        """One subject as the bdb object documents it; OU is kept whole (every unit)."""
        fields = _json_fields(value, where)
        subject: Subject = {}
        for key in SUBJECT_FIELDS:
            item = fields.table.get(key)
            if item is None or item == [] or item == "":
                continue
            if key == "OU":
                units = item if isinstance(item, list) else [item]
                if not all(isinstance(unit, str) and unit for unit in units):
                    raise WizardError(f"{where}.OU: expected an array of strings, got {item!r}")
                subject["OU"] = list(units)
                continue
            if not isinstance(item, str):
                raise WizardError(f"{where}.{key}: expected a string, got {type(item).__name__}")
            subject[key] = item
        if not subject.get("CN"):
            raise WizardError(f"{where}.CN: is required")
        return subject


def _node_entries(nodes_json: Any) -> list[tuple[str, Any]]:
    """(where, node object) for each node in any of the three documented shapes."""
    if isinstance(nodes_json, list) and nodes_json:
        return [(f"nodes[{i}]", node) for i, node in enumerate(nodes_json)]
    if isinstance(nodes_json, dict) and "software_version" in nodes_json:
        return [("node", nodes_json)]
    if isinstance(nodes_json, dict) and nodes_json:
        return [(f"nodes[{uid!r}]", node) for uid, node in nodes_json.items()]
    raise WizardError("nodes: expected the JSON of GET /v1/nodes or GET /v1/nodes/status")


def _tls_mode(bdb: FieldReader) -> str:
    if "tls_mode" not in bdb.table and bdb.table.get("ssl") is True:
        return TlsMode.ALL.rest_value
    return bdb.choice("tls_mode", TlsMode.rest_values(), REST_OFF)


def _endpoints(bdb: Any) -> list[Any]:
    """The bdb's `endpoints` when they are a list, else none (they are only a fallback)."""
    endpoints = bdb.get("endpoints") if isinstance(bdb, dict) else None
    return endpoints if isinstance(endpoints, list) else []


def _endpoint_port(bdb: dict[str, Any]) -> int:
    for endpoint in _endpoints(bdb):
        if isinstance(endpoint, dict) and isinstance(endpoint.get("port"), int):
            return endpoint["port"]
    return 0


def _name_from_endpoints(bdbs: list[Any]) -> str:
    """`redis-12000.cluster1.example.com` -> `cluster1.example.com`."""
    for bdb in bdbs:
        for endpoint in _endpoints(bdb):
            dns = endpoint.get("dns_name") if isinstance(endpoint, dict) else None
            if isinstance(dns, str) and "." in dns:
                return dns.split(".", 1)[1]
    return ""


def _host_port(uri: str) -> str | None:
    """The `host:port` of a source URI; user and password are dropped, never kept."""
    if "://" not in uri:
        uri = f"redis://{uri}"
    try:
        parts = urlsplit(uri)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or not port:
        return None
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def import_rest(
    bdbs_json: Any,
    cluster_json: Any | None = None,
    *,
    name: str | None = None,
    placeholders: bool = True,
    nodes_json: Any | None = None,
) -> ImportResult:
    """Build a state from the parsed JSON of `GET /v1/bdbs` (and `GET /v1/cluster`).

    `placeholders=False` (a preview) skips making the placeholder certificates, which
    costs a key generation each; the notes still say they would be made.
    """
    if isinstance(bdbs_json, dict):
        bdbs_json = [bdbs_json]
    if not isinstance(bdbs_json, list):
        raise WizardError("bdbs: expected the JSON array GET /v1/bdbs returns")
    importer = _Importer(name, placeholders)
    importer.nodes(nodes_json)
    importer.cluster(cluster_json, bdbs_json)
    importer.databases(bdbs_json)
    _check_unique(importer.state)
    _check_loadable(importer.state)
    return importer.result


def _check_loadable(state: State) -> None:
    """The state file's own validation, so an import never writes what cannot be opened."""
    try:
        from_document(to_document(state))
    except StateFileError as error:
        raise WizardError(f"the imported cluster does not make a valid state: {error}") from None


def _check_unique(state: State) -> None:
    for key in ("uid", "name", "port"):
        seen: set[Any] = set()
        for database in state.databases:
            value = getattr(database, key)
            if value in seen:
                raise WizardError(f"bdbs: two databases share {key} {value!r}")
            seen.add(value)


class ImportedState(NamedTuple):
    """The new state file's workspace, and what the import took, skipped and noted."""

    workspace: Workspace
    result: ImportResult


def import_to_new_state(
    path: str | os.PathLike[str],
    bdbs_file: str | os.PathLike[str],
    cluster_file: str | os.PathLike[str] | None = None,
    *,
    name: str | None = None,
    labels: tuple[str, str] = CLI_LABELS,
    nodes_file: str | os.PathLike[str] | None = None,
) -> ImportedState:
    """Import into a new state file at `path`; refuses to overwrite one that exists.

    Everything is read and checked before the first file is written.
    """
    path = Path(path)
    if path.exists():
        raise StateFileError(f"{path}: a state file already exists; it was not overwritten")
    if not path.parent.exists():
        raise StateFileError(f"{path.parent}: no such folder")
    bdbs = read_json_file(bdbs_file, labels[0])
    cluster = read_json_file(cluster_file, labels[1]) if cluster_file else None
    nodes = read_json_file(nodes_file, "--nodes") if nodes_file else None
    result = import_rest(bdbs, cluster, name=name, nodes_json=nodes)
    store.refuse_bad_names(result.state)  # before any key file is written
    workspace = Workspace(path, result.state)
    for key_file in result.keys:
        if workspace.key_path(key_file).exists():
            raise WizardError(
                f"{workspace.key_path(key_file)} already exists; import into an empty folder"
            )
    for key_file, key_pem in result.keys.items():
        workspace.write_key(Path(key_file).name, key_pem)
    workspace.state = store.save(
        path, result.state, base_revision=None, change=f"import from {Path(bdbs_file).name}"
    )
    return ImportedState(workspace, result)


def preview_import(
    bdbs_file: str | os.PathLike[str],
    cluster_file: str | os.PathLike[str] | None = None,
    *,
    name: str | None = None,
    labels: tuple[str, str] = CLI_LABELS,
) -> ImportResult:
    """What an import would create, without writing anything or generating keys."""
    bdbs = read_json_file(bdbs_file, labels[0])
    cluster = read_json_file(cluster_file, labels[1]) if cluster_file else None
    return import_rest(bdbs, cluster, name=name, placeholders=False)


def describe_import(result: ImportResult) -> list[str]:
    """The imported state in a few lines: the cluster, each database, then the notes."""
    state = result.state
    lines = [
        f"cluster {state.cluster.name}"
        f"{f' (Redis Enterprise {state.cluster.version})' if state.cluster.version else ''}: "
        f"minimum data TLS version {state.cluster.min_data_tls_version}, "
        f"{len(state.databases)} database(s)"
    ]
    for database in state.databases:
        tls = database.tls
        if tls.enabled:
            setting = f"TLS {tls.mode}, {len(tls.certificates)} certificate(s)"
            if not tls.enforce_client_auth:
                setting += ", no client authentication"
            if tls.subject_validation is not SubjectValidation.NONE:
                setting += f", {tls.subject_validation} validation"
        else:
            setting = "TLS off"
        lines.append(f"  {database.name} (uid {database.uid}, port {database.port}): {setting}")
    if state.participants:
        lines.append("participants: " + ", ".join(p.name for p in state.participants))
    lines.extend(f"note: {note}" for note in result.notes)
    return lines


def plan_against_cluster(
    state: State,
    bdbs_file: str | os.PathLike[str],
    cluster_file: str | os.PathLike[str] | None = None,
) -> list[FieldChange]:
    """What applying `state` would change on the cluster whose JSON is given (writes nothing).

    The cluster is imported in memory and compared with `state` by the plan. A cluster
    certificate the cluster already has counts as unchanged whatever key file each side
    names, and placeholders are never compared (they are never sent).
    """
    cluster = read_json_file(cluster_file, "--cluster") if cluster_file else None
    imported = import_rest(
        read_json_file(bdbs_file, "--bdbs"),
        cluster,
        name=state.cluster.name,
        placeholders=False,
    ).state
    imported.cluster.fqdn = state.cluster.fqdn
    imported.cluster.version = state.cluster.version
    for database in imported.databases:
        mine = state.database(database.name)
        tls = database.tls
        if mine is not None and not (tls.enabled and tls.certificates):
            # the cluster reports `disabled` whenever TLS is off or nothing is trusted, and
            # apply sends it so: the state's own choice is not a difference
            tls.enforce_client_auth = mine.tls.enforce_client_auth
    if cluster is None:
        imported.cluster.name = state.cluster.name
        imported.cluster.min_data_tls_version = state.cluster.min_data_tls_version
    for role in CertificateRole:
        kept, theirs = state.cluster.certificate(role), imported.cluster.certificate(role)
        if theirs is None or (kept is not None and kept.certificate == theirs.certificate):
            theirs = kept
        imported.cluster.set_certificate(role, theirs)
    for database in imported.databases:
        # The clusters hosting replicas are not in GET /v1/bdbs: only the state knows them.
        mine = state.database(database.name)
        if mine is not None:
            database.replica_clusters = list(mine.replica_clusters)
    return diff_states(imported, state)
