"""`verify` and a no-change `apply redis` against a real redis-server on loopback.

References, measured in the same process and interleaved:
- verify (every live check) against one TLS handshake + PING made with the ssl module:
  verify is a handful of handshakes by design, so the ratio says how many it costs.
  It makes five (one per question; a client's plain handshake is shared by the checks
  that need it) plus redis-py's PING, and redis-py builds each TLS context with
  `ssl.create_default_context()`, which loads the system trust store (about 15 ms with
  Debian's bundle, 7-8 handshakes' worth). Target: at most 16 handshakes' worth.
- a re-apply that finds nothing to change (connect, CONFIG GET, plan, compare the files,
  the proving handshake) against the least any apply must do: a redis-py TLS connection,
  CONFIG GET and INFO. Target: at most 5x.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from bench.common import heading, interleaved, verdict
from state.certificates import describe_pem
from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate
from state.targets.probe import ClientCredential
from state.targets.redis_apply import AdminConnection, apply_database
from state.targets.verify import verify_database
from state.transitions import TlsUpdate, create_database
from state.workspace import init_state

VERIFY_TARGET = 16.0
APPLY_TARGET = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(folder: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(folder),
            "--logfile",
            str(folder / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis(port=port, socket_timeout=1).ping()
            return process, port
        except redis.RedisError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)


def _handshake_and_ping(port: int, credential: ClientCredential) -> float:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(str(credential.certificate), str(credential.key))
    start = time.perf_counter()
    with (
        socket.create_connection(("127.0.0.1", port), timeout=3) as raw,
        context.wrap_socket(raw) as tls,
    ):
        tls.sendall(b"PING\r\n")
        tls.recv(100)
    return time.perf_counter() - start


def _least_apply(port: int, credential: ClientCredential) -> float:
    start = time.perf_counter()
    client = redis.Redis(
        port=port,
        ssl=True,
        ssl_cert_reqs="none",
        ssl_certfile=str(credential.certificate),
        ssl_keyfile=str(credential.key),
        single_connection_client=True,
    )
    client.config_get("tls-*")
    client.info("replication")
    client.close()
    return time.perf_counter() - start


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> int:
    heading("targets: verify and a no-change apply vs raw handshakes (bench/targets_bench.py)")
    if shutil.which("redis-server") is None:
        print("skipped: needs redis-server")
        return 0
    folder = Path(tempfile.mkdtemp(prefix="tls-wizard-bench-"))
    process, admin_port = _start_server(folder)
    try:
        workspace = init_state(folder / "tls-wizard.toml", "cluster1.example.com")
        ca = certificate_authority("Bench Client CA")
        app = issue_certificate(ca, SubjectFields(cn="app1.example.com"))
        (folder / "app1.pem").write_bytes(app.pem)
        (folder / "app1.key").write_bytes(app.key_pem)
        credential = ClientCredential(folder / "app1.pem", folder / "app1.key")
        port = _free_port()
        change = TlsUpdate(enabled=True, add_certificates=[describe_pem(ca.pem.decode())])
        workspace.update(lambda s: create_database(s, "orders", port, tls=change), "bench")
        first = apply_database(
            workspace, "orders", AdminConnection(f"redis://127.0.0.1:{admin_port}", credential)
        )
        assert first.ok, first.error
        admin = AdminConnection(f"rediss://127.0.0.1:{port}", credential)

        def verify() -> None:
            report = verify_database(
                workspace.state,
                "orders",
                "127.0.0.1",
                port,
                read_key=workspace.read_key,
                clients=[credential],
                server_name="cluster1.example.com",
            )
            assert report.ok, report.as_dict()

        def reapply() -> None:
            result = apply_database(workspace, "orders", admin)
            assert result.ok and not result.applied, result.as_dict()

        ours, reference = interleaved(
            lambda: _timed(verify), lambda: _handshake_and_ping(port, credential)
        )
        ratio = ours.median / reference.median
        print("verify (6 checks, one client certificate) against one TLS handshake + PING")
        print(f"  tls-wizard verify            {ours.ms()}")
        print(f"  reference: handshake + PING  {reference.ms()}")
        print(f"  ratio {ratio:.1f}x; {verdict(ratio, VERIFY_TARGET)}")
        ours, reference = interleaved(
            lambda: _timed(reapply), lambda: _least_apply(port, credential)
        )
        ratio = ours.median / reference.median
        print("apply redis with nothing to change against TLS connect + CONFIG GET + INFO")
        print(f"  tls-wizard apply (no change) {ours.ms()}")
        print(f"  reference: redis-py reads    {reference.ms()}")
        print(f"  ratio {ratio:.1f}x; {verdict(ratio, APPLY_TARGET)}")
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
