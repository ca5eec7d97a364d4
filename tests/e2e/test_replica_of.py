"""Replica Of over TLS between two real redis-servers, both ways of trust.

The cluster ships self-signed proxy and syncer certificates (as the product does). The
source database trusts the syncer certificate, so the replica (presenting it) may connect;
the replica database trusts the proxy certificate, so it accepts the source's server
certificate. Take either away and the link fails, and apply and verify say which.
"""

from __future__ import annotations

import time

import pytest
from e2e_helpers import (
    add_database,
    cli,
    cli_json,
    client_args,
    free_port,
    plain_client,
    tls_client,
)

from state.operations import certificate_pem

pytestmark = pytest.mark.e2e


def _source(redis_servers, workspace, pki, capsys, *, trust_syncer: bool = True) -> int:
    server = redis_servers()
    port = free_port()
    trusted = [pki.pem("client-ca")]
    if trust_syncer:
        trusted.append(certificate_pem(workspace.state, "syncer"))
    add_database(workspace, "source", port, trusted=trusted)
    code, _out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "source",
        "--url",
        server.url,
        *client_args(pki, "app1"),
    )
    assert code == 0, err
    return port


def _replica_database(workspace, pki, source_port: int, *, trust_proxy: bool = True) -> int:
    port = free_port()
    trusted = [pki.pem("client-ca")]
    if trust_proxy:
        trusted.append(certificate_pem(workspace.state, "proxy"))
    add_database(
        workspace,
        "replica",
        port,
        trusted=trusted,
        mode="replica-of",
        replica_of=[f"127.0.0.1:{source_port}"],
    )
    return port


def _read_on_replica(port: int, key: str, timeout: float = 5.0) -> str | None:
    deadline = time.monotonic() + timeout
    with plain_client(port) as client:
        while time.monotonic() < deadline:
            value = client.get(key)
            if value is not None:
                return value
            time.sleep(0.05)
    return None


def test_data_written_on_the_source_is_read_on_the_replica(redis_servers, workspace, pki, capsys):
    source_port = _source(redis_servers, workspace, pki, capsys)
    replica_server = redis_servers()
    replica_port = _replica_database(workspace, pki, source_port)
    tls_port = free_port()
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "replica",
        "--url",
        replica_server.url,
        "--tls-port",
        str(tls_port),
        *client_args(pki, "app1"),
    )
    assert code == 0, result["error"]
    assert f"Replica Of link to 127.0.0.1:{source_port} is up" in result["checks"]
    with tls_client(source_port, pki) as source:
        source.set("greeting", "hello over TLS")
    assert _read_on_replica(replica_port, "greeting") == "hello over TLS"
    with plain_client(replica_port) as replica:
        values = replica.config_get("tls-replication")
        values.update(replica.config_get("tls-client-cert-file"))
    assert values["tls-replication"] == "yes" and "syncer-" in values["tls-client-cert-file"]
    code, report = cli_json(
        capsys,
        workspace,
        "verify",
        "replica",
        "--host",
        "127.0.0.1",
        "--port",
        str(tls_port),
        "--server-name",
        "cluster1.example.com",
        *client_args(pki, "app1"),
    )
    checks = {check["name"]: check for check in report["checks"]}
    assert code == 0, checks
    assert checks["replication"]["reason"] == f"linked to 127.0.0.1:{source_port}"


def test_a_syncer_certificate_the_source_does_not_trust_fails_the_link(
    redis_servers, workspace, pki, capsys
):
    source_port = _source(redis_servers, workspace, pki, capsys, trust_syncer=False)
    replica_server = redis_servers()
    _replica_database(workspace, pki, source_port)
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "replica",
        "--url",
        replica_server.url,
        "--tls-port",
        str(free_port()),
        "--link-timeout",
        "3",
        *client_args(pki, "app1"),
    )
    assert code == 1
    assert "refused the syncer certificate" in result["error"]
    assert "Replica Of" in result["rolled_back"]
    with plain_client(replica_server.port) as replica:
        assert replica.info("replication")["role"] == "master"
        assert replica.config_get("tls-port")["tls-port"] == "0"


def test_a_source_certificate_the_replica_does_not_trust_fails_the_link(
    redis_servers, workspace, pki, capsys
):
    source_port = _source(redis_servers, workspace, pki, capsys)
    replica_server = redis_servers()
    _replica_database(workspace, pki, source_port, trust_proxy=False)
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "replica",
        "--url",
        replica_server.url,
        "--tls-port",
        str(free_port()),
        "--link-timeout",
        "3",
        *client_args(pki, "app1"),
    )
    assert code == 1
    assert "does not trust the certificate of the source" in result["error"]


def test_verify_says_why_a_link_went_down(redis_servers, workspace, pki, capsys):
    """A working link, then the source stops trusting the syncer certificate and drops the
    replica: the replica cannot reconnect, and verify names the refused syncer certificate."""
    source_server_port = _source(redis_servers, workspace, pki, capsys)
    replica_server = redis_servers()
    replica_port = _replica_database(workspace, pki, source_server_port)
    tls_port = free_port()
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "replica",
        "--url",
        replica_server.url,
        "--tls-port",
        str(tls_port),
        *client_args(pki, "app1"),
    )
    assert code == 0, result["error"]
    with tls_client(source_server_port, pki) as source:
        source.config_set("tls-ca-cert-file", str(pki.files["client-ca.pem"]))
        source.client_kill_filter(_type="replica")
    deadline = time.monotonic() + 5
    with plain_client(replica_port) as replica:
        while replica.info("replication")["master_link_status"] == "up":
            assert time.monotonic() < deadline, "the link never went down"
            time.sleep(0.05)
    code, report = cli_json(
        capsys,
        workspace,
        "verify",
        "replica",
        "--host",
        "127.0.0.1",
        "--port",
        str(tls_port),
        "--server-name",
        "cluster1.example.com",
        *client_args(pki, "app1"),
    )
    checks = {check["name"]: check for check in report["checks"]}
    assert code == 1
    assert [name for name, check in checks.items() if not check["passed"]] == ["replication"]
    assert "refused the syncer certificate" in checks["replication"]["reason"]
