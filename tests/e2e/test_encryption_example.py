"""The client-side encryption example, run as shown against a real redis-server.

The screen shows `state.encryption.python_example`; these tests execute that exact text
against a redis-server started here on 127.0.0.1 (plain, and with TLS and client
certificates) and check that values round-trip, that Redis only holds ciphertext, and
that a value moved under another key name is refused.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from cryptography.exceptions import InvalidTag

from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate
from state.encryption import generate_data_key_file, python_example

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _needs_redis_server() -> None:
    """Never a silent skip: under CI (CI=true) a missing redis-server fails the test."""
    if shutil.which("redis-server"):
        return
    message = "redis-server is not installed: run scripts/ensure-redis.sh or apt-get install it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(folder: Path, args: list[str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process


def _wait(client: redis.Redis, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return
        except (redis.ConnectionError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def plain_server(tmp_path) -> Iterator[int]:
    port = _free_port()
    process = _start(tmp_path, ["--port", str(port)])
    try:
        _wait(redis.Redis(host="127.0.0.1", port=port), process)
        yield port
    finally:
        _stop(process)


@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[int, Path]]:
    """A TLS-only redis-server that requires client certificates; yields (port, folder)."""
    ca = certificate_authority("Encryption Test CA")
    server = issue_certificate(
        ca, SubjectFields(cn="localhost"), sans=["localhost", "127.0.0.1"], eku=("serverAuth",)
    )
    client = issue_certificate(ca, SubjectFields(cn="app1"), eku=("clientAuth",))
    files = {
        "ca.pem": ca.pem,
        "server.pem": server.pem,
        "server.key": server.key_pem,
        "client.pem": client.pem,
        "client.key": client.key_pem,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    port = _free_port()
    process = _start(
        tmp_path,
        [
            "--port",
            "0",
            "--tls-port",
            str(port),
            "--tls-cert-file",
            str(tmp_path / "server.pem"),
            "--tls-key-file",
            str(tmp_path / "server.key"),
            "--tls-ca-cert-file",
            str(tmp_path / "ca.pem"),
            "--tls-auth-clients",
            "yes",
        ],
    )
    try:
        _wait(
            redis.Redis(
                host="127.0.0.1",
                port=port,
                ssl=True,
                ssl_ca_certs=str(tmp_path / "ca.pem"),
                ssl_certfile=str(tmp_path / "client.pem"),
                ssl_keyfile=str(tmp_path / "client.key"),
            ),
            process,
        )
        yield port, tmp_path
    finally:
        _stop(process)


def _run_example(text: str, folder: Path, monkeypatch) -> dict:
    """Execute the example as a user would (relative paths from their folder)."""
    monkeypatch.chdir(folder)
    namespace: dict = {"__name__": "example"}
    exec(compile(text, "example.py", "exec"), namespace)
    return namespace


def _check_round_trip(example: dict) -> None:
    client: redis.Redis = example["r"]
    example["put"]("user:1:ssn", b"078-05-1120")
    assert example["get"]("user:1:ssn") == b"078-05-1120"
    assert example["get"]("user:missing") is None

    raw = client.get("user:1:ssn")
    assert raw is not None and b"078-05-1120" not in raw
    # 12-byte nonce + ciphertext of the same length + 16-byte tag.
    assert len(raw) == 12 + len(b"078-05-1120") + 16

    example["put"]("user:1:ssn", b"078-05-1120")
    assert client.get("user:1:ssn") != raw, "a fresh nonce makes every write differ"

    # A value copied under another key name must not decrypt: the name is authenticated.
    client.set("user:2:ssn", client.get("user:1:ssn"))
    with pytest.raises(InvalidTag):
        example["get"]("user:2:ssn")

    # And the server-side operations the screen warns about really stop working.
    example["put"]("counter", b"41")
    with pytest.raises(redis.ResponseError):
        client.incr("counter")


def test_example_round_trips_through_a_real_redis(plain_server, tmp_path, monkeypatch):
    generate_data_key_file(tmp_path / "keys" / "data.key")
    text = python_example("keys/data.key", "127.0.0.1", plain_server, tls=False)
    example = _run_example(text, tmp_path, monkeypatch)
    try:
        _check_round_trip(example)
    finally:
        example["r"].close()


def test_example_round_trips_over_tls_with_a_client_certificate(tls_server, monkeypatch):
    port, folder = tls_server
    generate_data_key_file(folder / "keys" / "data.key")
    text = python_example(
        "keys/data.key",
        "127.0.0.1",
        port,
        tls=True,
        ca_file="ca.pem",
        cert_file="client.pem",
        cert_key_file="client.key",
    )
    example = _run_example(text, folder, monkeypatch)
    try:
        _check_round_trip(example)
    finally:
        example["r"].close()


def test_another_data_key_cannot_read_the_values(plain_server, tmp_path, monkeypatch):
    generate_data_key_file(tmp_path / "one.key")
    generate_data_key_file(tmp_path / "two.key")
    writer = _run_example(
        python_example("one.key", "127.0.0.1", plain_server, tls=False), tmp_path, monkeypatch
    )
    reader = _run_example(
        python_example("two.key", "127.0.0.1", plain_server, tls=False), tmp_path, monkeypatch
    )
    try:
        writer["put"]("secret", b"value")
        with pytest.raises(InvalidTag):
            reader["get"]("secret")
    finally:
        writer["r"].close()
        reader["r"].close()
