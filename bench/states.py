"""Large, realistic state files for the benchmarks and the reliability tests.

A state of N databases mixes every kind the wizard handles (TLS off, all communications
with client CAs and SAN lists, Replica Of with a participant's syncer certificate,
active-active over two participants), so loading and checking it exercises every rule.
Certificates come from a small pool and are shared between databases, as in real
clusters where many databases trust the same client CA.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from state import store
from state.certificates import describe_pem
from state.certificates.issue import (
    KeyAndCertificate,
    SubjectFields,
    certificate_authority,
    issue_certificate,
    self_signed_cluster_certificate,
)
from state.model import (
    Cluster,
    ClusterCertificate,
    Database,
    Participant,
    ReplicaSource,
    State,
    TlsSettings,
)
from state.vocabulary import DatabaseType, SubjectValidation, TlsMode

CLUSTER = "cluster1.example.com"
PARTICIPANTS = ("cluster2.example.com", "cluster3.example.com")
POOL_SIZE = 24
FIXED_NOW = "2026-11-28T18:00:00+00:00"


@dataclass(frozen=True)
class CertificatePool:
    """The client CA, its client certificates, the cluster's and the participants' own."""

    ca: KeyAndCertificate
    clients: list[KeyAndCertificate]
    cluster: dict[str, KeyAndCertificate]
    syncers: dict[str, KeyAndCertificate]


@functools.cache
def certificate_pool() -> CertificatePool:
    """The PEMs every generated state draws from; made once per process (RSA keygen is slow)."""
    ca = certificate_authority("Bench Client CA")
    clients = [
        issue_certificate(
            ca,
            SubjectFields(cn=f"app{i}.example.com", org="Example"),
            sans=[f"app{i}.example.com"],
            key_type="ec",
            bits=256,
        )
        for i in range(POOL_SIZE)
    ]
    cluster = {role: self_signed_cluster_certificate(CLUSTER) for role in ("proxy", "syncer")}
    syncers = {name: self_signed_cluster_certificate(name) for name in PARTICIPANTS}
    return CertificatePool(ca=ca, clients=clients, cluster=cluster, syncers=syncers)


def _sha(pem: bytes, certificates: dict[str, str]) -> str:
    info = describe_pem(pem.decode())
    certificates[info.sha256] = info.pem
    return info.sha256


def build_state(databases: int) -> State:
    """A valid state (no rule errors) with `databases` databases of every kind."""
    pool = certificate_pool()
    certificates: dict[str, str] = {}
    cluster = Cluster(name=CLUSTER, fqdn=CLUSTER)
    for role, issued in pool.cluster.items():
        ref = ClusterCertificate(_sha(issued.pem, certificates), f"keys/{role}.key")
        setattr(cluster, role, ref)
    participants = [
        Participant(name, _sha(issued.pem, certificates)) for name, issued in pool.syncers.items()
    ]
    ca = _sha(pool.ca.pem, certificates)
    clients = [_sha(c.pem, certificates) for c in pool.clients]
    state = State(cluster=cluster, participants=participants, certificates=certificates)
    for index in range(databases):
        state.databases.append(_database(index, ca, clients, participants))
    state.saved_at = FIXED_NOW
    return state


def _database(index: int, ca: str, clients: list[str], participants: list[Participant]) -> Database:
    uid, name, port = index + 1, f"db-{index:05d}", 10000 + index
    kind = index % 5
    if kind == 0:
        return Database(uid, name, port)
    if kind in (1, 2):
        client = clients[index % len(clients)]
        return Database(
            uid,
            name,
            port,
            created_with_tls=True,
            tls=TlsSettings(
                enabled=True,
                mode=TlsMode.ALL,
                certificates=[ca, client],
                subject_validation=SubjectValidation.SAN if kind == 1 else SubjectValidation.NONE,
                authorized_names=[f"app{index % 7}.example.com", f"*.svc{index}.example.com"]
                if kind == 1
                else [],
            ),
        )
    if kind == 3:
        source = participants[index % len(participants)]
        return Database(
            uid,
            name,
            port,
            replica_sources=[ReplicaSource(f"redis-{port}.{source.name}:{port}")],
            replica_clusters=[source.name],
            created_with_tls=True,
            tls=TlsSettings(
                enabled=True, mode=TlsMode.REPLICA_OF, certificates=[source.syncer_certificate]
            ),
        )
    return Database(
        uid,
        name,
        port,
        type=DatabaseType.ACTIVE_ACTIVE,
        participants=[p.name for p in participants],
        created_with_tls=True,
        tls=TlsSettings(
            enabled=True,
            mode=TlsMode.CRDB,
            certificates=[p.syncer_certificate for p in participants],
        ),
    )


def write_state(path: Path, databases: int) -> Path:
    """Write a generated state to `path` as revision 1 (and its key files, 0600)."""
    path = Path(path)
    pool = certificate_pool()
    keys = path.parent / "keys"
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    for role, issued in pool.cluster.items():
        store.write_atomic(keys / f"{role}.key", issued.key_pem, 0o600)
    state = build_state(databases)
    state.revision = 1
    state.change = f"generated: {databases} databases"
    store.write_atomic(path, store.dumps(state).encode("utf-8"), 0o600)
    return path


def fixed_clock() -> dt.datetime:
    return dt.datetime.fromisoformat(FIXED_NOW)
