"""`verify` against real redis-servers: every check passes on a correctly applied database,
and each one fails, for its own reason, when the server drifts from the state."""

from __future__ import annotations

import pytest
from e2e_helpers import add_database, cli, cli_json, client_args, free_port, update_tls

from state.certificates import read_certificates
from state.certificates.issue import self_signed_cluster_certificate
from state.transitions import TlsUpdate, set_min_tls_version

pytestmark = pytest.mark.e2e

SERVER_NAME = "redis-12000.cluster1.example.com"


def _applied(redis_servers, workspace, pki, capsys, **database) -> int:
    server = redis_servers()
    port = free_port()
    database.setdefault("trusted", [pki.pem("client-ca")])
    add_database(workspace, "orders", port, **database)
    code, _out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        server.url,
        *client_args(pki, "app1"),
    )
    assert code == 0, err
    return port


def _verify(capsys, workspace, port, *args: str) -> tuple[int, dict[str, dict]]:
    code, report = cli_json(
        capsys, workspace, "verify", "orders", "--host", "127.0.0.1", "--port", str(port), *args
    )
    return code, {check["name"]: check for check in report["checks"]}


def _failed(checks: dict[str, dict]) -> set[str]:
    return {name for name, check in checks.items() if not check["passed"]}


def test_every_check_passes_on_an_applied_database(redis_servers, workspace, pki, capsys):
    port = _applied(redis_servers, workspace, pki, capsys)
    code, checks = _verify(
        capsys,
        workspace,
        port,
        "--server-name",
        SERVER_NAME,
        *client_args(pki, "app1"),
        *client_args(pki, "rogue"),
    )
    assert code == 0, checks
    assert set(checks) == {
        "port",
        "server-chain",
        "server-name",
        "ping",
        "no-client-cert",
        "min-version",
        "client:app1.pem",
        "client:rogue.pem",
    }
    assert "presents the proxy certificate" in checks["server-chain"]["reason"]
    assert checks["ping"]["reason"] == "PONG"
    assert checks["no-client-cert"]["reason"].startswith("refused")
    assert "TLSv1.1" in checks["min-version"]["title"]
    assert "inspector rejects it" in checks["client:rogue.pem"]["reason"]
    assert "server refused" in checks["client:rogue.pem"]["reason"]
    assert "server accepted" in checks["client:app1.pem"]["reason"]
    code, out, _ = cli(
        capsys,
        workspace,
        "verify",
        "orders",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--server-name",
        SERVER_NAME,
        *client_args(pki, "app1"),
    )
    assert code == 0 and "7 of 7 checks passed" in out


def test_server_name_fails_for_a_name_the_certificate_does_not_cover(
    redis_servers, workspace, pki, capsys
):
    port = _applied(redis_servers, workspace, pki, capsys)
    code, checks = _verify(capsys, workspace, port, *client_args(pki, "app1"))
    assert code == 1 and _failed(checks) == {"server-name"}
    assert "not 127.0.0.1" in checks["server-name"]["reason"]


def test_ping_fails_with_a_client_the_server_refuses(redis_servers, workspace, pki, capsys):
    port = _applied(redis_servers, workspace, pki, capsys)
    code, checks = _verify(
        capsys, workspace, port, "--server-name", SERVER_NAME, *client_args(pki, "rogue")
    )
    assert code == 1 and _failed(checks) == {"ping"}
    assert checks["ping"]["reason"].startswith("refused")


def test_no_client_cert_fails_when_the_server_does_not_enforce_it(
    redis_servers, workspace, pki, capsys
):
    port = _applied(redis_servers, workspace, pki, capsys, enforce=False)
    update_tls(workspace, "orders", TlsUpdate(enforce_client_auth=True))
    code, checks = _verify(
        capsys, workspace, port, "--server-name", SERVER_NAME, *client_args(pki, "app1")
    )
    assert code == 1 and _failed(checks) == {"no-client-cert"}
    assert "answered a client without a certificate" in checks["no-client-cert"]["reason"]


def test_no_client_cert_fails_when_the_server_enforces_it_but_the_state_does_not(
    redis_servers, workspace, pki, capsys
):
    port = _applied(redis_servers, workspace, pki, capsys)
    update_tls(workspace, "orders", TlsUpdate(enforce_client_auth=False))
    code, checks = _verify(
        capsys, workspace, port, "--server-name", SERVER_NAME, *client_args(pki, "app1")
    )
    assert code == 1 and _failed(checks) == {"no-client-cert"}
    assert "does not enforce client authentication" in checks["no-client-cert"]["reason"]


def test_min_version_fails_when_the_server_accepts_an_older_version(
    redis_servers, workspace, pki, capsys
):
    port = _applied(redis_servers, workspace, pki, capsys)  # applied with minimum 1.2
    workspace.commit(set_min_tls_version(workspace.state, "1.3"), "test: minimum 1.3")
    code, checks = _verify(
        capsys, workspace, port, "--server-name", SERVER_NAME, *client_args(pki, "app1")
    )
    assert code == 1 and _failed(checks) == {"min-version"}
    assert "completed a TLSv1.2 handshake" in checks["min-version"]["reason"]


def test_min_version_is_not_passed_by_a_refusal_of_the_client_certificate(
    redis_servers, workspace, pki, capsys
):
    """With a certificate the server refuses, a TLS 1.2 handshake fails after the version
    was agreed: that must not count as "TLS 1.2 refused"."""
    port = _applied(redis_servers, workspace, pki, capsys)  # applied with minimum 1.2
    workspace.commit(set_min_tls_version(workspace.state, "1.3"), "test: minimum 1.3")
    code, checks = _verify(
        capsys, workspace, port, "--server-name", SERVER_NAME, *client_args(pki, "rogue")
    )
    assert code == 1 and _failed(checks) == {"ping", "min-version"}
    assert checks["min-version"]["reason"].startswith("cannot tell")


def test_server_chain_fails_when_the_proxy_certificate_changed(
    redis_servers, workspace, pki, capsys
):
    port = _applied(redis_servers, workspace, pki, capsys)
    replacement = self_signed_cluster_certificate("cluster1.example.com")
    workspace.set_cluster_certificate(
        "proxy", read_certificates(replacement.pem), replacement.key_pem
    )
    code, checks = _verify(
        capsys, workspace, port, "--server-name", SERVER_NAME, *client_args(pki, "app1")
    )
    # A real client that trusts only the new proxy certificate cannot verify the server:
    # the PING check fails with it, for the same reason.
    assert code == 1 and _failed(checks) == {"server-chain", "ping"}
    assert "does not chain to the cluster's proxy certificate" in checks["server-chain"]["reason"]
    assert "certificate verify failed" in checks["ping"]["reason"]


def test_client_verdict_fails_when_the_inspector_and_the_server_disagree(
    redis_servers, workspace, pki, capsys
):
    """The server still trusts the client CA it was given; the state now trusts another CA."""
    port = _applied(redis_servers, workspace, pki, capsys)
    client_ca = workspace.state.database("orders").tls.certificates[0]
    update_tls(
        workspace,
        "orders",
        TlsUpdate(
            add_certificates=read_certificates(pki.rogue_ca.pem), remove_certificates=[client_ca]
        ),
    )
    code, checks = _verify(
        capsys, workspace, port, "--server-name", SERVER_NAME, *client_args(pki, "app1")
    )
    assert code == 1 and _failed(checks) == {"client:app1.pem"}
    reason = checks["client:app1.pem"]["reason"]
    assert "inspector rejects it" in reason and "server accepted" in reason


def test_tls_off_checks_plaintext(redis_servers, workspace, pki, capsys):
    port = _applied(redis_servers, workspace, pki, capsys, enforce=False)
    code, checks = _verify(capsys, workspace, port, "--server-name", SERVER_NAME)
    assert code == 0, checks
    update_tls(workspace, "orders", TlsUpdate(enabled=False))
    code, checks = _verify(capsys, workspace, port)
    assert code == 1 and _failed(checks) == {"port"}
    assert "speaks TLS" in checks["port"]["reason"]
    assert "but TLS is disabled for the database" in checks["port"]["reason"]


def test_verify_refuses_bad_input_with_one_line(workspace, pki, capsys):
    code, _out, err = cli(capsys, workspace, "verify", "nope", "--host", "127.0.0.1", "--port", "1")
    assert code == 1 and "no database named 'nope'" in err
    add_database(workspace, "orders", free_port(), trusted=[pki.pem("client-ca")])
    code, _out, err = cli(
        capsys,
        workspace,
        "verify",
        "orders",
        "--host",
        "127.0.0.1",
        "--port",
        "1",
        "--client-cert",
        "missing.pem",
        "--client-key",
        "missing.key",
    )
    assert code == 1 and "missing.pem: no such file" in err and "Traceback" not in err


def test_a_password_protected_server(redis_servers, workspace, pki, capsys, monkeypatch):
    """apply logs in with the password from REDISCLI_AUTH (never printed); verify's PING
    stops at the password, which is not a TLS failure."""
    server = redis_servers("requirepass s3cret")
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    monkeypatch.setenv("REDISCLI_AUTH", "s3cret")
    code, out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        server.url,
        *client_args(pki, "app1"),
    )
    assert code == 0, err
    assert "s3cret" not in out + err
    code, checks = _verify(
        capsys, workspace, port, "--server-name", SERVER_NAME, *client_args(pki, "app1")
    )
    assert code == 0, checks
    assert "wants a password" in checks["ping"]["reason"]


def test_a_p224_client_is_predicted_refused_although_its_chain_verifies(
    redis_servers, workspace, pki, capsys, tmp_path
):
    """OpenSSL verifies a P-224 client's chain, but no TLS signature scheme uses that curve:
    the server refuses the handshake, and verify's expectation says so (the check passes)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509 import load_pem_x509_certificate

    from state.certificates.issue import SubjectFields, build_certificate

    ca_cert = load_pem_x509_certificate(pki.client_ca.pem)
    ca_key = serialization.load_pem_private_key(pki.client_ca.key_pem, password=None)
    key = ec.generate_private_key(ec.SECP224R1())
    cert = build_certificate(
        SubjectFields(cn="p224.example.com").to_name(),
        key.public_key(),
        ca_cert.subject,
        ca_key,
        sans=["p224.example.com"],
        eku=("clientAuth",),
        hash_algorithm=hashes.SHA256(),
    )
    pem = tmp_path / "p224.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = tmp_path / "p224.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    port = _applied(redis_servers, workspace, pki, capsys)
    _code, checks = _verify(
        capsys, workspace, port, "--client-cert", str(pem), "--client-key", str(key_file)
    )
    check = checks["client:p224.pem"]
    assert check["passed"], check
    assert "inspector rejects it" in check["reason"] and "secp224r1" in check["reason"]
    assert "server refused" in check["reason"]
