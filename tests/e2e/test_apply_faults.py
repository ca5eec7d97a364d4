"""`apply redis` under faults, against real redis-servers: a kill or a signal after every
command apply sends, a signal while a command waits, a server too slow for a step, and a
server killed mid-apply. Afterwards the admin must reach the server on the port the
report names, the report must be what CONFIG GET shows, and a CA that was removed must
not be trusted.

The faults come from tests/e2e/fault_runner.py, a wrapper around redis-py's connection
in a child process; the server is always the real one. The scenario is the riskiest: the
database port is the admin's own plaintext port, and the server's TLS context still
trusts an old CA (TLS was on once, then turned off).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from e2e_helpers import add_database, answers, client_args, free_port, listening, plain_client

from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("fault_runner.py")
SIGNALS = ("KILL", "TERM", "INT", "HUP")
MANAGED = ("tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-port", "port")


@pytest.fixture(scope="module")
def old_client(tmp_path_factory) -> tuple[str, tuple[Path, Path]]:
    """A CA the server trusted before, and a client it issued: it must never get in again."""
    folder = tmp_path_factory.mktemp("old")
    ca = certificate_authority("Old Client CA")
    client = issue_certificate(ca, SubjectFields(cn="old.example.com"))
    (folder / "old.pem").write_bytes(client.pem)
    (folder / "old.key").write_bytes(client.key_pem)
    return ca.pem.decode(), (folder / "old.pem", folder / "old.key")


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    """A short folder for the server's unix socket (their paths are limited to 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="twf-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Scenario:
    server: object
    socket: Path
    before: dict[str, str]
    database: str
    port: int
    """The database's port: the admin's own plaintext port, or another one."""


def same_port_scenario(
    redis_servers, workspace, pki, old_client, socket_dir, *, same_port: bool = True
) -> Scenario:
    """A plaintext server whose TLS context trusts the old CA (TLS on, then off); the
    database takes the admin's own port (or another) and trusts only the client CA."""
    socket = socket_dir / f"r{free_port()}.sock"
    server = redis_servers(f"unixsocket {socket}", "unixsocketperm 700")
    old_ca_pem, old_pair = old_client
    files = socket_dir / "old-tls"
    files.mkdir(exist_ok=True)
    (files / "proxy.crt").write_text(workspace.state.certificate_pem("proxy"))
    (files / "proxy.key").write_bytes(workspace.read_key("proxy"))
    (files / "old-ca.crt").write_text(old_ca_pem)
    old_port = free_port()
    with plain_client(server.port) as client:
        client.execute_command(
            "CONFIG", "SET",
            "tls-cert-file", str(files / "proxy.crt"),
            "tls-key-file", str(files / "proxy.key"),
            "tls-ca-cert-file", str(files / "old-ca.crt"),
            "tls-port", str(old_port),
        )  # fmt: skip
        assert answers(old_port, cert=old_pair) == "PONG"
        client.execute_command("CONFIG", "SET", "tls-port", "0")
        before = _settings(client)
    database = f"orders{len(workspace.state.databases)}"
    port = server.port if same_port else free_port()
    add_database(workspace, database, port, trusted=[pki.pem("client-ca")])
    return Scenario(server, socket, before, database, port)


def _settings(client: redis.Redis) -> dict[str, str]:
    values: dict[str, str] = {}
    for key in MANAGED:
        values.update(client.config_get(key))
    return values


def run_with_fault(workspace, scenario: Scenario, fault: str, *args: str, timeout: float = 2):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TLS_WIZARD_FAULT": fault,
        "FAULT_SOCKET": str(scenario.socket),
        "FAULT_SERVER_PID": str(scenario.server.process.pid),
        "FAULT_COUNT_FILE": str(scenario.socket.parent / "count"),
    }
    return subprocess.run(
        [sys.executable, str(RUNNER), "--state", str(workspace.path), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=workspace.folder,
    )


def apply_args(scenario: Scenario, pki, timeout: float = 2) -> list[str]:
    return [
        "apply",
        "redis",
        scenario.database,
        "--url",
        scenario.server.url,
        *client_args(pki, "app1"),
        "--timeout",
        str(timeout),
        "--json",
    ]


def reach_server(port: int, pki) -> tuple[str, redis.Redis]:
    """The admin's way in on `port`: plaintext, else TLS with the app1 certificate."""
    app1 = (pki.files["app1.pem"], pki.files["app1.key"])
    if answers(port, cert=app1) == "PONG":
        client = redis.Redis(
            port=port,
            ssl=True,
            ssl_cert_reqs="none",
            ssl_certfile=str(app1[0]),
            ssl_keyfile=str(app1[1]),
            socket_timeout=5,
            decode_responses=True,
        )
        return "rediss", client
    client = plain_client(port)
    client.ping()
    return "redis", client


def assert_safe(scenario: Scenario, pki, old_client, result: dict | None) -> dict[str, str]:
    """The server runs, answers the admin on the database port, trusts no removed CA, and
    (with a report) is where the report says it is."""
    server = scenario.server
    assert server.process.poll() is None, "the server died"
    open_ports = [p for p in dict.fromkeys((server.port, scenario.port)) if listening(p)]
    assert open_ports, "no listener on the admin's or the database's port"
    port = open_ports[0]
    if result is not None:
        port = int(result["reach"].split(":")[2].split()[0])
    scheme, client = reach_server(port, pki)
    with client:
        actual = _settings(client)
    if actual["tls-port"] != "0":
        refused = answers(int(actual["tls-port"]), cert=old_client[1])
        assert refused.startswith("refused"), f"the removed CA is trusted: {refused}"
    if result is not None:
        assert result["reach"].startswith(f"{scheme}://127.0.0.1:{port}"), result["reach"]
        assert {k: result["final"][k] for k in MANAGED} == actual
        if result["outcome"] == "rolled-back":
            assert actual == scenario.before
        else:
            assert result["outcome"] in ("applied", "unchanged"), result
            assert actual["port"] == "0" and actual["tls-port"] == str(scenario.port)
    return actual


def commands_in_a_clean_run(
    redis_servers, workspace, pki, old_client, socket_dir, *, same_port: bool = True
) -> list[str]:
    """The commands a run without fault sends (on a scenario of its own)."""
    probe_dir = socket_dir / "count"
    probe_dir.mkdir(parents=True)
    scenario = same_port_scenario(
        redis_servers, workspace, pki, old_client, probe_dir, same_port=same_port
    )
    done = run_with_fault(workspace, scenario, "count", *apply_args(scenario, pki))
    assert done.returncode == 0, done.stderr
    assert_safe(scenario, pki, old_client, json.loads(done.stdout))
    scenario.server.stop()
    return json.loads((probe_dir / "count").read_text())


def risky_commands(commands: list[str]) -> list[int]:
    """The numbers (from 1) of the commands where a fault matters most: the first (before
    anything changed), every CONFIG SET with the read just before and the one just after it
    (the server half changed, then the checks), and the last."""
    numbers = {1, len(commands)}
    for number, command in enumerate(commands, start=1):
        if command == "CONFIG SET":
            numbers.update({number - 1, number, number + 1})
    return sorted(n for n in numbers if 1 <= n <= len(commands))


@pytest.mark.parametrize(
    ("victim", "same_port"),
    [(victim, True) for victim in SIGNALS] + [("KILL", False), ("TERM", False)],
)
@pytest.mark.parametrize(
    "form", ["risky", pytest.param("every", marks=pytest.mark.slow)], ids=["risky", "slow-every"]
)
def test_kill_or_signal_after_every_command(
    redis_servers, workspace, pki, old_client, socket_dir, victim, same_port, form
):
    """Every signal after every command in the same-port case; KILL and TERM also when the
    database has a port of its own (the plaintext port closes in a later step). The quick
    form faults each signal after the risky commands only; the slow form after every one."""
    commands = commands_in_a_clean_run(
        redis_servers, workspace, pki, old_client, socket_dir, same_port=same_port
    )
    total = len(commands)
    assert "CONFIG SET" in commands
    outcomes = set()
    numbers = range(1, total + 1) if form == "every" else risky_commands(commands)
    for number in numbers:
        case = socket_dir / f"n{number}"
        case.mkdir()
        scenario = same_port_scenario(
            redis_servers, workspace, pki, old_client, case, same_port=same_port
        )
        done = run_with_fault(
            workspace, scenario, f"after:{number}:{victim}", *apply_args(scenario, pki)
        )
        where = (
            f"{victim} after command {number} of {total} ({commands[number - 1]}): "
            f"{done.stderr[-600:]}"
        )
        if victim == "KILL":
            assert done.returncode == -signal.SIGKILL, where
            assert_safe(scenario, pki, old_client, None)
        else:
            assert done.returncode in (0, 1), where
            assert "Traceback" not in done.stderr, where
            result = json.loads(done.stdout) if done.stdout else None
            if result is None:  # stopped before anything changed: a one-line refusal
                assert "nothing changed" in done.stderr or "interrupted" in done.stderr, where
            else:
                outcomes.add(result["outcome"])
                if done.returncode == 1:
                    assert result["outcome"] == "rolled-back", where
                    assert f"interrupted by SIG{victim}" in result["error"], where
            try:
                assert_safe(scenario, pki, old_client, result)
            except AssertionError as error:
                raise AssertionError(f"{where}: {error}") from None
        scenario.server.stop()
    if victim != "KILL":
        assert "rolled-back" in outcomes  # the signals did land while apply was changing


@pytest.mark.parametrize("victim", ("INT", "TERM", "HUP"))
def test_a_signal_while_the_port_moves_waits_for_the_answer_then_rolls_back(
    redis_servers, workspace, pki, old_client, socket_dir, victim
):
    """Ctrl-c (or TERM, HUP) while the server is still busy with the CONFIG SET that moves
    the port: apply waits for the answer, then rolls back, and says so truthfully."""
    scenario = same_port_scenario(redis_servers, workspace, pki, old_client, socket_dir)
    first_config_set = _first_config_set_number(
        redis_servers, workspace, pki, old_client, socket_dir / "first"
    )
    done = run_with_fault(
        workspace,
        scenario,
        f"during:{first_config_set}:{victim}",
        *apply_args(scenario, pki, timeout=5),
    )
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["outcome"] == "rolled-back" and f"SIG{victim}" in result["error"]
    assert assert_safe(scenario, pki, old_client, result) == scenario.before


def _first_config_set_number(redis_servers, workspace, pki, old_client, folder: Path) -> int:
    """Which command is the first CONFIG SET (the one that moves the port)."""
    commands = commands_in_a_clean_run(redis_servers, workspace, pki, old_client, folder)
    return commands.index("CONFIG SET") + 1


@pytest.mark.parametrize(
    ("same_port", "which"),
    [
        (True, 1),  # the CONFIG SET that moves the admin's port to TLS
        (False, 1),  # the CONFIG SET that opens the TLS port
        (False, 2),  # the last step: the plaintext port closes
    ],
)
def test_a_server_too_slow_for_a_step_is_rolled_back_and_checked(
    redis_servers, workspace, pki, old_client, socket_dir, same_port, which
):
    """A pause makes the K-th CONFIG SET take longer than --timeout: apply waits for
    its answer (so it knows what the server did, even on the last step), rolls back, and
    proves it; the files the restored server uses are never deleted."""
    scenario = same_port_scenario(
        redis_servers, workspace, pki, old_client, socket_dir, same_port=same_port
    )
    done = run_with_fault(
        workspace, scenario, f"slow:{which}:3", *apply_args(scenario, pki, timeout=1)
    )
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert "more than the 1 s allowed" in result["error"], result["error"]
    assert result["outcome"] == "rolled-back"
    assert any(line.startswith("waiting:") for line in result["log"])
    assert assert_safe(scenario, pki, old_client, result) == scenario.before
    assert result["reach"] == scenario.server.url
    for setting in ("tls-cert-file", "tls-key-file", "tls-ca-cert-file"):
        assert Path(result["final"][setting]).exists()


def test_a_server_killed_mid_apply_is_reported_not_restored(
    redis_servers, workspace, pki, old_client, socket_dir
):
    scenario = same_port_scenario(redis_servers, workspace, pki, old_client, socket_dir)
    first_config_set = _first_config_set_number(
        redis_servers, workspace, pki, old_client, socket_dir / "first"
    )
    done = run_with_fault(
        workspace,
        scenario,
        f"server-kill:{first_config_set}",
        "apply",
        "redis",
        scenario.database,
        "--url",
        scenario.server.url,
        *client_args(pki, "app1"),
        "--timeout",
        "1",
    )
    assert done.returncode == 1
    assert "NOT rolled back" in done.stderr and "answered on none of" in done.stderr
    assert "rolled back (checked" not in done.stderr
    assert "which apply did not change" in done.stderr
    # As the report says, a restarted server reads its unchanged config file: the admin
    # finds it on its plaintext port.
    scenario.server.process.wait(timeout=5)
    restarted = subprocess.Popen(
        ["redis-server", str(scenario.server.config_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            if listening(scenario.server.port):
                break
            subprocess.run(["sleep", "0.05"], check=True)
        with plain_client(scenario.server.port) as client:
            assert client.ping()
            assert client.config_get("tls-port")["tls-port"] == "0"
    finally:
        restarted.terminate()
        restarted.wait(timeout=5)
