"""`apply redis` says whether its change survives a restart, and refuses a --rewrite the
server cannot do before changing anything (real redis-servers on 127.0.0.1)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest
from e2e_helpers import (
    add_database,
    cli,
    cli_json,
    config,
    free_port,
    listening,
    plain_client,
    update_tls,
)

from state.transitions import TlsUpdate

pytestmark = pytest.mark.e2e

FILE_PREFIXES = (
    "tls-cert-file",
    "tls-key-file",
    "tls-ca-cert-file",
    "tls-client-cert-file",
    "tls-client-key-file",
)
SETTINGS = ("port", "tls-port", "tls-cert-file", "tls-key-file", "tls-ca-cert-file")


@pytest.fixture
def server_without_config_file(tmp_path) -> Iterator[int]:
    """A redis-server started with arguments only: INFO shows no config_file."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not listening(port):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"redis-server on {port} did not start")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_apply_without_rewrite_says_a_restart_undoes_it(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    add_database(workspace, "orders", free_port(), enforce=False)
    code, out, err = cli(capsys, workspace, "apply", "redis", "orders", "--url", server.url)
    assert code == 0, err
    warning = next(line for line in out.splitlines() if "not persisted" in line)
    assert "restart" in warning and "--rewrite" in warning


def test_json_report_says_not_persisted_and_rewrite_clears_it(
    redis_servers, workspace, pki, capsys
):
    plain, rewritten = redis_servers(), redis_servers()
    add_database(workspace, "orders", free_port(), enforce=False)
    add_database(workspace, "billing", free_port(), enforce=False)
    code, result = cli_json(capsys, workspace, "apply", "redis", "orders", "--url", plain.url)
    assert code == 0 and "restart" in result["not_persisted"]
    assert "--rewrite" in result["not_persisted"]
    code, result = cli_json(
        capsys, workspace, "apply", "redis", "billing", "--url", rewritten.url, "--rewrite"
    )
    assert code == 0 and result["rewritten"] and result["not_persisted"] == ""


def test_rewrite_without_config_file_is_refused_before_any_change(
    server_without_config_file, workspace, pki, capsys
):
    port = server_without_config_file
    before = config(plain_client(port), *SETTINGS)
    add_database(workspace, "orders", free_port(), enforce=False)
    code, _out, err = cli(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        f"redis://127.0.0.1:{port}",
        "--rewrite",
    )
    assert code == 1
    lines = [line for line in err.splitlines() if "config file" in line]
    assert len(lines) == 1 and "nothing changed" in lines[0] and "--rewrite" in lines[0]
    assert config(plain_client(port), *SETTINGS) == before
    assert not (workspace.folder / "tls").exists()


def test_disabling_with_rewrite_leaves_no_stale_tls_lines(redis_servers, workspace, pki, capsys):
    server = redis_servers()
    tls_port = free_port()
    add_database(workspace, "orders", tls_port, enforce=False)
    code, result = cli_json(
        capsys, workspace, "apply", "redis", "orders", "--url", server.url, "--rewrite"
    )
    assert code == 0 and "tls-cert-file" in server.config_file.read_text()
    update_tls(workspace, "orders", TlsUpdate(enabled=False))
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "orders",
        "--url",
        f"rediss://127.0.0.1:{tls_port}",
        "--rewrite",
    )
    assert code == 0 and result["rewritten"], result
    written = server.config_file.read_text()
    stale = [line for line in written.splitlines() if line.startswith(FILE_PREFIXES)]
    assert stale == [], written
    assert not any(
        line.startswith("tls-port") and line != "tls-port 0" for line in written.splitlines()
    )
    assert config(plain_client(tls_port), *SETTINGS)["tls-cert-file"] == ""


def test_a_plain_replica_of_a_tls_only_source_is_named_at_once(
    redis_servers, workspace, pki, capsys
):
    source, replica = redis_servers(), redis_servers()
    source_port = free_port()
    add_database(workspace, "src", source_port, enforce=False)
    code, _result = cli_json(capsys, workspace, "apply", "redis", "src", "--url", source.url)
    assert code == 0
    add_database(
        workspace, "copy", free_port(), enforce=False, replica_of=[f"127.0.0.1:{source_port}"]
    )
    update_tls(workspace, "copy", TlsUpdate(enabled=False))
    started = time.monotonic()
    code, result = cli_json(
        capsys,
        workspace,
        "apply",
        "redis",
        "copy",
        "--url",
        replica.url,
        "--allow-replicaof-change",
    )
    elapsed = time.monotonic() - started
    assert code == 1 and result["outcome"] == "rolled-back", result
    assert "speaks TLS only" in result["error"] and "--encryption" in result["error"]
    assert elapsed < 5, elapsed
