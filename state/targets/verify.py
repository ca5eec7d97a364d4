"""Live checks against a running server: real handshakes, each with a pass/fail reason.

The checks are independent, so one wrong setting fails one check with its own reason
instead of a cascade: handshake-level questions (is a client without a certificate refused?
is an old TLS version refused?) use raw `ssl` handshakes that do not verify the server,
and only the server-certificate checks and the PING (which is what a real client does)
verify it. A client certificate rejected under TLS 1.3 only shows up after the handshake,
so every probe sends a PING and waits for an answer before calling a client accepted.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import clock
from ..certificates import (
    CertificateInfo,
    check,
    describe_pem,
    name_matches,
    read_certificate_file,
    verify_client,
)
from ..errors import WizardError
from ..model import Database, State
from ..operations import certificate_pem

TIMEOUT = 3.0
_VERSIONS = {
    "1": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}
_BELOW = {"1.1": "1", "1.2": "1.1", "1.3": "1.2"}
_VERSION_REFUSALS = (
    "protocol version",
    "unsupported protocol",
    "wrong version number",
    "no protocols available",
    "version too low",
    "internal error",
)
"""How OpenSSL words a refused version (`internal error`: the server's security level
refusing TLS 1.0/1.1 signature algorithms)."""
_PERMISSIVE_CIPHERS = "DEFAULT:@SECLEVEL=0"
"""Lets this client offer TLS 1.0/1.1 at all, so a refusal is the server's, not ours."""


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


def explain(error: BaseException, host: str = "", port: int = 0) -> str:
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
        return f"{where} did not answer within {TIMEOUT:g} s"
    text = str(error)
    text = re.sub(r"\[SSL: [A-Z0-9_]+\] ", "", text)
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", text)
    text = re.sub(r"^Error while reading from \S+ : \(\d+, '(.*)'\)$", r"\1", text)
    text = re.sub(r"^Error \d+ connecting to [^.]+\.\d+\.?\d*\.?\d*:\d+\. ", "", text)
    return text.strip().rstrip(".") or type(error).__name__


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
            context.minimum_version = _VERSIONS[min_version]
        if max_version:
            context.maximum_version = _VERSIONS[max_version]
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
        return Probe(handshake, False, version, error=explain(error, host, port), peer_der=peer)


@contextlib.contextmanager
def state_credential(
    state: State, role: str, read_key: Callable[[str], bytes]
) -> Iterator[ClientCredential]:
    """The cluster's proxy or syncer certificate as files for a probe, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="tls-wizard-probe-") as folder:
        certificate, key = Path(folder) / f"{role}.crt", Path(folder) / f"{role}.key"
        certificate.write_text(certificate_pem(state, role))
        key.touch(mode=0o600)
        key.write_bytes(read_key(role))
        yield ClientCredential(certificate, key)


@dataclass(frozen=True, slots=True)
class Check:
    """One live check: its stable name, what it checks, and why it passed or failed."""

    name: str
    title: str
    passed: bool
    reason: str


@dataclass(slots=True)
class VerifyReport:
    """Every check made against one server for one database; `ok` when all passed."""

    database: str
    host: str
    port: int
    server_name: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "host": self.host,
            "port": self.port,
            "server_name": self.server_name,
            "ok": self.ok,
            "checks": [asdict(check) for check in self.checks],
        }


def _anchors(state: State, extra_ca: str) -> str:
    return certificate_pem(state, "proxy") + (extra_ca or "")


def _trusted(state: State, database: Database) -> list[CertificateInfo]:
    return [describe_pem(state.certificates[sha]) for sha in database.tls.certificates]


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


PlainProbe = Callable[[ClientCredential | None], Probe]
"""One unverified handshake + PING per client certificate, shared by the checks."""


def _server_checks(
    state: State,
    host: str,
    port: int,
    server_name: str,
    first: ClientCredential | None,
    plain: PlainProbe,
) -> list[Check]:
    proxy = state.cluster.proxy
    assert proxy is not None
    seen = plain(first)
    if seen.peer_der is None and first is not None:
        # Under TLS 1.2 a refused client certificate ends the handshake before we see the
        # server's; without one, the server still shows its certificate.
        first = None
        seen = plain(None)
    chain_title = "server certificate chains to the cluster's proxy certificate or its CA"
    name_title = f"server certificate matches {server_name}"
    if seen.peer_der is None:
        reason = f"no server certificate received: {seen.error}"
        return [
            Check("server-chain", chain_title, False, reason),
            Check("server-name", name_title, False, reason),
        ]
    leaf = describe_pem(ssl.DER_cert_to_PEM_cert(seen.peer_der))
    if leaf.sha256 == proxy.certificate:
        chain = Check(
            "server-chain",
            chain_title,
            True,
            f"the server presents the proxy certificate ({leaf.short()})",
        )
    else:
        verified = probe(host, port, credential=first, cadata=certificate_pem(state, "proxy"))
        if not verified.handshake and "certificate verify failed" not in verified.error:
            chain = Check(
                "server-chain",
                chain_title,
                False,
                f"the server presents {leaf.label}, and the handshake to check its chain "
                f"failed for another reason ({verified.error})",
            )
        elif verified.handshake:
            chain = Check(
                "server-chain",
                chain_title,
                True,
                f"{leaf.label} chains to the proxy certificate's CA",
            )
        else:
            chain = Check(
                "server-chain",
                chain_title,
                False,
                f"the server presents {leaf.label}, which does not chain to the "
                f"cluster's proxy certificate ({verified.error}); apply the database "
                "again or update the proxy certificate",
            )
    if name_matches(leaf, [server_name]):
        name = Check(
            "server-name",
            name_title,
            True,
            f"{server_name} is covered by {', '.join(leaf.sans) or 'CN=' + leaf.subject_cn}",
        )
    else:
        names = ", ".join(leaf.sans) or f"CN={leaf.subject_cn}"
        name = Check(
            "server-name",
            name_title,
            False,
            f"the certificate names {names}, not {server_name}; connect by one of "
            "those names (or --server-name), or reissue the proxy certificate",
        )
    return [chain, name]


def _ping_check(
    host: str, port: int, database: Database, anchors: str, first: ClientCredential | None
) -> tuple[Check, Any]:
    who = f"client certificate {first.certificate.name}" if first else "no client certificate"
    title = f"TLS handshake and PING with {who}"
    if first is None and database.tls.enforce_client_auth:
        return Check(
            "ping",
            title,
            False,
            "client authentication is enforced: give "
            "--client-cert and --client-key of a client the database trusts",
        ), None
    import redis

    try:
        client = ping(host, port, tls=True, credential=first, cadata=anchors)
    except WizardError as error:
        return Check("ping", title, False, str(error)), None
    except redis.AuthenticationError:
        # TLS and the client certificate were accepted; logging in is not verify's job.
        return Check(
            "ping", title, True, "TLS accepted; the server wants a password before PING"
        ), None
    except Exception as error:
        return Check("ping", title, False, f"refused: {explain(error, host, port)}"), None
    return Check("ping", title, True, "PONG"), client


def _no_certificate_check(database: Database, plain: PlainProbe) -> Check:
    enforced = database.tls.enforce_client_auth
    title = "a client without a certificate is " + ("refused" if enforced else "accepted")
    seen = plain(None)
    if enforced:
        if seen.accepted:
            return Check(
                "no-client-cert",
                title,
                False,
                "the server answered a client without "
                "a certificate, but the database enforces client authentication "
                "(tls-auth-clients should be yes)",
            )
        return Check("no-client-cert", title, True, f"refused: {seen.error}")
    if seen.accepted:
        return Check("no-client-cert", title, True, f"accepted over {seen.version}")
    return Check(
        "no-client-cert",
        title,
        False,
        f"refused ({seen.error}), but the database "
        "does not enforce client authentication (tls-auth-clients should be no)",
    )


def _min_version_check(
    host: str, port: int, minimum: str, accepted: ClientCredential | None
) -> Check:
    """`accepted`: a client certificate the server is known to accept (or None), so that a
    refusal can only be about the version."""
    below = _BELOW.get(minimum)
    if below is None:
        return Check(
            "min-version",
            f"nothing below TLSv{minimum} is accepted",
            True,
            "the minimum is TLSv1: there is no older version to try",
        )
    title = f"a handshake capped at TLSv{below} is refused (minimum TLSv{minimum})"
    seen = probe(
        host, port, credential=accepted, min_version="1", max_version=below, permissive=True
    )
    if seen.handshake:
        return Check(
            "min-version",
            title,
            False,
            f"the server completed a {seen.version} "
            f"handshake; tls-protocols should start at TLSv{minimum}",
        )
    if any(sign in seen.error for sign in _VERSION_REFUSALS):
        return Check("min-version", title, True, f"refused: {seen.error}")
    # Refused, but maybe for the client certificate (TLS 1.2 asks for it after agreeing on
    # the version): that proves nothing about the version, so it is not a pass.
    return Check(
        "min-version",
        title,
        False,
        f"cannot tell: the handshake failed for another reason ({seen.error}); give a "
        "client certificate the server accepts",
    )


def _client_checks(
    state: State, database: Database, clients: list[ClientCredential], plain: PlainProbe
) -> list[Check]:
    trusted = _trusted(state, database)
    checks = []
    for credential in clients:
        title = f"the inspector's verdict on {credential.certificate.name} is what the server does"
        certificates = read_certificate_file(credential.certificate)
        verdict = verify_client(certificates[0], certificates[1:], trusted, now=clock.now())
        # A key no TLS signature scheme uses fails the handshake although its chain verifies.
        unusable = [
            f for f in check(certificates[:1], "client") if f.code == "curve-without-tls-signatures"
        ]
        accepted = verdict.accepted and not unusable
        expected = accepted or not database.tls.enforce_client_auth
        why = (
            (unusable[0].message if verdict.accepted and unusable else verdict.reason)
            if database.tls.enforce_client_auth
            else ("client authentication is not enforced, so any client is accepted")
        )
        seen = plain(credential)
        server = "accepted" if seen.accepted else f"refused ({seen.error})"
        inspector = "accepts" if expected else "rejects"
        checks.append(
            Check(
                f"client:{credential.certificate.name}",
                title,
                seen.accepted == expected,
                f"inspector {inspector} it ({why}); server {server}",
            )
        )
    return checks


def _replication_check(
    state: State, database: Database, client: Any, read_key: Callable[[str], bytes]
) -> Check:
    source = database.replica_of[0]
    title = f"the Replica Of link from {source} is up"
    if client is None:
        return Check(
            "replication",
            title,
            False,
            "no working connection to read INFO replication (see the PING check)",
        )
    info = client.info("replication")
    if info.get("role") != "slave":
        return Check(
            "replication",
            title,
            False,
            f"the server is not a replica (role "
            f"{info.get('role')}); apply the database to start replicating",
        )
    host, port = str(info.get("master_host")), int(info.get("master_port", 0))
    if info.get("master_link_status") == "up":
        return Check("replication", title, True, f"linked to {host}:{port}")
    return Check(
        "replication",
        title,
        False,
        "master_link_status is down: " + diagnose_link(state, database, host, port, read_key),
    )


def link_problem(
    host: str,
    port: int,
    credential: ClientCredential | None,
    cadata: str | None,
    cluster: str = "this cluster",
) -> str | None:
    """Why a replica's TLS link to its source would fail, found by making the same handshake
    the replica makes (its client certificate, its trusted certificates), naming the side
    that must change; None if it works."""
    # A replica verifies its source as redis-server does: no partial chains.
    seen = probe(host, port, credential=credential, cadata=cadata, partial_chain=False)
    if seen.accepted:
        return None
    if not seen.handshake and "certificate verify failed" in seen.error:
        return (
            f"the replica side is at fault: this database does not trust the certificate of "
            f"the source {host}:{port} ({seen.error}): paste the source cluster's proxy "
            "certificate into the Replica Of source (db source DB HOST:PORT --server-cert FILE)"
        )
    return (
        f"the source side is at fault: the source {host}:{port} refused the syncer certificate "
        f"of {cluster} ({seen.error}): on the source cluster, name {cluster} as a replica "
        f"cluster and add its syncer certificate to the source database "
        f"(db replicas DB --add {cluster})"
    )


def diagnose_link(
    state: State, database: Database, host: str, port: int, read_key: Callable[[str], bytes]
) -> str:
    """Why the link is down, as the replica would see it; or that the handshake works."""
    trusted = list(database.tls.certificates)
    for source in database.replica_sources[:1]:
        if source.server_certificate and source.server_certificate not in trusted:
            trusted.append(source.server_certificate)
    cadata = "".join(state.certificates[sha] for sha in trusted) or None
    with state_credential(state, "syncer", read_key) as syncer:
        problem = link_problem(host, port, syncer, cadata, state.cluster.name)
    return problem or (
        f"the source {host}:{port} accepts the syncer certificate; the link may still be "
        "synchronizing, or the source needs authentication"
    )


def _plaintext_checks(host: str, port: int) -> list[Check]:
    checks = []
    try:
        ping(host, port, tls=False).close()
        checks.append(Check("plaintext", "PING over plaintext (TLS is off)", True, "PONG"))
    except Exception as error:
        checks.append(
            Check(
                "plaintext",
                "PING over plaintext (TLS is off)",
                False,
                f"no answer: {explain(error, host, port)}",
            )
        )
    seen = probe(host, port)
    checks.append(
        Check(
            "no-tls",
            "the port does not speak TLS",
            not seen.handshake,
            "no TLS handshake"
            if not seen.handshake
            else f"a {seen.version} handshake completed, but TLS is off for the database",
        )
    )
    return checks


def _unreachable(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            return None
    except OSError as error:
        return explain(error, host, port)


def verify_database(
    state: State,
    name: str,
    host: str,
    port: int,
    *,
    read_key: Callable[[str], bytes],
    clients: list[ClientCredential] | None = None,
    ca_pem: str = "",
    server_name: str | None = None,
) -> VerifyReport:
    """Run every live check for database `name` against host:port."""
    database = state.database(name)
    if database is None:
        known = ", ".join(d.name for d in state.databases) or "none"
        raise WizardError(f"no database named {name!r} (databases: {known})")
    clients = list(clients or [])
    for credential in clients:
        for path in (credential.certificate, credential.key):
            if not Path(path).is_file():
                raise WizardError(f"{path}: no such file; check the path")
    report = VerifyReport(name, host, port, server_name or host)
    unreachable = _unreachable(host, port)
    if unreachable:
        # One true reason, rather than every check failing (or a refusal passing) for it.
        report.checks = [
            Check("reachable", f"{host}:{port} accepts connections", False, unreachable)
        ]
        return report
    tls = database.tls
    if not tls.enabled or tls.mode == "crdb":
        report.checks = _plaintext_checks(host, port)
        return report
    first = clients[0] if clients else None
    anchors = _anchors(state, ca_pem)
    seen: dict[ClientCredential | None, Probe] = {}

    def plain(credential: ClientCredential | None) -> Probe:
        if credential not in seen:
            seen[credential] = probe(host, port, credential=credential)
        return seen[credential]

    report.checks.extend(_server_checks(state, host, port, report.server_name, first, plain))
    ping_check, client = _ping_check(host, port, database, anchors, first)
    report.checks.append(ping_check)
    report.checks.append(_no_certificate_check(database, plain))
    accepted = first if first and plain(first).accepted else None
    report.checks.append(
        _min_version_check(host, port, state.cluster.min_data_tls_version, accepted)
    )
    report.checks.extend(_client_checks(state, database, clients, plain))
    if database.replica_of:
        report.checks.append(_replication_check(state, database, client, read_key))
    if client is not None:
        client.close()
    return report
