"""What the end-to-end tests share: building databases in a state, running the CLI, and
handshakes made with the ssl module directly (independent of the code under test)."""

from __future__ import annotations

import json
import socket
import ssl
import warnings
from pathlib import Path

import pytest
import redis
from ports import free_port as free_port  # the tests import it from here

from state.certificates import describe_pem
from state.cli import main
from state.transitions import TlsUpdate, change_tls, create_database, set_min_tls_version
from state.workspace import Workspace

VERSIONS = {
    "1": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


def add_database(
    ws: Workspace,
    name: str,
    port: int,
    *,
    trusted: list[str] = (),
    mode: str = "all",
    enforce: bool = True,
    replica_of: list[str] | None = None,
    min_version: str | None = None,
) -> None:
    """A TLS-enabled database trusting the given PEM texts, committed through the rules."""
    change = TlsUpdate(
        enabled=True,
        mode=mode,
        enforce_client_auth=enforce,
        add_certificates=[describe_pem(pem) for pem in trusted],
    )
    state = create_database(ws.state, name, port, replica_of=replica_of, tls=change)
    if min_version:
        state = set_min_tls_version(state, min_version)
    ws.commit(state, f"test: {name}")


def update_tls(ws: Workspace, name: str, change: TlsUpdate) -> None:
    ws.commit(change_tls(ws.state, name, change), f"test: change {name}")


def cli(capsys: pytest.CaptureFixture[str], ws: Workspace, *args: str) -> tuple[int, str, str]:
    """Run `tls-wizard --state ... ARGS` in this process; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(["--state", str(ws.path), *args])
    out, err = capsys.readouterr()
    ws.reload()
    return code, out, err


def cli_json(capsys, ws: Workspace, *args: str) -> tuple[int, dict]:
    code, out, err = cli(capsys, ws, *args, "--json")
    assert out, err
    return code, json.loads(out)


def client_args(pki, name: str) -> list[str]:
    return [
        "--client-cert",
        str(pki.files[f"{name}.pem"]),
        "--client-key",
        str(pki.files[f"{name}.key"]),
    ]


def tls_client(port: int, pki, name: str | None = "app1") -> redis.Redis:
    """A redis-py client over TLS with a client certificate (the server is not verified)."""
    options = {}
    if name:
        options = {
            "ssl_certfile": str(pki.files[f"{name}.pem"]),
            "ssl_keyfile": str(pki.files[f"{name}.key"]),
        }
    return redis.Redis(
        port=port,
        ssl=True,
        ssl_cert_reqs="none",
        socket_timeout=3,
        decode_responses=True,
        **options,
    )


def plain_client(port: int) -> redis.Redis:
    return redis.Redis(port=port, socket_timeout=3, decode_responses=True)


def answers(port: int, *, version: str | None = None, cert: tuple[Path, Path] | None = None) -> str:
    """'PONG' when a TLS client (capped at `version`, with `cert`) gets an answer, else why not.

    The client allows every version at security level 0, so a refusal is the server's.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        if version:
            context.maximum_version = VERSIONS[version]
    if cert:
        context.load_cert_chain(*map(str, cert))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=3) as raw,
            context.wrap_socket(raw) as tls,
        ):
            tls.sendall(b"PING\r\n")
            reply = tls.recv(100)
            return "PONG" if reply.startswith(b"+PONG") else f"reply {reply!r}"
    except (OSError, ssl.SSLError) as error:
        return f"refused: {error}"


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def config(client: redis.Redis, *keys: str) -> dict[str, str]:
    values = {}
    for key in keys:
        values.update(client.config_get(key))
    return values
