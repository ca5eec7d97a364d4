"""Replica Of over TLS between two real redis-servers of two clusters, the documented way.

Two state files, as two clusters have: cluster1 hosts the source database, cluster2 the
replica. Each ships self-signed proxy and syncer certificates, as the product does.

- Source side ("Encrypt source database traffic"): the source database requires TLS with
  client authentication and trusts the syncer certificate of cluster2, which hosts the
  replica (`--replica-cluster`).
- Replica side ("Encrypt replica database traffic"): the replica's source uses encryption
  and holds cluster1's proxy certificate (`--source-encryption --source-cert`).

Data written on the source is read on the replica; take either trust away and the link is
refused, and apply and verify say which side is at fault.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from e2e_helpers import cli, cli_json, client_args, free_port, plain_client, tls_client

from state.workspace import Workspace, init_state

pytestmark = pytest.mark.e2e

SOURCE_CLUSTER = "cluster1.example.com"
REPLICA_CLUSTER = "cluster2.example.com"


@pytest.fixture(scope="module")
def replica_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cluster2")
    init_state(folder / "tls-wizard.toml", REPLICA_CLUSTER)
    return folder


@pytest.fixture
def replica_cluster(replica_template: Path, tmp_path: Path) -> Workspace:
    """cluster2's own state file: a second cluster, with its own certificates."""
    folder = tmp_path / "cluster2"
    shutil.copytree(replica_template, folder)
    return Workspace.open(folder / "tls-wizard.toml")


def _pem_file(folder: Path, name: str, pem: str) -> str:
    path = folder / name
    path.write_text(pem)
    return str(path)


def _source(redis_servers, source_cluster, replica_cluster, pki, capsys, *, trust: bool = True):
    """cluster1: the source database, trusting cluster2's syncer (when `trust`)."""
    server = redis_servers()
    port = free_port()
    folder = source_cluster.folder
    syncer = _pem_file(
        folder, "cluster2-syncer.pem", replica_cluster.state.certificate_pem("syncer")
    )
    code, _out, err = cli(
        capsys,
        source_cluster,
        "cluster",
        "participant",
        "add",
        REPLICA_CLUSTER,
        "--syncer-cert",
        syncer,
    )
    assert code == 0, err
    trust_args = ["--replica-cluster", REPLICA_CLUSTER, "--add-cert", syncer] if trust else []
    code, _out, err = cli(
        capsys,
        source_cluster,
        "db",
        "create",
        "orders",
        "--port",
        str(port),
        "--enable",
        "--mode",
        "all",
        "--add-cert",
        str(pki.files["client-ca.pem"]),
        *trust_args,
    )
    assert code == 0, err
    code, _out, err = cli(
        capsys,
        source_cluster,
        "apply",
        "redis",
        "orders",
        "--url",
        server.url,
        *client_args(pki, "app1"),
    )
    assert code == 0, err
    return port


def _replica(replica_cluster, pki, capsys, source_port: int, source_cert_pem: str) -> int:
    """cluster2: the replica database, its source encrypted with `source_cert_pem`."""
    port = free_port()
    cert = _pem_file(replica_cluster.folder, "source-proxy.pem", source_cert_pem)
    code, _out, err = cli(
        capsys,
        replica_cluster,
        "db",
        "create",
        "orders-copy",
        "--port",
        str(port),
        "--replica-of",
        f"127.0.0.1:{source_port}",
        "--source-encryption",
        "--source-cert",
        cert,
        "--enable",
        "--mode",
        "replica-of",
        "--add-cert",
        str(pki.files["client-ca.pem"]),
    )
    assert code == 0, err
    return port


def _apply_replica(capsys, replica_cluster, server, pki, tls_port: int, *extra: str):
    return cli_json(
        capsys,
        replica_cluster,
        "apply",
        "redis",
        "orders-copy",
        "--url",
        server.url,
        "--allow-replicaof-change",  # the fresh server is a primary: it becomes a replica
        "--tls-port",
        str(tls_port),
        *extra,
        *client_args(pki, "app1"),
    )


def _read_on_replica(port: int, key: str, timeout: float = 5.0) -> str | None:
    deadline = time.monotonic() + timeout
    with plain_client(port) as client:
        while time.monotonic() < deadline:
            value = client.get(key)
            if value is not None:
                return value
            time.sleep(0.05)
    return None


def test_data_crosses_the_link_between_two_clusters(
    redis_servers, workspace, replica_cluster, pki, capsys
):
    source_port = _source(redis_servers, workspace, replica_cluster, pki, capsys)
    proxy = workspace.state.certificate_pem("proxy")
    replica_port = _replica(replica_cluster, pki, capsys, source_port, proxy)
    replica_server = redis_servers()
    tls_port = free_port()
    code, result = _apply_replica(capsys, replica_cluster, replica_server, pki, tls_port)
    assert code == 0, result["error"]
    assert f"Replica Of link to 127.0.0.1:{source_port} is up" in result["checks"]
    with tls_client(source_port, pki) as source:
        source.set("greeting", "hello across clusters")
    assert _read_on_replica(replica_port, "greeting") == "hello across clusters"
    with plain_client(replica_port) as replica:
        values = replica.config_get("tls-replication")
        values.update(replica.config_get("tls-client-cert-file"))
        values.update(replica.config_get("tls-ca-cert-file"))
    assert values["tls-replication"] == "yes" and "syncer-" in values["tls-client-cert-file"]
    assert Path(
        values["tls-client-cert-file"]
    ).read_text() == replica_cluster.state.certificate_pem("syncer")
    assert proxy in Path(values["tls-ca-cert-file"]).read_text()
    code, report = cli_json(
        capsys,
        replica_cluster,
        "verify",
        "orders-copy",
        "--host",
        "127.0.0.1",
        "--tls-port",
        str(tls_port),
        "--server-name",
        REPLICA_CLUSTER,
        *client_args(pki, "app1"),
    )
    checks = {check["name"]: check for check in report["checks"]}
    assert code == 0, checks
    assert checks["replication"]["reason"] == f"linked to 127.0.0.1:{source_port} over TLS"


def test_a_replica_whose_syncer_the_source_does_not_trust_is_refused(
    redis_servers, workspace, replica_cluster, pki, capsys
):
    source_port = _source(redis_servers, workspace, replica_cluster, pki, capsys, trust=False)
    _replica(replica_cluster, pki, capsys, source_port, workspace.state.certificate_pem("proxy"))
    replica_server = redis_servers()
    code, result = _apply_replica(
        capsys, replica_cluster, replica_server, pki, free_port(), "--link-timeout", "3"
    )
    assert code == 1
    assert "refused the syncer certificate" in result["error"]
    assert "source side" in result["error"]
    assert result["outcome"] == "rolled-back"
    assert any(line.startswith("Replica Of ") for line in result["rolled_back"])
    with plain_client(replica_server.port) as replica:
        assert replica.info("replication")["role"] == "master"


def test_a_replica_that_does_not_trust_the_source_proxy_certificate_is_refused(
    redis_servers, workspace, replica_cluster, pki, capsys
):
    """The replica holds cluster1's syncer certificate instead of its proxy certificate:
    the source presents its proxy certificate, which the replica cannot verify."""
    source_port = _source(redis_servers, workspace, replica_cluster, pki, capsys)
    wrong = workspace.state.certificate_pem("syncer")
    _replica(replica_cluster, pki, capsys, source_port, wrong)
    replica_server = redis_servers()
    code, result = _apply_replica(
        capsys, replica_cluster, replica_server, pki, free_port(), "--link-timeout", "3"
    )
    assert code == 1
    assert "does not trust the certificate of the source" in result["error"]
    assert "replica side" in result["error"]


def test_verify_names_the_side_at_fault_when_a_link_goes_down(
    redis_servers, workspace, replica_cluster, pki, capsys
):
    """A working link, then the source stops trusting cluster2's syncer certificate and
    drops the replica: verify on the replica says the source side is at fault."""
    source_port = _source(redis_servers, workspace, replica_cluster, pki, capsys)
    replica_port = _replica(
        replica_cluster, pki, capsys, source_port, workspace.state.certificate_pem("proxy")
    )
    replica_server = redis_servers()
    tls_port = free_port()
    code, result = _apply_replica(capsys, replica_cluster, replica_server, pki, tls_port)
    assert code == 0, result["error"]
    with tls_client(source_port, pki) as source:
        source.config_set("tls-ca-cert-file", str(pki.files["client-ca.pem"]))
        source.client_kill_filter(_type="replica")
    deadline = time.monotonic() + 5
    with plain_client(replica_port) as replica:
        while replica.info("replication")["master_link_status"] == "up":
            assert time.monotonic() < deadline, "the link never went down"
            time.sleep(0.05)
    code, report = cli_json(
        capsys,
        replica_cluster,
        "verify",
        "orders-copy",
        "--host",
        "127.0.0.1",
        "--tls-port",
        str(tls_port),
        "--server-name",
        REPLICA_CLUSTER,
        *client_args(pki, "app1"),
    )
    checks = {check["name"]: check for check in report["checks"]}
    assert code == 1
    assert [name for name, check in checks.items() if not check["passed"]] == ["replication"]
    reason = checks["replication"]["reason"]
    assert "refused the syncer certificate" in reason and "source side" in reason
    assert REPLICA_CLUSTER in reason
