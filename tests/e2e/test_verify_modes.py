"""`verify` in every mode, against what two real clients can do on the same ports.

Each test applies a database to a real redis-server, then lets redis-cli and redis-py
connect as an application would (plain text, TLS with and without a client certificate),
and checks that what verify reports about each port and each promise is what the clients
found. Ports that answer but do not speak what the mode promises (a plain-text port where
TLS is required, a closed port) must give one clear line, quickly.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis
from e2e_helpers import add_database, cli, cli_json, client_args, free_port, update_tls
from redis.backoff import NoBackoff
from redis.retry import Retry

from state.targets.verify import planned_checks
from state.transitions import TlsUpdate
from state.workspace import Workspace

pytestmark = pytest.mark.e2e


# -- the two clients -------------------------------------------------------------------------


def _redis_cli(port: int, pki=None, *, tls: bool = False, cert: str | None = None) -> str:
    """'PONG' when redis-cli got it, else what it said (a hang counts as no answer)."""
    if shutil.which("redis-cli") is None:
        pytest.fail("redis-cli is not installed (it comes with redis-server)")
    args = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]
    if tls:
        args += ["--tls", "--insecure"]
        if cert:
            args += [
                "--cert",
                str(pki.files[f"{cert}.pem"]),
                "--key",
                str(pki.files[f"{cert}.key"]),
            ]
    try:
        done = subprocess.run([*args, "PING"], capture_output=True, text=True, timeout=5)
    except subprocess.TimeoutExpired:
        return "no answer within 5 s"
    output = (done.stdout + done.stderr).strip()
    return "PONG" if done.returncode == 0 and output == "PONG" else f"failed: {output}"


def _redis_py(
    port: int,
    pki=None,
    *,
    tls: bool = False,
    cert: str | None = None,
    ca_pem: str | None = None,
) -> str:
    """'PONG' when redis-py got it; with `ca_pem` it verifies the server as redis-py does by
    default (chain and host name)."""
    options: dict = {}
    if tls:
        options = {"ssl": True, "ssl_cert_reqs": "none"}
        if ca_pem:
            options.update(ssl_cert_reqs="required", ssl_ca_data=ca_pem)
        if cert:
            options.update(
                ssl_certfile=str(pki.files[f"{cert}.pem"]),
                ssl_keyfile=str(pki.files[f"{cert}.key"]),
            )
    # One try: redis-py retries a timeout three times with backoff by default, which only
    # makes a client that gets no answer (TLS against a plain-text port) wait four times.
    client = redis.Redis(
        host="127.0.0.1",
        port=port,
        socket_timeout=3,
        socket_connect_timeout=3,
        retry=Retry(NoBackoff(), 0),
        **options,
    )
    try:
        return "PONG" if client.ping() else "no PONG"
    except redis.RedisError as error:
        return f"failed: {error}"
    finally:
        client.close()


def _both(port: int, pki=None, **how) -> tuple[str, str]:
    return _redis_cli(port, pki, **how), _redis_py(port, pki, **how)


# -- running verify ----------------------------------------------------------------------------


def _apply(capsys, ws: Workspace, server, pki, name: str = "orders", *extra: str) -> dict:
    code, result = cli_json(
        capsys, ws, "apply", "redis", name, "--url", server.url, *client_args(pki, "app1"), *extra
    )
    assert code == 0, result.get("error")
    return result


def _verify(capsys, ws: Workspace, name: str, *args: str) -> tuple[int, dict, dict[str, dict]]:
    code, report = cli_json(capsys, ws, "verify", name, "--host", "127.0.0.1", *args)
    return code, report, {check["name"]: check for check in report["checks"]}


def _failed(checks: dict[str, dict]) -> set[str]:
    return {name for name, check in checks.items() if not check["passed"]}


# -- all communications -------------------------------------------------------------------------


def test_all_communications_tls_only_on_the_database_port(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    _apply(capsys, workspace, server, pki)
    assert _both(port, pki, tls=True, cert="app1") == ("PONG", "PONG")
    assert all(not seen.startswith("PONG") for seen in _both(port, pki))  # no plain text
    assert all(seen != "PONG" for seen in _both(port, pki, tls=True))  # no certificate
    _code, report, checks = _verify(capsys, workspace, "orders", *client_args(pki, "app1"))
    assert report["port"] == port and report["mode"] == "all"
    assert report["ports"] == [{"port": port, "speaks": "tls", "detail": "TLSv1.3 handshake"}]
    assert checks["port"]["passed"] and checks["ping"]["passed"]
    assert checks["no-client-cert"]["passed"] and checks["no-client-cert"]["reason"].startswith(
        "refused"
    )
    assert _failed(checks) == {"server-name"}  # 127.0.0.1 is not in the certificate
    # What the Verify screen says it will check is what was checked, in that order.
    planned = planned_checks(
        workspace.state, "orders", port, server_name=report["server_name"], client="app1.pem"
    )
    assert [(c["name"], c["title"]) for c in report["checks"]] == [
        (c.name, c.title) for c in planned
    ]


def test_a_plain_text_port_where_tls_is_required_is_one_line_and_quick(
    redis_servers, workspace, pki, capsys
):
    """The server was never applied (or restarted without --rewrite): the database port
    answers plain text. Clients see exactly that; verify says it once, with the cause."""
    server = redis_servers()
    add_database(workspace, "orders", server.port, trusted=[pki.pem("client-ca")])
    assert _both(server.port) == ("PONG", "PONG")
    assert all(seen != "PONG" for seen in _both(server.port, pki, tls=True, cert="app1"))
    started = time.monotonic()
    code, out, err = cli(
        capsys,
        workspace,
        "verify",
        "orders",
        "--host",
        "127.0.0.1",
        *client_args(pki, "app1"),
        *client_args(pki, "app2"),
        *client_args(pki, "rogue"),
    )
    elapsed = time.monotonic() - started
    assert elapsed < 5.0, f"verify of a plain-text port took {elapsed:.1f} s"
    assert code == 1, err
    lines = out.splitlines()
    assert len(lines) == 3, out  # the heading, one check, the count
    assert lines[1].startswith(f"  FAIL  port {server.port} speaks plain text")
    assert "but the database requires TLS for all communications" in lines[1]
    assert "apply was not persisted" in lines[1] and "rolled back" in lines[1]
    assert lines[2] == "0 of 1 checks passed"


def test_a_closed_port_is_one_line_and_quick(workspace, pki, capsys):
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    assert all(seen != "PONG" for seen in _both(port))
    started = time.monotonic()
    code, report, checks = _verify(capsys, workspace, "orders", *client_args(pki, "app1"))
    elapsed = time.monotonic() - started
    assert elapsed < 5.0, f"verify of a closed port took {elapsed:.1f} s"
    assert code == 1 and list(checks) == ["port"]
    assert "connection refused" in checks["port"]["reason"]
    assert report["ports"][0]["speaks"] == "closed"


def test_a_restart_without_rewrite_is_found_as_plain_text(redis_servers, workspace, pki, capsys):
    """The database port is the server's own plaintext port: apply turns it into a TLS port;
    a restart without --rewrite brings plain text back, and verify names that cause."""
    server = redis_servers()
    add_database(workspace, "orders", server.port, trusted=[pki.pem("client-ca")])
    _apply(capsys, workspace, server, pki)
    code, _report, checks = _verify(capsys, workspace, "orders", *client_args(pki, "app1"))
    assert checks["port"]["passed"] and checks["ping"]["passed"]
    admin = redis.Redis(
        port=server.port,
        ssl=True,
        ssl_cert_reqs="none",
        ssl_certfile=str(pki.files["app1.pem"]),
        ssl_keyfile=str(pki.files["app1.key"]),
    )
    with contextlib.suppress(redis.ConnectionError):
        admin.shutdown(nosave=True)
    admin.close()
    server.process.wait(timeout=5)
    server.process = subprocess.Popen(
        ["redis-server", str(server.config_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while _redis_py(server.port) != "PONG":
        assert time.monotonic() < deadline, "the restarted server never answered"
        time.sleep(0.05)
    assert _redis_cli(server.port) == "PONG"
    code, _report, checks = _verify(capsys, workspace, "orders", *client_args(pki, "app1"))
    assert code == 1 and list(checks) == ["port"]
    assert "speaks plain text" in checks["port"]["reason"]
    assert "--rewrite" in checks["port"]["reason"]


# -- Replica Of only ------------------------------------------------------------------------------


def test_replica_of_only_plain_clients_and_a_tls_replication_port(
    redis_servers, workspace, pki, capsys
):
    server = redis_servers()
    port, tls_port = free_port(), free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")], mode="replica-of")
    _apply(capsys, workspace, server, pki, "orders", "--tls-port", str(tls_port))
    assert _both(port) == ("PONG", "PONG")  # plain-text clients are accepted
    assert _both(tls_port, pki, tls=True, cert="app1") == ("PONG", "PONG")
    assert all(seen != "PONG" for seen in _both(tls_port))  # no plain text on TLS
    assert all(seen != "PONG" for seen in _both(tls_port, pki, tls=True))  # no certificate
    # Without a client certificate: every promise is checked, none fails for the lack of it.
    code, report, checks = _verify(capsys, workspace, "orders", "--tls-port", str(tls_port))
    assert code == 1 and _failed(checks) == {"server-name"}, checks
    assert [p["speaks"] for p in report["ports"]] == ["plain", "tls"]
    assert checks["port"]["reason"].startswith(f"port {port} speaks plain text")
    assert "expected for Replica Of only clients" in checks["port"]["reason"]
    assert checks["tls-port"]["reason"].startswith(f"port {tls_port} speaks TLS")
    assert checks["no-client-cert"]["reason"].startswith("refused")
    assert "ping" not in checks
    planned = planned_checks(
        workspace.state, "orders", port, server_name=report["server_name"], tls_port=tls_port
    )
    assert [(c["name"], c["title"]) for c in report["checks"]] == [
        (c.name, c.title) for c in planned
    ]
    code, out, _err = cli(
        capsys,
        workspace,
        "verify",
        "orders",
        "--host",
        "127.0.0.1",
        "--tls-port",
        str(tls_port),
        "--server-name",
        "redis-1.cluster1.example.com",
        *client_args(pki, "app1"),
    )
    assert code == 0, out
    assert f"PASS  port {port} speaks plain text" in out
    assert f"PASS  port {tls_port} speaks TLS" in out


def test_replica_of_only_given_the_tls_port_as_the_database_port(
    redis_servers, workspace, pki, capsys
):
    server = redis_servers()
    port, tls_port = free_port(), free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")], mode="replica-of")
    _apply(capsys, workspace, server, pki, "orders", "--tls-port", str(tls_port))
    code, _report, checks = _verify(capsys, workspace, "orders", "--port", str(tls_port))
    assert code == 1 and not checks["port"]["passed"]
    reason = checks["port"]["reason"]
    assert f"port {tls_port} speaks TLS" in reason
    assert "clients connect in plain text on the database port" in reason


def test_replica_of_only_with_a_closed_tls_port(redis_servers, workspace, pki, capsys):
    """Applied without --tls-port (so on port + 10000), verified on another port."""
    server = redis_servers()
    port = server.port
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")], mode="replica-of")
    wrong = free_port()
    started = time.monotonic()
    code, _report, checks = _verify(capsys, workspace, "orders", "--tls-port", str(wrong))
    assert time.monotonic() - started < 5.0
    assert code == 1 and list(checks) == ["port", "tls-port"]
    assert checks["port"]["passed"]
    assert "connection refused" in checks["tls-port"]["reason"]
    assert "--tls-port" in checks["tls-port"]["reason"]


def test_replica_of_only_without_a_usable_default_tls_port(workspace, pki, capsys):
    add_database(workspace, "orders", 60000, trusted=[pki.pem("client-ca")], mode="replica-of")
    code, out, err = cli(capsys, workspace, "verify", "orders", "--host", "127.0.0.1")
    assert code == 1 and out == ""
    assert "would be 70000" in err and "--tls-port" in err and "Traceback" not in err


@pytest.mark.parametrize("host", ["a..b", "x" * 300, "no-such-host.invalid"])
def test_a_host_that_cannot_be_resolved_is_one_line(workspace, pki, capsys, host):
    add_database(workspace, "orders", free_port(), trusted=[pki.pem("client-ca")])
    code, out, err = cli(capsys, workspace, "verify", "orders", "--host", host)
    assert code == 1 and "Traceback" not in err, err
    assert "0 of 1 checks passed" in out and "cannot resolve" in out


# -- disabled -------------------------------------------------------------------------------------


def test_disabled_is_plain_text_only(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    _apply(capsys, workspace, server, pki)
    update_tls(workspace, "orders", TlsUpdate(enabled=False))
    # The server still has TLS from the earlier apply: clients cannot talk plain text.
    assert all(seen != "PONG" for seen in _both(port))
    code, _report, checks = _verify(capsys, workspace, "orders")
    assert code == 1 and list(checks) == ["port"]
    assert "speaks TLS" in checks["port"]["reason"]
    assert "but TLS is disabled for the database" in checks["port"]["reason"]
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        f"rediss://127.0.0.1:{port}",
        *client_args(pki, "app1"),
    )
    assert code == 0, result.get("error")
    assert _both(port) == ("PONG", "PONG")
    assert all(seen != "PONG" for seen in _both(port, pki, tls=True, cert="app1"))
    code, report, checks = _verify(capsys, workspace, "orders")
    assert code == 0 and list(checks) == ["port"]
    assert report["mode"] == "disabled"
    assert "expected as TLS is disabled" in checks["port"]["reason"]


# -- what this target does not enforce ----------------------------------------------------------


def test_the_authorized_names_list_is_not_enforced_and_verify_says_so(
    redis_servers, workspace, pki, capsys
):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    update_tls(
        workspace,
        "orders",
        TlsUpdate(subject_validation="san", authorized_names=["app1.example.com"]),
    )
    _apply(capsys, workspace, server, pki)
    # app2 is issued by the trusted CA but not on the list: both clients still connect.
    assert _both(port, pki, tls=True, cert="app2") == ("PONG", "PONG")
    _code, report, checks = _verify(capsys, workspace, "orders", *client_args(pki, "app2"))
    assert [item["setting"] for item in report["not_enforced"]] == [
        "subject validation (san: app1.example.com)"
    ]
    assert "not enforced" in report["not_enforced"][0]["text"]
    assert "not on the authorized names list" in checks["client:app2.pem"]["reason"]
    _code, out, _err = cli(
        capsys, workspace, "verify", "orders", "--host", "127.0.0.1", *client_args(pki, "app2")
    )
    notes = [line for line in out.splitlines() if "not enforced" in line]
    assert len(notes) == 2, out  # the client's line and the setting's own line
    assert any(
        line.startswith("  NOTE  subject validation (san: app1.example.com) is not enforced")
        for line in notes
    )


# -- a certificate that carries the address clients use --------------------------------------


def test_init_ip_makes_a_certificate_host_name_checking_clients_accept(
    redis_servers, pki, tmp_path, capsys
):
    states = {}
    for label, extra in (("bare", []), ("with-ip", ["--ip", "127.0.0.1"])):
        folder = tmp_path / label
        folder.mkdir()
        path = folder / "tls-wizard.toml"
        from state.cli import main

        assert main(["--state", str(path), "init", "--name", "cluster1.example.com", *extra]) == 0
        states[label] = Workspace.open(path)
    out = capsys.readouterr().out
    assert "need --ip ADDRESS" in out and "they also carry 127.0.0.1" in out
    for label, ws in states.items():
        server = redis_servers()
        port = free_port()
        add_database(ws, "orders", port, trusted=[pki.pem("client-ca")])
        _apply(capsys, ws, server, pki)
        proxy = ws.state.certificate_pem("proxy")
        seen = _redis_py(port, pki, tls=True, cert="app1", ca_pem=proxy)
        code, _report, checks = _verify(capsys, ws, "orders", *client_args(pki, "app1"))
        if label == "bare":
            assert "IP address mismatch" in seen
            assert _failed(checks) == {"server-name"}
            reason = checks["server-name"]["reason"]
            assert "--server-name" in reason and "init --ip 127.0.0.1" in reason
        else:
            assert seen == "PONG"
            assert code == 0, checks


# -- Replica Of links -------------------------------------------------------------------------------


def _source_and_replica(workspace, pki, source_port, replica_port, *, mode, encryption, uri_port):
    """One state: `orders` (the source) trusts this cluster's syncer certificate; `copy`
    replicates from 127.0.0.1:uri_port, with encryption (trusting the proxy certificate)."""
    from state.certificates import describe_pem
    from state.transitions import SourceUpdate, create_database

    syncer, proxy = (workspace.state.certificate_pem(role) for role in ("syncer", "proxy"))
    add_database(
        workspace, "orders", source_port, trusted=[pki.pem("client-ca"), syncer], mode=mode
    )
    source = SourceUpdate(
        uri=f"127.0.0.1:{uri_port}",
        encryption=encryption,
        server_certificate=describe_pem(proxy) if encryption else None,
    )
    tls = TlsUpdate(
        enabled=True,
        mode="replica-of",
        enforce_client_auth=True,
        add_certificates=[describe_pem(pki.pem("client-ca"))],
    )
    state = create_database(workspace.state, "copy", replica_port, tls=tls, sources=[source])
    workspace.commit(state, "test: copy")


def test_replica_of_link_is_checked_over_the_plain_port_without_a_certificate(
    redis_servers, workspace, pki, capsys
):
    source_server, replica_server = redis_servers(), redis_servers()
    source_port, replica_port, replica_tls = free_port(), free_port(), free_port()
    _source_and_replica(
        workspace, pki, source_port, replica_port, mode="all", encryption=True, uri_port=source_port
    )
    _apply(capsys, workspace, source_server, pki)
    _apply(
        capsys,
        workspace,
        replica_server,
        pki,
        "copy",
        "--tls-port",
        str(replica_tls),
        "--allow-replicaof-change",
    )
    with redis.Redis(port=replica_port, decode_responses=True) as replica:
        assert replica.info("replication")["master_link_status"] == "up"
    assert _both(replica_port) == ("PONG", "PONG")
    code, _report, checks = _verify(
        capsys,
        workspace,
        "copy",
        "--tls-port",
        str(replica_tls),
        "--server-name",
        "redis-1.cluster1.example.com",
    )
    assert code == 0, checks
    assert checks["replication"]["reason"] == f"linked to 127.0.0.1:{source_port} over TLS"


def test_a_replica_pointed_at_the_sources_plain_text_port(redis_servers, workspace, pki, capsys):
    """The source is in Replica Of only mode: its database port is plain text for clients
    and its replication port takes TLS. A replica with encryption pointed at the plain port
    is refused by apply and by verify for that reason, not for the syncer certificate."""
    source_server, replica_server = redis_servers(), redis_servers()
    source_port, source_tls, replica_port = free_port(), free_port(), free_port()
    _source_and_replica(
        workspace,
        pki,
        source_port,
        replica_port,
        mode="replica-of",
        encryption=True,
        uri_port=source_port,
    )
    _apply(capsys, workspace, source_server, pki, "orders", "--tls-port", str(source_tls))
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "copy",
        "--url",
        replica_server.url,
        "--tls-port",
        str(free_port()),
        "--link-timeout",
        "3",
        "--allow-replicaof-change",
    )
    assert code == 1
    assert f"the source 127.0.0.1:{source_port} speaks plain text, not TLS" in result["error"]
    assert "syncer certificate" not in result["error"]
    assert "plain-text client port of this state's database 'orders'" in result["error"]
    # The replica set up by hand the same way: verify names the same cause.
    with redis.Redis(port=replica_server.port) as replica:
        replica.config_set(
            "tls-cert-file",
            str(pki.files["app1.pem"]),
            "tls-key-file",
            str(pki.files["app1.key"]),
            "tls-ca-cert-file",
            str(pki.files["client-ca.pem"]),
            "tls-replication",
            "yes",
        )
        replica.replicaof("127.0.0.1", source_port)
    code, _report, checks = _verify(
        capsys, workspace, "copy", "--port", str(replica_server.port), "--tls-port", "1"
    )
    reason = checks["replication"]["reason"]
    assert not checks["replication"]["passed"]
    assert f"the source 127.0.0.1:{source_port} speaks plain text, not TLS" in reason
    assert "syncer certificate" not in reason
    assert "plain-text client port of this state's database 'orders'" in reason


def test_a_replica_without_encryption_against_a_tls_only_source(
    redis_servers, workspace, pki, capsys
):
    source_server, replica_server = redis_servers(), redis_servers()
    source_port = free_port()
    _source_and_replica(
        workspace,
        pki,
        source_port,
        replica_server.port,
        mode="all",
        encryption=False,
        uri_port=source_port,
    )
    update_tls(workspace, "copy", TlsUpdate(enabled=False))
    _apply(capsys, workspace, source_server, pki)
    with redis.Redis(port=replica_server.port, decode_responses=True) as replica:
        replica.replicaof("127.0.0.1", source_port)  # what apply sets, without TLS
        time.sleep(0.5)
        assert replica.info("replication")["master_link_status"] == "down"
    code, _report, checks = _verify(capsys, workspace, "copy")
    assert code == 1 and _failed(checks) == {"replication"}
    assert checks["port"]["passed"]
    reason = checks["replication"]["reason"]
    assert f"the source 127.0.0.1:{source_port} speaks TLS only" in reason
    assert "without encryption" in reason and "--encryption" in reason


# -- the temporary syncer key --------------------------------------------------------------------

_HOLD_CREDENTIAL = """
import os, sys, time
from state.targets import probe
if sys.argv[1] == "folder":
    del os.memfd_create
with probe.credential_from_memory(b"cert", b"secret key", "syncer") as credential:
    print(credential.key, flush=True)
    time.sleep(30)
"""


@pytest.mark.parametrize("where", ["memory", "folder"])
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_the_syncer_key_copy_is_gone_after_a_signal(tmp_path: Path, where, signal_name):
    import os
    import signal
    import sys

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLD_CREDENTIAL, where],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        key_path = child.stdout.readline().strip()
        assert key_path, "the child never held the credential"
        if where == "memory":
            assert key_path.startswith("/proc/self/fd/")
        else:
            assert key_path.startswith(str(scratch)) and Path(key_path).exists()
        child.send_signal(getattr(signal, signal_name))
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert list(scratch.iterdir()) == []
