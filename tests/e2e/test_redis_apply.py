"""`apply redis` against real redis-servers: every mode, client authentication on and off,
each minimum TLS version, and the rollback after real failures."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest
from e2e_helpers import (
    add_database,
    answers,
    cli,
    cli_json,
    client_args,
    config,
    free_port,
    listening,
    plain_client,
    tls_client,
    update_tls,
)

from state import store
from state.certificates import describe_pem
from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate
from state.model import ClusterCertificate
from state.transitions import TlsUpdate

pytestmark = pytest.mark.e2e

TLS_SETTINGS = ("tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-port", "port")


def test_dry_run_shows_the_plan_and_changes_nothing(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    code, result = cli_json(
        capsys, workspace, "apply", "redis", "orders", "--url", server.url, "--dry-run"
    )
    assert code == 0 and result["dry_run"]
    pending = {
        c["setting"]: c["desired"] for c in result["changes"] if c["current"] != c["desired"]
    }
    assert pending["port"] == "0" and pending["tls-port"] == str(port)
    assert result["files"] == [] and result["applied"] == []
    assert not (workspace.folder / "tls").exists()
    assert config(plain_client(server.port), "tls-port", "port") == {
        "tls-port": "0",
        "port": str(server.port),
    }


def test_apply_all_with_client_auth_closes_plaintext_only_after_tls_works(
    redis_servers, workspace, pki, capsys
):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
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
    log = [line for line in out.splitlines() if line.startswith(("applied:", "checked:"))]
    opened = next(i for i, line in enumerate(log) if "tls-port 0 ->" in line)
    checked = next(i for i, line in enumerate(log) if line.startswith("checked: TLS handshake"))
    closed = next(i for i, line in enumerate(log) if f"port {server.port} -> 0" in line)
    assert opened < checked < closed
    assert not listening(server.port)
    with tls_client(port, pki, "app1") as client:
        assert client.ping()
        values = config(client, "tls-auth-clients", "tls-protocols", "port", "tls-key-file")
    assert values["tls-auth-clients"] == "yes" and values["port"] == "0"
    assert values["tls-protocols"] == "TLSv1.2 TLSv1.3"
    assert stat.S_IMODE(Path(values["tls-key-file"]).stat().st_mode) == 0o600
    assert answers(port).startswith("refused")
    rogue = (pki.files["rogue.pem"], pki.files["rogue.key"])
    assert answers(port, cert=rogue).startswith("refused")
    # Applying again over TLS changes nothing and still proves the port.
    code, out, _ = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        f"rediss://127.0.0.1:{port}",
        *client_args(pki, "app1"),
    )
    assert code == 0 and "nothing to change" in out


def test_apply_all_without_client_auth_needs_no_client_certificate(
    redis_servers, workspace, pki, capsys
):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "cache", port, enforce=False)
    code, result = cli_json(capsys, workspace, "apply", "redis", "cache", "--url", server.url)
    assert code == 0, result["error"]
    assert answers(port) == "PONG"
    with tls_client(port, pki, None) as client:
        assert config(client, "tls-auth-clients", "tls-ca-cert-file") == {
            "tls-auth-clients": "no",
            "tls-ca-cert-file": "",
        }


def test_apply_refuses_to_lock_out_an_admin_without_client_certificate(
    redis_servers, workspace, pki, capsys
):
    server = redis_servers()
    add_database(workspace, "orders", free_port(), trusted=[pki.pem("client-ca")])
    code, _out, err = cli(capsys, workspace, "apply", "redis", "orders", "--url", server.url)
    assert code == 1
    assert "--client-cert" in err and "Traceback" not in err
    assert config(plain_client(server.port), "tls-port")["tls-port"] == "0"


def test_apply_replica_of_mode_keeps_plaintext_for_clients(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    port, tls_port = free_port(), free_port()
    add_database(workspace, "sessions", port, trusted=[pki.pem("client-ca")], mode="replica-of")
    code, out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "sessions",
        "--url",
        server.url,
        "--tls-port",
        str(tls_port),
    )
    assert code == 0, err
    assert plain_client(port).ping()
    assert not listening(server.port)
    assert answers(tls_port, cert=(pki.files["app1.pem"], pki.files["app1.key"])) == "PONG"
    assert "no client certificate given" in out  # the TLS check could not PING without one


def test_apply_disabled_reopens_plaintext_and_closes_tls(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    assert (
        cli(
            capsys,
            workspace,
            "apply",
            "redis",
            "orders",
            "--url",
            server.url,
            *client_args(pki, "app1"),
        )[0]
        == 0
    )
    update_tls(workspace, "orders", TlsUpdate(enabled=False))
    code, out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        f"rediss://127.0.0.1:{port}",
        *client_args(pki, "app1"),
    )
    assert code == 0, err
    assert plain_client(port).ping()
    assert config(plain_client(port), "tls-port")["tls-port"] == "0"
    # One port number for both: TLS hands it to plaintext in one CONFIG SET (the admin
    # connection stays open), then plaintext is checked with a PING on a new connection.
    log = out.splitlines()
    swapped = next(i for i, line in enumerate(log) if line.startswith("applied: listeners:"))
    assert f"port 0 -> {port}" in log[swapped] and f"tls-port {port} -> 0" in log[swapped]
    checked = next(i for i, line in enumerate(log) if "PING answered on plaintext" in line)
    assert swapped < checked


@pytest.mark.parametrize(
    ("minimum", "accepted"),
    [
        # TLSv1 and TLSv1.1 are listed in tls-protocols for "1" and "1.1", yet refused: with
        # OpenSSL 3, TLS < 1.2 only works at security level 0 (it signs the handshake with
        # SHA-1/MD5), and Debian's OpenSSL runs at level 2. The client here allows level 0,
        # so the refusal is the server's.
        ("1", {"1.2", "1.3"}),
        ("1.1", {"1.2", "1.3"}),
        ("1.2", {"1.2", "1.3"}),
        ("1.3", {"1.3"}),
    ],
)
def test_each_minimum_tls_version(redis_servers, workspace, pki, capsys, minimum, accepted):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, enforce=False, min_version=minimum)
    code, result = cli_json(capsys, workspace, "apply", "redis", "orders", "--url", server.url)
    assert code == 0, result["error"]
    for version in ("1", "1.1", "1.2", "1.3"):
        reply = answers(port, version=version)
        assert (reply == "PONG") == (version in accepted), (version, reply)
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
        "cluster1.example.com",
    )
    assert code == 0, out


def _server_state(server) -> dict[str, str]:
    return config(plain_client(server.port), *TLS_SETTINGS)


def test_rollback_when_the_tls_port_is_taken(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    before = _server_state(server)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        add_database(workspace, "orders", taken, trusted=[pki.pem("client-ca")])
        code, result = cli_json(
            capsys,
            workspace,
            "apply",
            "redis",
            "orders",
            "--url",
            server.url,
            *client_args(pki, "app1"),
        )
    assert code == 1
    assert "TLS listener" in result["error"] and "Unable to listen" in result["error"]
    # Redis reverted the whole CONFIG SET: there was nothing left to roll back.
    assert result["outcome"] == "rolled-back" and result["rolled_back"] == []
    assert result["reach"] == server.url
    assert _server_state(server) == before
    assert list((workspace.folder / "tls" / "db-1").iterdir()) == []


def test_rollback_when_the_server_cannot_load_the_certificate(
    redis_servers, workspace, pki, capsys
):
    """A 1024-bit proxy key (a hand-edited state): Python reads it, the server's OpenSSL at
    security level 2 refuses to load it ("ee key too small") when the TLS port opens."""
    server = redis_servers()
    before = _server_state(server)
    ca = certificate_authority("Weak CA")
    weak = issue_certificate(
        ca, SubjectFields(cn="cluster1.example.com"), eku=("serverAuth", "clientAuth"), bits=1024
    )
    state = workspace.state.copy()
    info = describe_pem(weak.pem.decode())
    state.certificates[info.sha256] = info.pem
    state.cluster.proxy = ClusterCertificate(
        info.sha256, workspace.write_key("weak.key", weak.key_pem)
    )
    workspace.state = store.save(workspace.path, state, base_revision=state.revision, change="edit")
    add_database(workspace, "orders", free_port(), trusted=[pki.pem("client-ca")])
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
    assert code == 1
    assert "rolled back (checked with CONFIG GET)" in err
    assert "could not load" in err and "Traceback" not in err
    assert _server_state(server) == before
    assert plain_client(server.port).ping()


def test_rollback_when_the_admin_certificate_is_not_trusted(redis_servers, workspace, pki, capsys):
    """The lock-out guard: the TLS port refuses the admin's certificate, so plaintext stays."""
    server = redis_servers()
    before = _server_state(server)
    add_database(workspace, "orders", free_port(), trusted=[pki.pem("client-ca")])
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        server.url,
        *client_args(pki, "rogue"),
    )
    assert code == 1
    assert "refused your client certificate" in result["error"]
    assert result["outcome"] == "rolled-back"
    assert [line.split(" ", 1)[0] for line in result["rolled_back"][0].split(", ")] == [
        "tls-cert-file",
        "tls-key-file",
        "tls-ca-cert-file",
        "tls-protocols",
        "tls-port",
    ]
    assert {k: result["final"][k] for k in before} == before
    assert _server_state(server) == before


def test_rewrite_persists_the_configuration(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, enforce=False)
    code, result = cli_json(
        capsys, workspace, "apply", "redis", "orders", "--url", server.url, "--rewrite"
    )
    assert code == 0 and result["rewritten"]
    written = server.config_file.read_text()
    assert f"tls-port {port}" in written and "tls-auth-clients no" in written


def test_bad_urls_and_unreachable_servers_get_one_clear_line(workspace, pki, capsys):
    add_database(workspace, "orders", free_port(), trusted=[pki.pem("client-ca")])
    for url, expected in (
        ("http://127.0.0.1:1", "must look like redis://"),
        (f"redis://127.0.0.1:{free_port()}", "connection refused"),
    ):
        code, _out, err = cli(capsys, workspace, "apply", "redis", "orders", "--url", url)
        assert code == 1 and expected in err.lower() and "Traceback" not in err


def test_a_tls_folder_that_cannot_be_written_changes_nothing(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    before = _server_state(server)
    add_database(workspace, "orders", free_port(), trusted=[pki.pem("client-ca")])
    blocker = workspace.folder / "not-a-folder"
    blocker.write_text("a file where the TLS folder should be\n")
    code, _out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        server.url,
        "--tls-dir",
        str(blocker / "tls"),
        *client_args(pki, "app1"),
    )
    assert code == 1 and "cannot write" in err and "--tls-dir" in err
    assert "Traceback" not in err
    assert _server_state(server) == before


def test_replica_of_mode_on_a_password_protected_server(
    redis_servers, workspace, pki, capsys, monkeypatch
):
    """The new plaintext port is checked with PING; NOAUTH is an answer, not a failure.
    The password comes from REDISCLI_AUTH, as redis-cli reads it."""
    server = redis_servers("requirepass s3cret")
    monkeypatch.setenv("REDISCLI_AUTH", "s3cret")
    port, tls_port = free_port(), free_port()
    add_database(workspace, "sessions", port, trusted=[pki.pem("client-ca")], mode="replica-of")
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "sessions",
        "--url",
        server.url,
        "--tls-port",
        str(tls_port),
    )
    assert code == 0, result["error"]
    assert f"PING answered on plaintext port 127.0.0.1:{port}" in result["checks"]
    assert "s3cret" not in str(result)


def test_tls_takes_over_the_port_the_admin_is_connected_to(redis_servers, workspace, pki, capsys):
    """The database port is the server's plaintext port: the port moves to TLS in the same
    CONFIG SET, and the held admin connection carries the TLS check."""
    server = redis_servers()
    add_database(workspace, "orders", server.port, trusted=[pki.pem("client-ca")])
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
    # One CONFIG SET moves the number from plaintext to TLS, with the TLS files: there is
    # no moment without a listener. The held connection then carries the TLS check.
    log = out.splitlines()
    moved = next(i for i, line in enumerate(log) if line.startswith("applied: TLS listener:"))
    assert f"port {server.port} -> 0" in log[moved]
    assert f"tls-port 0 -> {server.port}" in log[moved] and "tls-ca-cert-file" in log[moved]
    checked = next(i for i, line in enumerate(log) if line.startswith("checked: TLS handshake"))
    assert moved < checked
    app1 = (pki.files["app1.pem"], pki.files["app1.key"])
    assert answers(server.port, cert=app1) == "PONG"


def test_switching_modes_on_a_live_server_over_tls(redis_servers, workspace, pki, capsys):
    """all -> Replica Of only -> all, each time administered over the TLS port it left."""
    server = redis_servers()
    port, tls_port = free_port(), free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    app1 = client_args(pki, "app1")
    assert cli(capsys, workspace, "apply", "redis", "orders", "--url", server.url, *app1)[0] == 0
    update_tls(workspace, "orders", TlsUpdate(mode="replica-of"))
    code, out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        f"rediss://127.0.0.1:{port}",
        "--tls-port",
        str(tls_port),
        *app1,
    )
    assert code == 0, err
    # The number moves from TLS to plaintext in the same CONFIG SET that opens the new TLS
    # port: the admin's port number never loses its listener.
    moved = next(line for line in out.splitlines() if line.startswith("applied: TLS listener:"))
    assert f"tls-port {port} -> {tls_port}" in moved and f"port 0 -> {port}" in moved
    assert plain_client(port).ping()
    assert answers(tls_port, cert=(pki.files["app1.pem"], pki.files["app1.key"])) == "PONG"
    update_tls(workspace, "orders", TlsUpdate(mode="all"))
    code, _out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        f"rediss://127.0.0.1:{tls_port}",
        *app1,
    )
    assert code == 0, err
    assert not listening(tls_port)
    assert answers(port, cert=(pki.files["app1.pem"], pki.files["app1.key"])) == "PONG"
    assert answers(port).startswith("refused")
