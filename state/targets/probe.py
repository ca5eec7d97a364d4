"""Raw probes of a server port: what it speaks, and what one handshake and PING show.

`verify` and `apply` both ask these questions, so they live here once. A port is first
classified (`port_speech`): a plain `PING` is sent, because a plain-text redis-server
answers it at once and a TLS listener resets the connection at once (the bytes are not a
TLS record); only then is a TLS handshake made to confirm it. The other order would
hang: a plain-text server reads a ClientHello as the start of an inline command and
waits for the rest of the line. Every wait is short and bounded by one deadline, so a
dead or plain-text port is known in well under 5 seconds.

A timeout is never a refusal: `Probe.timed_out` says so, and the checks built on a probe
count it as "cannot tell", never as a pass.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import ssl
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import WizardError

TIMEOUT = 3.0
"""One handshake + PING on a port known to speak TLS."""
SPEECH_STEP_TIMEOUT = 1.5
SPEECH_BUDGET = 4.0
"""Classifying one port takes at most this long, whatever the peer does."""

VERSIONS = {
    "1": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}
_PERMISSIVE_CIPHERS = "DEFAULT:@SECLEVEL=0"
"""Lets this client offer TLS 1.0/1.1 at all, so a refusal is the server's, not ours."""
_RESP_TYPES = b"+-:$*_#,(!=%~>|"
"""The first byte of every RESP2/RESP3 reply: what a plain-text redis-server answers."""
_TLS_RECORD_TYPES = (0x15, 0x16)
"""An alert or handshake record: a TLS listener answering a plain PING."""


@dataclass(frozen=True, slots=True)
class ClientCredential:
    """A client certificate file (leaf, then any intermediates) and its key file."""

    certificate: Path
    key: Path


@dataclass(frozen=True, slots=True)
class Probe:
    """What one raw handshake showed: completed or not, and did the server answer PING."""

    handshake: bool
    accepted: bool
    version: str = ""
    reply: str = ""
    error: str = ""
    peer_der: bytes | None = None
    timed_out: bool = False


def explain(error: BaseException, host: str = "", port: int = 0, timeout: float = TIMEOUT) -> str:
    """An exception from a connection attempt, in one line without internals."""
    where = f"{host}:{port}" if host else "the server"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {error.verify_message}"
    if isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return "the server closed the connection during or right after the handshake"
    if isinstance(error, socket.gaierror):
        return f"cannot resolve {host or 'the host'} ({error.strerror})"
    if isinstance(error, ConnectionRefusedError):
        return f"nothing listens on {where} (connection refused)"
    if isinstance(error, TimeoutError | socket.timeout):
        return f"{where} did not answer within {timeout:g} s"
    text = str(error)
    text = re.sub(r"\[SSL: [A-Z0-9_]+\] ", "", text)
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", text)
    text = re.sub(r"^Error while reading from \S+ : \(\d+, '(.*)'\)$", r"\1", text)
    text = re.sub(r"^Error \d+ connecting to [^.]+\.\d+\.?\d*\.?\d*:\d+\. ", "", text)
    return text.strip().rstrip(".") or type(error).__name__


def _is_timeout(error: BaseException) -> bool:
    if isinstance(error, TimeoutError | socket.timeout):
        return True
    return "timed out" in str(error).lower()


def client_context(
    *,
    credential: ClientCredential | None = None,
    cadata: str | None = None,
    min_version: str | None = None,
    max_version: str | None = None,
    permissive: bool = False,
    partial_chain: bool = True,
) -> ssl.SSLContext:
    """A client context; with `cadata` it verifies the chain (by default partial chains are
    allowed, so a trusted intermediate or leaf is enough), never the host name (that is
    checked on its own)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    if cadata:
        context.load_verify_locations(cadata=cadata)
        if partial_chain:
            context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        context.verify_mode = ssl.CERT_REQUIRED
    else:
        context.verify_mode = ssl.CERT_NONE
    if permissive:
        context.set_ciphers(_PERMISSIVE_CIPHERS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if min_version:
            context.minimum_version = VERSIONS[min_version]
        if max_version:
            context.maximum_version = VERSIONS[max_version]
    if credential is not None:
        try:
            context.load_cert_chain(str(credential.certificate), str(credential.key))
        except (OSError, ssl.SSLError) as error:
            raise WizardError(
                f"cannot load client certificate {credential.certificate} with key "
                f"{credential.key}: {explain(error)}; check that the key belongs to it"
            ) from None
    return context


def probe(
    host: str,
    port: int,
    *,
    credential: ClientCredential | None = None,
    cadata: str | None = None,
    min_version: str | None = None,
    max_version: str | None = None,
    permissive: bool = False,
    partial_chain: bool = True,
    timeout: float = TIMEOUT,
) -> Probe:
    """One handshake, then PING: `accepted` only when the server answered over TLS."""
    context = client_context(
        credential=credential,
        cadata=cadata,
        min_version=min_version,
        max_version=max_version,
        permissive=permissive,
        partial_chain=partial_chain,
    )
    handshake, version, peer = False, "", None
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw) as tls,
        ):
            handshake, version = True, tls.version() or ""
            peer = tls.getpeercert(binary_form=True)
            tls.sendall(b"PING\r\n")
            reply = tls.recv(512)
            if not reply:
                return Probe(
                    True,
                    False,
                    version,
                    error="the server closed the connection after the handshake",
                    peer_der=peer,
                )
            return Probe(True, True, version, reply.decode(errors="replace").strip(), "", peer)
    except (OSError, ssl.SSLError) as error:
        return Probe(
            handshake,
            False,
            version,
            error=explain(error, host, port, timeout),
            peer_der=peer,
            timed_out=_is_timeout(error),
        )


# -- what a port speaks --------------------------------------------------------------------

TLS, PLAIN, CLOSED, SILENT, OTHER = "tls", "plain", "closed", "silent", "other"


@dataclass(frozen=True, slots=True)
class PortSpeech:
    """What one port answered: `speaks` is tls, plain, closed, silent or other."""

    host: str
    port: int
    speaks: str
    detail: str

    @property
    def phrase(self) -> str:
        """'port 12000 speaks TLS (TLSv1.3)', for a report line."""
        if self.speaks == CLOSED:
            return f"port {self.port}: {self.detail}"
        what = {
            TLS: "speaks TLS",
            PLAIN: "speaks plain text",
            CLOSED: "is closed",
            SILENT: "answers neither a plain PING nor a TLS handshake",
            OTHER: "answers something that is not Redis",
        }[self.speaks]
        return f"port {self.port} {what} ({self.detail})"

    def as_dict(self) -> dict[str, Any]:
        return {"port": self.port, "speaks": self.speaks, "detail": self.detail}


def _first_line(data: bytes) -> str:
    return data.split(b"\r\n", 1)[0][:80].decode(errors="replace")


def port_speech(host: str, port: int, *, budget: float = SPEECH_BUDGET) -> PortSpeech:
    """Classify `host:port` in at most `budget` seconds: a plain PING first, then (only if
    the port did not answer it in plain text) a TLS handshake."""
    deadline = time.monotonic() + budget

    def step() -> float:
        return max(0.05, min(SPEECH_STEP_TIMEOUT, deadline - time.monotonic()))

    timeout = step()
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:
        return PortSpeech(host, port, CLOSED, explain(error, host, port, timeout))
    except ValueError:  # the IDNA codec refuses the name (an empty or over-long label)
        return PortSpeech(host, port, CLOSED, "cannot resolve the host: it is not a host name")
    try:
        with raw:
            raw.settimeout(step())
            raw.sendall(b"PING\r\n")
            reply = raw.recv(512)
    except TimeoutError:
        return _after_silence(host, port, step())
    except OSError:
        reply = b""  # reset: what a TLS listener does with bytes that are not a TLS record
    if reply and reply[0] in _RESP_TYPES:
        return PortSpeech(host, port, PLAIN, f"PING answered: {_first_line(reply[1:])}")
    if reply and reply[0] not in _TLS_RECORD_TYPES:
        return PortSpeech(host, port, OTHER, f"PING answered with {reply[:16]!r}")
    return _tls_speech(host, port, step())


def _after_silence(host: str, port: int, timeout: float) -> PortSpeech:
    seen = _tls_speech(host, port, timeout)
    if seen.speaks == TLS:
        return seen
    return PortSpeech(host, port, SILENT, f"it accepts connections but says nothing: {seen.detail}")


def _tls_speech(host: str, port: int, timeout: float) -> PortSpeech:
    """A handshake without a certificate and without verifying the server: did the port
    speak TLS at all? A TLS alert (a refused version, a missing client certificate) is TLS
    too."""
    context = client_context(permissive=True, min_version="1")
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw) as tls,
        ):
            return PortSpeech(host, port, TLS, f"{tls.version()} handshake")
    except ssl.SSLError as error:
        if "alert" in str(error).lower():
            return PortSpeech(host, port, TLS, f"TLS alert: {explain(error)}")
        return PortSpeech(host, port, OTHER, f"no TLS handshake: {explain(error)}")
    except OSError as error:
        return PortSpeech(
            host, port, OTHER, f"no TLS handshake: {explain(error, host, port, timeout)}"
        )


# -- redis-py, as an application would connect --------------------------------------------


def ping(
    host: str,
    port: int,
    *,
    tls: bool,
    credential: ClientCredential | None = None,
    cadata: str | None = None,
    timeout: float = TIMEOUT,
):
    """A redis-py client that has answered PING (what a real application would use)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    options: dict[str, Any] = {}
    if tls:
        options = {
            "ssl": True,
            "ssl_cert_reqs": "required" if cadata else "none",
            "ssl_ca_data": cadata,
            "ssl_check_hostname": False,
            "ssl_include_verify_flags": [ssl.VerifyFlags.VERIFY_X509_PARTIAL_CHAIN],
        }
        if credential is not None:
            options["ssl_certfile"] = str(credential.certificate)
            options["ssl_keyfile"] = str(credential.key)
    client = redis.Redis(
        host=host,
        port=port,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        single_connection_client=True,
        decode_responses=True,
        **options,
    )  # single_connection_client connects here: a refusal raises before PING
    try:
        client.ping()
    except Exception:
        client.close()
        raise
    return client


# -- a certificate and key from memory, as files the ssl module can load -----------------


@contextlib.contextmanager
def credential_from_memory(
    certificate_pem: bytes, key_pem: bytes, role: str
) -> Iterator[ClientCredential]:
    """`certificate_pem` and `key_pem` as a ClientCredential for the ssl module, which only
    loads a key from a path. On Linux the bytes live in anonymous memory files
    (memfd_create) that no other process can open by name and the kernel frees with the
    process, however it ends; elsewhere a private temporary folder is removed afterwards,
    also on SIGINT, SIGTERM and SIGHUP."""
    if hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir():
        with _memory_files(certificate_pem, key_pem, role=role) as paths:
            yield ClientCredential(*paths)
        return
    with _removed_on_signals(), tempfile.TemporaryDirectory(prefix="tls-wizard-probe-") as folder:
        certificate, key = Path(folder) / f"{role}.crt", Path(folder) / f"{role}.key"
        certificate.write_bytes(certificate_pem)
        key.touch(mode=0o600)
        key.write_bytes(key_pem)
        yield ClientCredential(certificate, key)


@contextlib.contextmanager
def _memory_files(*contents: bytes, role: str) -> Iterator[list[Path]]:
    descriptors: list[int] = []
    try:
        for data in contents:
            fd = os.memfd_create(f"tls-wizard-{role}", os.MFD_CLOEXEC)
            descriptors.append(fd)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        yield [Path(f"/proc/self/fd/{fd}") for fd in descriptors]
    finally:
        for fd in descriptors:
            os.close(fd)


@contextlib.contextmanager
def _removed_on_signals() -> Iterator[None]:
    """Turn INT, TERM and HUP into an exception while the block runs, so the `with` blocks
    inside it clean up before the process ends (only the main thread can do this)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    wanted = [s for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s)]
    previous = {name: signal.signal(getattr(signal, name), stop) for name in wanted}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
