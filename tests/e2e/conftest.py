"""Real redis-server processes on 127.0.0.1 for the end-to-end tests, always stopped.

No fake stands in for Redis: each test starts the servers it needs on free loopback ports
(from a config file, so CONFIG REWRITE works) and the fixture stops them afterwards, also
when the test failed. Without redis-server the tests fail under CI (CI=true) and are
skipped with the reason elsewhere, never silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from e2e_helpers import free_port

from state.certificates import describe_pem
from state.certificates.issue import (
    KeyAndCertificate,
    SubjectFields,
    certificate_authority,
    issue_certificate,
)
from state.workspace import Workspace, init_state

START_TIMEOUT = 10.0


@dataclass
class RedisServer:
    """One redis-server process started by a test."""

    port: int
    folder: Path
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.folder / "redis.conf"

    def log(self) -> str:
        path = self.folder / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _require_redis_server() -> None:
    if shutil.which("redis-server"):
        return
    message = (
        "redis-server is not installed: the end-to-end tests need a real one "
        "(run scripts/ensure-redis.sh, or apt-get install redis-server)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _wait_ready(server: RedisServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"redis-server on {server.port} exited:\n{server.log()[-2000:]}")
        try:
            with redis.Redis(port=server.port, socket_timeout=1) as client:
                client.ping()
                return
        except (redis.AuthenticationError, redis.ResponseError):
            return  # it answers: it wants a password (requirepass)
        except redis.RedisError:
            time.sleep(0.05)
    pytest.fail(f"redis-server on {server.port} did not answer within {START_TIMEOUT:g} s")


@pytest.fixture
def redis_servers(tmp_path: Path) -> Iterator[Callable[..., RedisServer]]:
    """A factory: `start()` runs a plaintext redis-server on a free loopback port."""
    _require_redis_server()
    started: list[RedisServer] = []

    def start(*extra: str) -> RedisServer:
        port = free_port()
        folder = tmp_path / f"redis-{port}-{len(started)}"  # a port can come back
        folder.mkdir()
        lines = [
            f"port {port}",
            "bind 127.0.0.1",
            'save ""',
            "appendonly no",
            f"dir {folder}",
            f"logfile {folder / 'redis.log'}",
            "repl-diskless-sync-delay 0",
            *extra,
        ]
        (folder / "redis.conf").write_text("\n".join(lines) + "\n")
        process = subprocess.Popen(
            ["redis-server", str(folder / "redis.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        server = RedisServer(port, folder, process)
        started.append(server)
        _wait_ready(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@dataclass(frozen=True)
class Pki:
    """A state template (self-signed proxy and syncer, as the cluster ships) and clients."""

    template: Path
    client_ca: KeyAndCertificate
    rogue_ca: KeyAndCertificate
    files: dict[str, Path]

    def pem(self, name: str) -> str:
        return self.files[f"{name}.pem"].read_text()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Made once per session: RSA key generation is the slow part of these tests."""
    folder = tmp_path_factory.mktemp("pki")
    template = folder / "template"
    template.mkdir()
    init_state(template / "tls-wizard.toml", "cluster1.example.com")
    client_ca = certificate_authority("Test Client CA")
    rogue_ca = certificate_authority("Rogue CA")
    issued = {
        "client-ca": client_ca,
        "app1": issue_certificate(
            client_ca, SubjectFields(cn="app1.example.com"), sans=["app1.example.com"]
        ),
        "app2": issue_certificate(
            client_ca, SubjectFields(cn="app2.example.com"), sans=["app2.example.com"]
        ),
        "rogue": issue_certificate(rogue_ca, SubjectFields(cn="rogue.example.com")),
    }
    files: dict[str, Path] = {}
    for name, made in issued.items():
        files[f"{name}.pem"] = folder / f"{name}.pem"
        files[f"{name}.pem"].write_bytes(made.pem)
        files[f"{name}.key"] = folder / f"{name}.key"
        files[f"{name}.key"].write_bytes(made.key_pem)
        files[f"{name}.key"].chmod(0o600)
    return Pki(template, client_ca, rogue_ca, files)


@pytest.fixture
def workspace(pki: Pki, tmp_path: Path) -> Workspace:
    """A fresh copy of the template state for one test."""
    folder = tmp_path / "state"
    shutil.copytree(pki.template, folder)
    return Workspace.open(folder / "tls-wizard.toml")


def info(pem: str):
    return describe_pem(pem)
