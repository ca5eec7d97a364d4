"""From one database and its cluster to the CONFIG values a redis-server needs.

The plan is computed without touching any server or file, so `apply --dry-run`, the
screens and the tests all see the same mapping (docs/targets.md documents it). What a
redis-server cannot enforce (subject/SAN validation, CRDB) is listed as `not_enforced`
rather than dropped, because silently weaker security is the one outcome an administrator
cannot see coming.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..certificates import describe_pem, key_matches, load_private_key, needs_its_ca
from ..errors import WizardError
from ..model import Database, State, subject_text
from ..vocabulary import SubjectValidation, TlsMode

TLS_PROTOCOLS = {
    "1": "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
    "1.1": "TLSv1.1 TLSv1.2 TLSv1.3",
    "1.2": "TLSv1.2 TLSv1.3",
    "1.3": "TLSv1.3",
}
"""The console's minimum version as the list `tls-protocols` wants (every version from it up)."""

REPLICA_OF_TLS_PORT_OFFSET = 10000


def tls_folder_name(state: State, database_name: str) -> str:
    """The folder, relative to the state's, for a database's TLS files: `tls/db-<uid>`.

    Named by uid, never by the database's name, so no name can ever steer a path.
    """
    return f"tls/db-{state.require_database(database_name).uid}"


"""In "Replica Of only" mode clients keep the plaintext port, so TLS needs a port of its own:
the database port plus this, unless given (`--tls-port`)."""

FILE_SETTINGS = (
    "tls-cert-file",
    "tls-key-file",
    "tls-ca-cert-file",
    "tls-client-cert-file",
    "tls-client-key-file",
)
TLS_SETTINGS = (*FILE_SETTINGS, "tls-auth-clients", "tls-protocols")
"""Settings that only shape the TLS context: changed together in one CONFIG SET."""

MANAGED_SETTINGS = (*TLS_SETTINGS, "tls-replication", "tls-port", "port")
"""Everything the plan may change, read back with CONFIG GET to compare and to roll back."""

NO_REPLICATION = "no one"


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """A file the server will read: written into the TLS folder before any CONFIG SET."""

    role: str
    path: Path
    data: bytes
    mode: int

    @property
    def is_key(self) -> bool:
        return self.mode == 0o600


@dataclass(frozen=True, slots=True)
class NotEnforced:
    """A part of the database's TLS settings this target cannot enforce, and what that means."""

    setting: str
    detail: str


@dataclass(slots=True)
class RedisPlan:
    """The desired server configuration for one database."""

    database: str
    tls_enabled: bool
    settings: dict[str, str]
    files: list[PlannedFile] = field(default_factory=list)
    replica_of: str | None = None
    not_enforced: list[NotEnforced] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    proxy_certificate: str = ""
    enforce_client_auth: bool = False
    min_tls_version: str = "1.2"
    cluster_name: str = "this cluster"
    source_hint: str = ""
    """What the state knows of the Replica Of source's port (a plain-text client port of
    one of its own databases, and that database's TLS port), added to link messages."""

    @property
    def tls_port(self) -> int:
        return int(self.settings.get("tls-port", "0"))

    @property
    def plain_port(self) -> int:
        return int(self.settings.get("port", "0"))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _content_file(folder: Path, role: str, stem: str, suffix: str, data: bytes) -> PlannedFile:
    """Named after its content: a rollback never finds an old file overwritten."""
    mode = 0o600 if suffix == ".key" else 0o644
    return PlannedFile(role, folder / f"{stem}-{_digest(data)}{suffix}", data, mode)


def _checked_key(state: State, role: str, read_key: Callable[[str], bytes]) -> bytes:
    """The role's key, refused before anything changes if it does not match its certificate."""
    ref = state.cluster.certificate(role)
    if ref is None:
        raise WizardError(
            f"the cluster has no {role} certificate; set one with `cluster certificate set {role}`"
        )
    key_pem = read_key(role)
    key = load_private_key(key_pem, f"{role} key file {ref.key_file}")
    if not key_matches(describe_pem(state.certificates[ref.certificate]), key):
        raise WizardError(
            f"the {role} key file {ref.key_file} does not match the {role} certificate; "
            f"install the certificate again with its key (`cluster certificate set {role}`)"
        )
    return key_pem


def _not_enforced(state: State, database: Database, plan: RedisPlan) -> None:
    tls = database.tls
    if tls.enabled and tls.subject_validation != SubjectValidation.NONE:
        listed = tls.authorized_names or [subject_text(s) for s in tls.authorized_subjects]
        plan.not_enforced.append(
            NotEnforced(
                f"subject validation ({tls.subject_validation}: {'; '.join(listed)})",
                "redis-server only checks that a client certificate chains to "
                "tls-ca-cert-file; it does not compare SAN, CN or subject with authorized "
                "names, so any certificate a trusted CA issued can connect",
            )
        )
    if tls.enabled and tls.enforce_client_auth:
        _leaves_without_ca(state, database, plan)
    if tls.enabled and tls.mode == TlsMode.CRDB:
        plan.not_enforced.append(
            NotEnforced(
                "TLS for CRDB communication",
                "redis-server has no Active-Active (CRDB) replication; nothing is "
                "configured for it and clients keep the plaintext port",
            )
        )
    if database.is_active_active and database.participants:
        plan.not_enforced.append(
            NotEnforced(
                f"participating clusters ({', '.join(database.participants)})",
                "a single redis-server does not replicate Active-Active; their syncer "
                "certificates are trusted but no link to them is made",
            )
        )
    if len(database.replica_of) > 1:
        plan.not_enforced.append(
            NotEnforced(
                f"Replica Of sources after the first ({', '.join(database.replica_of[1:])})",
                "redis-server replicates from one source; only "
                f"{database.replica_of[0]} is configured",
            )
        )
    if tls.enabled and state.cluster.min_data_tls_version in ("1", "1.1"):
        plan.notes.append(
            "tls-protocols lists TLSv1/TLSv1.1, but OpenSSL 3 negotiates them only at "
            "security level 0; at its default level the server accepts TLSv1.2 and later"
        )


def not_enforced(state: State, database: Database) -> list[NotEnforced]:
    """What this target cannot enforce for `database`: `verify` lists it as apply does."""
    plan = RedisPlan(database=database.name, tls_enabled=False, settings={})
    _not_enforced(state, database, plan)
    return plan.not_enforced


def _trusted(database: Database) -> list[str]:
    """The database's trusted certificates, then (on a replica whose source is encrypted)
    the source cluster's proxy certificate: redis-server verifies both clients and its
    source with the one tls-ca-cert-file."""
    shas = list(database.tls.certificates) if database.tls.enabled else []
    for source in database.replica_sources[:1]:
        sha = source.server_certificate
        if source.encryption and sha is not None and sha not in shas:
            shas.append(sha)
    return shas


def _leaves_without_ca(state: State, database: Database, plan: RedisPlan) -> None:
    """Redis Enterprise accepts a trusted CA-signed client certificate on its own; a
    redis-server (OpenSSL without partial chains) refuses it until its CA is trusted too."""
    trusted = [
        describe_pem(state.certificates[sha])
        for sha in database.tls.certificates
        if sha in state.certificates
    ]
    for cert in trusted:
        if needs_its_ca(cert, trusted):
            plan.not_enforced.append(
                NotEnforced(
                    f"trusting {cert.label} without its CA",
                    "redis-server refuses this client (OpenSSL needs the chain to reach a "
                    "trusted root; Redis Enterprise accepts a trusted client certificate): add "
                    f"the CA that issued it ({cert.issuer}) to the database's certificates",
                )
            )


def _replica_of(database: Database) -> str:
    if not database.replica_of:
        return NO_REPLICATION
    host, _, port = database.replica_of[0].rpartition(":")
    return f"{host.strip('[]')} {port}"


def build_plan(
    state: State,
    name: str,
    tls_dir: Path,
    read_key: Callable[[str], bytes],
    *,
    tls_port: int | None = None,
) -> RedisPlan:
    """The desired CONFIG values and files for database `name`; raises WizardError when the
    state cannot be applied as it is (no certificate to trust, a key that does not match)."""
    database = state.require_database(name)
    tls = database.tls
    folder = Path(tls_dir).resolve()
    secure_clients = tls.enabled and tls.mode == TlsMode.ALL
    encrypted_source = bool(database.replica_sources) and database.replica_sources[0].encryption
    # The replica side needs the TLS settings too when its source is encrypted, whatever
    # the database's own TLS for its clients says.
    secure_link = (
        tls.enabled and tls.mode in (TlsMode.ALL, TlsMode.REPLICA_OF)
    ) or encrypted_source
    plan = RedisPlan(
        database=name,
        tls_enabled=secure_link,
        settings={},
        replica_of=_replica_of(database),
        enforce_client_auth=tls.enforce_client_auth,
        min_tls_version=state.cluster.min_data_tls_version,
        cluster_name=state.cluster.name,
    )
    _not_enforced(state, database, plan)
    if not secure_link:
        # The files are cleared too, so a CONFIG REWRITE leaves no certificate paths
        # beside `tls-port 0` (redis-server accepts "" while the TLS port closes).
        plan.settings = {
            **dict.fromkeys(FILE_SETTINGS, ""),
            "tls-replication": "no",
            "tls-port": "0",
            "port": str(database.port),
        }
        return plan

    proxy_pem = state.certificate_pem("proxy").encode()
    proxy_key = _checked_key(state, "proxy", read_key)
    proxy = state.cluster.proxy
    assert proxy is not None
    plan.proxy_certificate = proxy.certificate
    source = database.replica_sources[0] if database.replica_sources else None
    encrypted_link = source is not None and source.encryption
    trusted = "".join(state.certificates[sha] for sha in _trusted(database)).encode()
    if not trusted and (tls.enforce_client_auth or encrypted_link):
        why = (
            "it must verify the Replica Of source's proxy certificate: paste it "
            "(`db source DB HOST:PORT --server-cert FILE`)"
            if encrypted_link
            else "with client authentication enforced no client could connect: add a client "
            "certificate or CA first (`db tls DB --add-cert FILE`)"
        )
        raise WizardError(f"database {name!r} trusts no certificate and {why}")
    files = [
        _content_file(folder, "proxy certificate", "proxy", ".crt", proxy_pem),
        _content_file(folder, "proxy key", "proxy", ".key", proxy_key),
    ]
    settings = {
        "tls-cert-file": str(files[0].path),
        "tls-key-file": str(files[1].path),
        "tls-ca-cert-file": "",
    }
    if trusted:
        bundle = _content_file(folder, "trusted certificates", "trusted", ".crt", trusted)
        files.append(bundle)
        settings["tls-ca-cert-file"] = str(bundle.path)
    if encrypted_link:
        syncer_pem = state.certificate_pem("syncer").encode()
        syncer_key = _checked_key(state, "syncer", read_key)
        files.append(_content_file(folder, "syncer certificate", "syncer", ".crt", syncer_pem))
        files.append(_content_file(folder, "syncer key", "syncer", ".key", syncer_key))
        settings["tls-client-cert-file"] = str(files[-2].path)
        settings["tls-client-key-file"] = str(files[-1].path)
        plan.notes.append(
            "the replica presents this cluster's syncer certificate to the source and "
            "verifies the source with tls-ca-cert-file, which holds the source cluster's "
            "proxy certificate"
        )
    else:
        settings["tls-client-cert-file"] = ""
        settings["tls-client-key-file"] = ""
    if source is not None and not encrypted_link:
        plan.notes.append(
            f"the Replica Of source {source.uri} is reached without encryption (tls-replication no)"
        )
    settings["tls-auth-clients"] = "yes" if tls.enforce_client_auth else "no"
    settings["tls-protocols"] = TLS_PROTOCOLS[state.cluster.min_data_tls_version]
    settings["tls-replication"] = "yes" if encrypted_link else "no"
    if secure_clients:
        settings["tls-port"] = str(database.port)
        settings["port"] = "0"
    else:
        chosen = tls_port or database.port + REPLICA_OF_TLS_PORT_OFFSET
        if not 1 <= chosen <= 65535 or chosen == database.port:
            raise WizardError(
                f"TLS port {chosen} is not usable beside plaintext port {database.port}; "
                "choose one with --tls-port"
            )
        settings["tls-port"] = str(chosen)
        settings["port"] = str(database.port)
        plan.notes.append(
            f"Replica Of only: clients keep plaintext port {database.port}; TLS (for the "
            f"replication link) listens on {chosen}"
        )
    plan.settings = settings
    plan.files = files
    return plan
