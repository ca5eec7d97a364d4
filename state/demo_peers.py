"""The demo's other clusters, as their own state files under `peers/`, for the mesh check.

One state file sees one cluster; `check --mesh` and the Mesh screen read several. The demo
writes cluster2's and cluster3's state files beside its own, built from the certificates
the demo cluster knows of them, with one mistake left in for the check to find: cluster3's
`inventory` does not trust cluster2's syncer certificate (the page's "repeat this process
on all participating clusters" forgotten once). The peers hold certificates only: the demo
has no private keys of other clusters, and the mesh check never needs one.
"""

from __future__ import annotations

from pathlib import Path

from . import store
from .certificates import CertificateInfo, describe_pem
from .certificates.issue import self_signed_cluster_certificate
from .model import (
    Cluster,
    ClusterCertificate,
    Database,
    Participant,
    ReplicaSource,
    State,
    TlsSettings,
)
from .vocabulary import DatabaseType, TlsMode

PEERS_FOLDER = "peers"


def _peer(state: State, name: str, proxy: CertificateInfo) -> State:
    """Cluster `name` as it would describe itself: its certificates, the others as
    participants (with the syncer certificates this state holds), and its Active-Active
    `inventory` trusting every participant's syncer certificate."""
    own = state.participant(name)
    assert own is not None and state.cluster.syncer is not None
    peer = State(cluster=Cluster(name=name, fqdn=name))
    peer.cluster.proxy = ClusterCertificate(proxy.sha256, "keys/proxy.key")
    peer.cluster.syncer = ClusterCertificate(own.syncer_certificate, "keys/syncer.key")
    peer.certificates[proxy.sha256] = proxy.pem
    others = [(state.cluster.name, state.cluster.syncer.certificate)] + [
        (p.name, p.syncer_certificate) for p in state.participants if p.name != name
    ]
    for _other, sha in [*others, (name, own.syncer_certificate)]:
        peer.certificates[sha] = state.certificates[sha]
    peer.participants = [Participant(other, sha) for other, sha in others]
    peer.databases.append(
        Database(
            1,
            "inventory",
            12002,
            type=DatabaseType.ACTIVE_ACTIVE,
            participants=[other for other, _sha in others],
            created_with_tls=True,
            tls=TlsSettings(
                enabled=True, mode=TlsMode.CRDB, certificates=[sha for _other, sha in others]
            ),
        )
    )
    return peer


def write_peers(
    state: State, folder: str | Path, source_proxy: CertificateInfo | None = None
) -> list[Path]:
    """cluster2 (the source of `sessions`, trusting this cluster's syncer) and cluster3
    (hosting a replica of `orders`, holding this cluster's proxy certificate)."""
    names = [p.name for p in state.participants][:2]
    proxy_pem = state.certificates[state.cluster.proxy.certificate] if state.cluster.proxy else ""
    assert len(names) == 2 and proxy_pem and state.cluster.syncer is not None
    cluster2_proxy = source_proxy or describe_pem(
        self_signed_cluster_certificate(names[0]).pem.decode()
    )
    cluster3_proxy = describe_pem(self_signed_cluster_certificate(names[1]).pem.decode())
    cluster2 = _peer(state, names[0], cluster2_proxy)
    cluster2.databases.append(
        Database(
            2,
            "sessions",
            12001,
            replica_clusters=[state.cluster.name],
            created_with_tls=True,
            tls=TlsSettings(
                enabled=True,
                mode=TlsMode.REPLICA_OF,
                certificates=[state.cluster.syncer.certificate],
            ),
        )
    )
    cluster3 = _peer(state, names[1], cluster3_proxy)
    inventory = cluster3.databases[0]
    missing = cluster3.participant(names[0])
    assert missing is not None
    inventory.tls.certificates.remove(missing.syncer_certificate)
    proxy = describe_pem(proxy_pem)
    cluster3.certificates[proxy.sha256] = proxy.pem
    cluster3.databases.append(
        Database(
            2,
            "orders-replica",
            12000,
            replica_sources=[
                ReplicaSource(f"redis-12000.{state.cluster.fqdn}:12000", True, proxy.sha256)
            ],
        )
    )
    target = Path(folder) / PEERS_FOLDER
    target.mkdir(mode=0o700, exist_ok=True)
    written = []
    for peer in (cluster2, cluster3):
        path = target / f"{peer.cluster.name}.toml"
        store.save(path, peer, base_revision=None, change="demo: another cluster")
        written.append(path)
    return written
