"""`apply redis` guarantees against real redis-servers, without injected faults: the TLS
context always comes from the files of this apply (never a removed CA), a failed apply
leaves nothing that poisons the next, a replication change needs to be asked for, the
password never travels in the URL, and a server running as its own user can read the
files apply writes for it."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from e2e_helpers import (
    add_database,
    answers,
    cli,
    cli_json,
    client_args,
    config,
    free_port,
    plain_client,
    tls_client,
    update_tls,
)

from state.certificates import describe_pem
from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate
from state.transitions import TlsUpdate

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def second_ca(tmp_path_factory) -> tuple[str, tuple[Path, Path]]:
    """A second client CA and a client it issued."""
    folder = tmp_path_factory.mktemp("second")
    ca = certificate_authority("Second Client CA")
    client = issue_certificate(ca, SubjectFields(cn="second.example.com"))
    (folder / "second.pem").write_bytes(client.pem)
    (folder / "second.key").write_bytes(client.key_pem)
    return ca.pem.decode(), (folder / "second.pem", folder / "second.key")


def _apply(capsys, workspace, name: str, url: str, pki, *extra: str) -> dict:
    code, result = cli_json(
        capsys, workspace, "apply", "redis", name, "--url", url, *client_args(pki, "app1"), *extra
    )
    assert code == 0, result["error"]
    return result


def test_a_ca_removed_while_tls_was_off_is_not_trusted_after_re_enabling(
    redis_servers, workspace, pki, capsys, second_ca
):
    """The stale-trust fault: enable trusting two CAs, disable, remove one, re-enable.
    Redis does not rebuild its context while no TLS port is open, so the files must go in
    the same CONFIG SET as the port: the removed CA's client is refused."""
    server = redis_servers()
    port = free_port()
    second_pem, second_pair = second_ca
    app1 = (pki.files["app1.pem"], pki.files["app1.key"])
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca"), second_pem])
    _apply(capsys, workspace, "orders", server.url, pki)
    assert answers(port, cert=second_pair) == "PONG"
    update_tls(workspace, "orders", TlsUpdate(enabled=False))
    _apply(capsys, workspace, "orders", f"rediss://127.0.0.1:{port}", pki)
    assert answers(port, cert=second_pair).startswith("refused")  # plaintext now
    second_sha = describe_pem(second_pem).sha256
    update_tls(workspace, "orders", TlsUpdate(enabled=True, remove_certificates=[second_sha]))
    _apply(capsys, workspace, "orders", f"redis://127.0.0.1:{port}", pki)
    assert answers(port, cert=app1) == "PONG"
    assert answers(port, cert=second_pair).startswith("refused")
    # Applying again changes nothing, yet still rebuilds the context from the same files.
    again = _apply(capsys, workspace, "orders", f"rediss://127.0.0.1:{port}", pki)
    assert again["outcome"] == "unchanged" and again["applied"] == []
    assert "reloaded: the TLS context, from the files set now" in again["log"]
    assert answers(port, cert=second_pair).startswith("refused")


def test_a_stale_context_left_by_someone_else_is_replaced_by_an_unchanged_apply(
    redis_servers, workspace, pki, capsys, second_ca, tmp_path
):
    """The server's settings already name this apply's files, but its context was built
    from other ones (a file rewritten in place): "nothing to change" still reloads it."""
    server = redis_servers()
    port = free_port()
    second_pem, second_pair = second_ca
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    result = _apply(capsys, workspace, "orders", server.url, pki)
    bundle = Path(result["final"]["tls-ca-cert-file"])
    original = bundle.read_bytes()
    bundle.write_bytes(original + second_pem.encode())
    with redis.Redis(
        port=port,
        ssl=True,
        ssl_cert_reqs="none",
        ssl_certfile=str(pki.files["app1.pem"]),
        ssl_keyfile=str(pki.files["app1.key"]),
    ) as client:
        client.config_set("tls-ca-cert-file", str(bundle))  # the context now trusts both
    assert answers(port, cert=second_pair) == "PONG"
    bundle.write_bytes(original)
    again = _apply(capsys, workspace, "orders", f"rediss://127.0.0.1:{port}", pki)
    assert again["outcome"] == "unchanged"
    assert answers(port, cert=second_pair).startswith("refused")


def test_a_rolled_back_apply_does_not_poison_the_next(redis_servers, workspace, pki, capsys):
    """After a rollback (an admin certificate the database does not trust), the next apply
    with a trusted one works: its context comes from its own files, not the failed ones."""
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    code, failed = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        server.url,
        *client_args(pki, "rogue"),
    )
    assert code == 1 and failed["outcome"] == "rolled-back"
    ok = _apply(capsys, workspace, "orders", server.url, pki)
    assert ok["outcome"] == "applied"
    assert answers(port, cert=(pki.files["app1.pem"], pki.files["app1.key"])) == "PONG"


def test_promoting_a_replica_needs_the_option(redis_servers, workspace, pki, capsys):
    source = redis_servers()
    replica = redis_servers(f"replicaof 127.0.0.1 {source.port}")
    port = free_port()
    add_database(workspace, "orders", port, enforce=False)
    code, _out, err = cli(capsys, workspace, "apply", "redis", "orders", "--url", replica.url)
    assert code == 1
    assert "PROMOTED" in err and "--allow-replicaof-change" in err and "nothing changed" in err
    with plain_client(replica.port) as client:
        assert client.info("replication")["role"] == "slave"
        assert config(client, "tls-port")["tls-port"] == "0"
    assert not (workspace.folder / "tls").exists()
    code, result = cli_json(
        capsys, workspace, "apply", "redis", "orders", "--url", replica.url, "--dry-run"
    )
    assert code == 0 and any("PROMOTED" in w for w in result["warnings"])
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        replica.url,
        "--allow-replicaof-change",
    )
    assert code == 0, result["error"]
    assert f"Replica Of: 127.0.0.1 {source.port} -> no one" in result["applied"]
    with tls_client(port, pki, None) as client:
        assert client.info("replication")["role"] == "master"


def test_the_password_comes_from_a_private_file_or_the_environment(
    redis_servers, workspace, pki, capsys, monkeypatch, tmp_path
):
    server = redis_servers("requirepass s3cret-pw")
    add_database(workspace, "cache", free_port(), enforce=False)
    url = server.url
    # In the URL: refused before connecting, with the advice, and never repeated.
    code, out, err = cli(
        capsys, workspace, "apply", "redis", "cache", "--url", "redis://:s3cret-pw@127.0.0.1:1"
    )
    assert code == 1 and "REDISCLI_AUTH" in err and "--password-file" in err
    assert "s3cret-pw" not in out + err
    # A file others can read: refused.
    secret = tmp_path / "pw"
    secret.write_text("s3cret-pw\n")
    secret.chmod(0o644)
    code, out, err = cli(
        capsys, workspace, "apply", "redis", "cache", "--url", url, "--password-file", str(secret)
    )
    assert code == 1 and "chmod 600" in err and "s3cret-pw" not in out + err
    # A wrong one from the environment: one line, masked.
    monkeypatch.setenv("REDISCLI_AUTH", "wrong-pw")
    code, out, err = cli(capsys, workspace, "apply", "redis", "cache", "--url", url, "--dry-run")
    assert code == 1 and "refused the password" in err and "wrong-pw" not in out + err
    # The private file wins over the environment, and the password is in no output.
    secret.chmod(0o600)
    code, out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "cache",
        "--url",
        url,
        "--password-file",
        str(secret),
        "--json",
    )
    assert code == 0, err
    assert "s3cret-pw" not in out + err


def test_ask_password_prompts_without_echo(redis_servers, workspace, pki, capsys, monkeypatch):
    server = redis_servers("requirepass typed-pw")
    add_database(workspace, "cache", free_port(), enforce=False)
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "typed-pw")
    code, out, err = cli(
        capsys, workspace, "apply", "redis", "cache", "--url", server.url, "--ask-password"
    )
    assert code == 0, err
    assert asked == ["Redis password: "] and "typed-pw" not in out + err


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder every user can enter (pytest's own are 0700, closed to another user)."""
    folder = Path(tempfile.mkdtemp(prefix="twg-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def redis_as_redis_user(shared_folder: Path) -> Iterator[int]:
    """A redis-server running as Debian's `redis` user (as its service does)."""
    if os.geteuid() != 0:
        pytest.skip("starting a server as another user needs root")
    try:
        import pwd

        user = pwd.getpwnam("redis")
    except KeyError:
        pytest.skip("no `redis` user on this machine (the Debian package creates it)")
    port = free_port()
    data = shared_folder / "data"
    data.mkdir()
    os.chown(data, user.pw_uid, user.pw_gid)
    process = subprocess.Popen(
        [
            "setpriv",
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--init-groups",
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(data),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(200):
            try:
                with plain_client(port) as client:
                    client.ping()
                break
            except redis.RedisError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_server_running_as_its_own_user_reads_files_given_to_its_group(
    redis_as_redis_user, shared_folder, workspace, pki, capsys
):
    admin = f"redis://127.0.0.1:{redis_as_redis_user}"
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    tls_dir = shared_folder / "tls"
    code, _out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        admin,
        "--tls-dir",
        str(tls_dir),
        *client_args(pki, "app1"),
    )
    assert code == 1
    assert "runs as 'redis'" in err and "--file-group" in err and "nothing was applied" in err
    assert not list(tls_dir.glob("*"))  # what it wrote is gone again
    with plain_client(redis_as_redis_user) as client:
        assert config(client, "tls-port")["tls-port"] == "0"
    result = _apply(
        capsys, workspace, "orders", admin, pki, "--tls-dir", str(tls_dir), "--file-group", "redis"
    )
    assert result["outcome"] == "applied"
    assert answers(port, cert=(pki.files["app1.pem"], pki.files["app1.key"])) == "PONG"
    import grp

    redis_gid = grp.getgrnam("redis").gr_gid
    keys = [Path(p) for p in result["files"] if p.endswith(".key")]
    assert keys
    for key in keys:
        info = key.stat()
        assert stat.S_IMODE(info.st_mode) == 0o640 and info.st_gid == redis_gid
    folder = tls_dir.stat()
    assert stat.S_IMODE(folder.st_mode) == 0o750 and folder.st_gid == redis_gid
    for path in tls_dir.iterdir():
        assert not stat.S_IMODE(path.stat().st_mode) & 0o002  # never writable by others
        if path.suffix == ".key":
            assert not stat.S_IMODE(path.stat().st_mode) & 0o007  # never readable by others
