"""Live checks against a running server: real handshakes, each with a pass/fail reason.

Verify first learns what each port the mode uses speaks (`probe.port_speech`) and says it
once, with what it means for the mode: a port that is closed, or speaks plain text where
the database requires TLS, is one clear line and nothing else, instead of a column of
timeouts. Then each mode is checked for its own promise:

- all communications: the database port speaks TLS only; the server certificate, PING,
  client authentication, the minimum version and each client certificate are checked on it;
- Replica Of only: the database port accepts plain-text clients, the replication port
  (database port + 10000, or `tls_port`) requires TLS and gets the TLS checks;
- disabled (and CRDB only, which a redis-server cannot do): plain text only.

A replica's link is checked in every mode, over the connection that mode allows. The
checks are independent, so one wrong setting fails one check with its own reason. A
timeout is never counted as a refusal.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .. import clock
from ..certificates import (
    CertificateInfo,
    check,
    describe_pem,
    name_matches,
    read_certificate_file,
    subject_matches,
    verify_client,
)
from ..errors import WizardError
from ..model import Database, State
from ..vocabulary import SubjectValidation, TlsMode
from .link import replication_verdict
from .probe import (
    CLOSED,
    PLAIN,
    TLS,
    ClientCredential,
    PortSpeech,
    Probe,
    explain,
    ping,
    port_speech,
    probe,
)
from .redis_plan import REPLICA_OF_TLS_PORT_OFFSET, not_enforced

__all__ = ["Check", "VerifyReport", "verify_database"]
"""Verify's own answers. The probes apply also uses live in `probe` (and the replica link's
diagnosis in `link`): apply imports them from there, never from verify."""

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


@dataclass(frozen=True, slots=True)
class Check:
    """One live check: its stable name, what it checks, and why it passed or failed."""

    name: str
    title: str
    passed: bool
    reason: str


@dataclass(slots=True)
class VerifyReport:
    """Every check made against one server for one database; `ok` when all passed.

    `not_enforced` lists what the database asks for that this target cannot enforce
    (never a pass or a fail: it is true of every redis-server)."""

    database: str
    host: str
    port: int
    server_name: str
    mode: str = "all"
    tls_port: int | None = None
    checks: list[Check] = field(default_factory=list)
    ports: list[PortSpeech] = field(default_factory=list)
    not_enforced: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "host": self.host,
            "port": self.port,
            "tls_port": self.tls_port,
            "mode": self.mode,
            "server_name": self.server_name,
            "ok": self.ok,
            "ports": [speech.as_dict() for speech in self.ports],
            "checks": [asdict(check) for check in self.checks],
            "not_enforced": [
                {"setting": setting, "detail": detail, "text": f"{setting}: not enforced"}
                for setting, detail in self.not_enforced
            ],
        }


# -- ports ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortRole:
    """What a port is for in the database's mode: what it must speak, and why."""

    check: str
    speaks: str
    expected: str
    """Completes "port 12000 speaks TLS: expected ..." when the port speaks it."""
    requirement: str
    """Completes "port 12000 speaks plain text, but ..." when it does not."""
    mistaken: str = ""
    """The other likely cause of a wrong answer: the wrong port was given."""
    when_closed: str = ""
    """Where the port should have been, when nothing answers on it."""


TLS_DISABLED = "disabled"
"""The report's mode when the database has TLS off (the others are the TLS modes)."""

_REPLICATION_PORT = (
    "apply opens the replication port on the database port + 10000, or on its --tls-port: "
    "give verify the same --tls-port"
)
CLIENTS_TLS = PortRole(
    "port",
    TLS,
    "as the database requires TLS for all communications",
    "the database requires TLS for all communications",
)
CLIENTS_REPLICA_OF = PortRole(
    "port",
    PLAIN,
    "for Replica Of only clients (they connect in plain text)",
    "in Replica Of only mode clients connect in plain text on the database port",
    "if this is the replication port, give the database's client port as --port instead "
    "(default: the state's)",
)
REPLICATION_TLS = PortRole(
    "tls-port",
    TLS,
    "for the Replica Of replication port, which requires TLS",
    "the Replica Of replication port requires TLS",
    when_closed=_REPLICATION_PORT,
)
CLIENTS_PLAIN = {
    TLS_DISABLED: PortRole(
        "port", PLAIN, "as TLS is disabled for the database", "TLS is disabled for the database"
    ),
    TlsMode.CRDB: PortRole(
        "port",
        PLAIN,
        "as TLS is for CRDB communication only (which a redis-server cannot do), so clients "
        "connect in plain text",
        "TLS is for CRDB communication only, so clients connect in plain text",
    ),
}


def verify_mode(database: Database) -> str:
    """all, replica-of, crdb or disabled: what verify checks the database for."""
    return database.tls.mode if database.tls.enabled else TLS_DISABLED


def _port_title(port: int, role: PortRole) -> str:
    return f"port {port} should speak {'TLS' if role.speaks == TLS else 'plain text'}"


def _port_check(speech: PortSpeech, role: PortRole) -> Check:
    """One line: what the port speaks, and what that means for the mode."""
    title = _port_title(speech.port, role)
    if speech.speaks == role.speaks:
        return Check(role.check, title, True, f"{speech.phrase}: expected {role.expected}")
    if speech.speaks == PLAIN:  # TLS was expected
        cause = (
            "apply was not persisted (a restart without `apply --rewrite` undoes it), "
            "or was rolled back; apply the database again"
        )
    elif speech.speaks == TLS:  # plain text was expected
        cause = "the server keeps an earlier TLS configuration; apply the database again"
    else:
        reason = f"{speech.phrase}; check the host and port, and that the server runs"
        if role.when_closed:
            reason += f" ({role.when_closed})"
        return Check(role.check, title, False, reason)
    if role.mistaken:
        cause = f"{role.mistaken}; or {cause}"
    return Check(role.check, title, False, f"{speech.phrase}, but {role.requirement}: {cause}")


# -- the TLS checks --------------------------------------------------------------------------


def _anchors(state: State, extra_ca: str) -> str:
    return state.certificate_pem("proxy") + (extra_ca or "")


def _trusted(state: State, database: Database) -> list[CertificateInfo]:
    return [describe_pem(state.certificates[sha]) for sha in database.tls.certificates]


PlainProbe = Callable[[ClientCredential | None], Probe]
"""One unverified handshake + PING per client certificate, shared by the checks."""


def _name_hint(server_name: str) -> str:
    import ipaddress

    try:
        ipaddress.ip_address(server_name)
        option = "--ip"
    except ValueError:
        option = "--dns"
    return (
        f"connect by one of those names (--server-name NAME, with the name resolving to "
        f"this server), or give the proxy certificate {server_name}: `init {option} "
        f"{server_name}` makes self-signed certificates that carry it, or have a CA sign one "
        "that does (clients that check host names, such as redis-py by default, refuse the "
        "server until then)"
    )


CHAIN_TITLE = "server certificate chains to the cluster's proxy certificate or its CA"


def _name_title(server_name: str) -> str:
    return f"server certificate matches {server_name}"


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
    chain_title = CHAIN_TITLE
    name_title = _name_title(server_name)
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
        verified = probe(host, port, credential=first, cadata=state.certificate_pem("proxy"))
        if verified.handshake:
            chain = Check(
                "server-chain",
                chain_title,
                True,
                f"{leaf.label} chains to the proxy certificate's CA",
            )
        elif "certificate verify failed" in verified.error:
            chain = Check(
                "server-chain",
                chain_title,
                False,
                f"the server presents {leaf.label}, which does not chain to the "
                f"cluster's proxy certificate ({verified.error}); apply the database "
                "again or update the proxy certificate",
            )
        else:
            chain = Check(
                "server-chain",
                chain_title,
                False,
                f"the server presents {leaf.label}, and the handshake to check its chain "
                f"failed for another reason ({verified.error})",
            )
    names = ", ".join(leaf.sans) or f"CN={leaf.subject_cn}"
    if name_matches(leaf, [server_name]):
        name = Check("server-name", name_title, True, f"{server_name} is covered by {names}")
    else:
        name = Check(
            "server-name",
            name_title,
            False,
            f"the certificate names {names}, not {server_name}; {_name_hint(server_name)}",
        )
    return [chain, name]


def _ping_title(port: int, client: str) -> str:
    who = f"client certificate {client}" if client else "no client certificate"
    return f"TLS handshake and PING on port {port} with {who}"


def _ping_check(
    host: str, port: int, database: Database, anchors: str, first: ClientCredential | None
) -> tuple[Check | None, Any]:
    """redis-py over TLS, as an application connects. In Replica Of only mode the TLS port
    serves replicas, so without a client certificate there is no PING to make there."""
    title = _ping_title(port, first.certificate.name if first else "")
    if first is None and database.tls.enforce_client_auth:
        if database.tls.mode is TlsMode.REPLICA_OF:
            return None, None
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


def _no_certificate_title(database: Database) -> str:
    enforced = database.tls.enforce_client_auth
    return "a client without a certificate is " + ("refused" if enforced else "accepted")


def _no_certificate_check(database: Database, plain: PlainProbe) -> Check:
    enforced = database.tls.enforce_client_auth
    title = _no_certificate_title(database)
    seen = plain(None)
    if seen.timed_out:
        return Check("no-client-cert", title, False, f"cannot tell: {seen.error}")
    if enforced:
        if seen.accepted:
            return Check(
                "no-client-cert",
                title,
                False,
                "the server answered a client without a certificate, but the database "
                "enforces client authentication (tls-auth-clients should be yes)",
            )
        return Check("no-client-cert", title, True, f"refused: {seen.error}")
    if seen.accepted:
        return Check("no-client-cert", title, True, f"accepted over {seen.version}")
    return Check(
        "no-client-cert",
        title,
        False,
        f"refused ({seen.error}), but the database does not enforce client authentication "
        "(tls-auth-clients should be no)",
    )


def _min_version_title(minimum: str) -> str:
    below = _BELOW.get(minimum)
    if below is None:
        return f"nothing below TLSv{minimum} is accepted"
    return f"a handshake capped at TLSv{below} is refused (minimum TLSv{minimum})"


def _min_version_check(
    host: str, port: int, minimum: str, accepted: ClientCredential | None
) -> Check:
    """`accepted`: a client certificate the server is known to accept (or None), so that a
    refusal can only be about the version."""
    below = _BELOW.get(minimum)
    title = _min_version_title(minimum)
    if below is None:
        return Check(
            "min-version", title, True, "the minimum is TLSv1: there is no older version to try"
        )
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
    # the version), or no answer at all: that proves nothing about the version.
    return Check(
        "min-version",
        title,
        False,
        f"cannot tell: the handshake failed for another reason ({seen.error}); give a "
        "client certificate the server accepts",
    )


def _listed(database: Database, certificate: CertificateInfo) -> bool | None:
    """Whether the authorized names (or subjects) list this client; None without a list."""
    tls = database.tls
    if tls.subject_validation is SubjectValidation.SAN:
        return name_matches(certificate, tls.authorized_names)
    if tls.subject_validation is SubjectValidation.FULL_SUBJECT:
        return subject_matches(certificate, tls.authorized_subjects)
    return None


def _client_title(client: str) -> str:
    return f"the inspector's verdict on {client} is what the server does"


def _client_checks(
    state: State, database: Database, clients: list[ClientCredential], plain: PlainProbe
) -> list[Check]:
    trusted = _trusted(state, database)
    checks = []
    for credential in clients:
        title = _client_title(credential.certificate.name)
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
            else "client authentication is not enforced, so any client is accepted"
        )
        seen = plain(credential)
        name = f"client:{credential.certificate.name}"
        if seen.timed_out:
            checks.append(Check(name, title, False, f"cannot tell: {seen.error}"))
            continue
        server = "accepted" if seen.accepted else f"refused ({seen.error})"
        inspector = "accepts" if expected else "rejects"
        unlisted = ""
        if seen.accepted and _listed(database, certificates[0]) is False:
            unlisted = (
                "; it is not on the authorized names list, which this target does not "
                "enforce (not enforced)"
            )
        checks.append(
            Check(
                name,
                title,
                seen.accepted == expected,
                f"inspector {inspector} it ({why}); server {server}{unlisted}",
            )
        )
    return checks


def _tls_checks(
    state: State,
    database: Database,
    report: VerifyReport,
    port: int,
    clients: list[ClientCredential],
    ca_pem: str,
) -> Any:
    """Every TLS check on `port`; returns the redis-py client PING opened, if any."""
    host = report.host
    first = clients[0] if clients else None
    seen: dict[ClientCredential | None, Probe] = {}

    def plain(credential: ClientCredential | None) -> Probe:
        if credential not in seen:
            seen[credential] = probe(host, port, credential=credential)
        return seen[credential]

    report.checks.extend(_server_checks(state, host, port, report.server_name, first, plain))
    ping_check, client = _ping_check(host, port, database, _anchors(state, ca_pem), first)
    if ping_check is not None:
        report.checks.append(ping_check)
    report.checks.append(_no_certificate_check(database, plain))
    accepted = first if first and plain(first).accepted else None
    report.checks.append(
        _min_version_check(host, port, state.cluster.min_data_tls_version, accepted)
    )
    report.checks.extend(_client_checks(state, database, clients, plain))
    return client


# -- the replication link ----------------------------------------------------------------------


def _replication_title(database: Database) -> str:
    source = database.replica_sources[0]
    over = "over TLS" if source.encryption else "without encryption"
    return f"the Replica Of link from {source.uri} is up {over}"


def _replication_check(
    state: State,
    database: Database,
    client: Any,
    read_key: Callable[[str], bytes],
    no_client_why: str,
) -> Check:
    title = _replication_title(database)
    if client is None:
        return Check("replication", title, False, f"cannot read INFO replication: {no_client_why}")
    import redis

    try:
        info = client.info("replication")
    except redis.RedisError as error:
        return Check("replication", title, False, f"cannot read INFO replication: {explain(error)}")
    passed, reason = replication_verdict(state, database, info, read_key)
    return Check("replication", title, passed, reason)


def _plain_client(host: str, port: int) -> tuple[Any, str]:
    import redis

    try:
        return ping(host, port, tls=False), ""
    except redis.AuthenticationError:
        return None, "the server wants a password (verify does not log in)"
    except Exception as error:
        return None, explain(error, host, port)


# -- the whole verify ------------------------------------------------------------------------


def _checked_clients(clients: list[ClientCredential] | None) -> list[ClientCredential]:
    clients = list(clients or [])
    for credential in clients:
        for path in (credential.certificate, credential.key):
            if not Path(path).is_file():
                raise WizardError(f"{path}: no such file; check the path")
    return clients


def verify_database(
    state: State,
    name: str,
    host: str,
    port: int | None = None,
    *,
    read_key: Callable[[str], bytes],
    clients: list[ClientCredential] | None = None,
    ca_pem: str = "",
    server_name: str | None = None,
    tls_port: int | None = None,
) -> VerifyReport:
    """Run every live check for database `name` against `host`: its port (default: the
    database's) and, in Replica Of only mode, its TLS replication port (default: port +
    10000, as apply opens it)."""
    database = state.require_database(name)
    clients = _checked_clients(clients)
    port = port or database.port
    mode = verify_mode(database)
    report = VerifyReport(name, host, port, server_name or host, mode)
    if mode == TlsMode.REPLICA_OF:
        report.tls_port = tls_port or port + REPLICA_OF_TLS_PORT_OFFSET
        if not 1 <= report.tls_port <= 65535:
            raise WizardError(
                f"the replication TLS port would be {report.tls_port} (port {port} + "
                f"{REPLICA_OF_TLS_PORT_OFFSET}), which is not a port: give the one apply "
                "opened with --tls-port"
            )
        _verify_replica_of(state, database, report, clients, ca_pem, read_key)
    elif mode == TlsMode.ALL:
        _verify_all(state, database, report, clients, ca_pem, read_key)
    else:
        _verify_plain(state, database, report, read_key)
    return report


def _not_enforced(state: State, database: Database, report: VerifyReport) -> None:
    report.not_enforced = [(item.setting, item.detail) for item in not_enforced(state, database)]


def _verify_all(state, database, report, clients, ca_pem, read_key) -> None:
    speech = port_speech(report.host, report.port)
    report.ports.append(speech)
    check = _port_check(speech, CLIENTS_TLS)
    report.checks.append(check)
    if not check.passed:
        return  # one true line, not a column of its consequences
    client = _tls_checks(state, database, report, report.port, clients, ca_pem)
    try:
        if database.replica_sources:
            report.checks.append(
                _replication_check(
                    state, database, client, read_key, "no working TLS connection (see PING)"
                )
            )
    finally:
        if client is not None:
            client.close()
    _not_enforced(state, database, report)


def _verify_replica_of(state, database, report, clients, ca_pem, read_key) -> None:
    speech = port_speech(report.host, report.port)
    report.ports.append(speech)
    clients_check = _port_check(speech, CLIENTS_REPLICA_OF)
    report.checks.append(clients_check)
    if speech.speaks == CLOSED:
        return
    tls_speech = port_speech(report.host, report.tls_port)
    report.ports.append(tls_speech)
    replication = _port_check(tls_speech, REPLICATION_TLS)
    report.checks.append(replication)
    if replication.passed:
        client = _tls_checks(state, database, report, report.tls_port, clients, ca_pem)
        if client is not None:
            client.close()
        _not_enforced(state, database, report)
    if database.replica_sources:
        _plain_replication(state, database, report, read_key, clients_check.passed)


def _verify_plain(state, database, report, read_key) -> None:
    speech = port_speech(report.host, report.port)
    report.ports.append(speech)
    check = _port_check(speech, CLIENTS_PLAIN[report.mode])
    report.checks.append(check)
    if check.passed and database.replica_sources:
        _plain_replication(state, database, report, read_key, True)
    if check.passed:
        _not_enforced(state, database, report)


def _plain_replication(state, database, report, read_key, port_ok: bool) -> None:
    client, why = (
        (None, "the database port does not speak plain text")
        if not port_ok
        else (_plain_client(report.host, report.port))
    )
    try:
        report.checks.append(_replication_check(state, database, client, read_key, why))
    finally:
        if client is not None:
            client.close()


# -- before connecting: what will be checked -------------------------------------------------


class PlannedCheck(NamedTuple):
    """A check `verify_database` will make: its name and title as the report will have
    them, and what it is for."""

    name: str
    title: str
    purpose: str


PURPOSES = {
    "server-chain": "clients verify the server with the proxy certificate or its CA",
    "server-name": "clients that check host names refuse a server whose certificate lacks it",
    "ping": "what an application does: a handshake, then a command",
    "no-client-cert": "whether the server asks clients for a certificate, as the state says",
    "min-version": "the cluster's minimum TLS version, as tls-protocols enforces it",
    "client": "the inspector's verdict on this client certificate against the server's",
    "replication": "the replica's link to its source, as INFO replication reports it",
}
"""Why each kind of check is made (the port checks say it with their `PortRole`)."""


def planned_checks(
    state: State,
    name: str,
    port: int | None = None,
    *,
    server_name: str = "",
    client: str = "",
    tls_port: int | None = None,
) -> list[PlannedCheck]:
    """The checks `verify_database` will make for database `name`, in its order and with
    its titles, before anything connects (the Verify screen shows them beside the form).
    `client` is the client certificate's file name, if one is given. A check that is made
    only when an earlier one passes is listed all the same."""
    database = state.require_database(name)
    port = port or database.port
    mode = verify_mode(database)
    if mode == TlsMode.REPLICA_OF:
        tls = tls_port or port + REPLICA_OF_TLS_PORT_OFFSET
        checks = [_planned_port(port, CLIENTS_REPLICA_OF), _planned_port(tls, REPLICATION_TLS)]
        checks += _planned_tls(state, database, tls, server_name, client)
    elif mode == TlsMode.ALL:
        checks = [_planned_port(port, CLIENTS_TLS)]
        checks += _planned_tls(state, database, port, server_name, client)
    else:
        checks = [_planned_port(port, CLIENTS_PLAIN[mode])]
    if database.replica_sources:
        checks.append(_planned("replication", _replication_title(database)))
    return checks


def _planned(name: str, title: str) -> PlannedCheck:
    return PlannedCheck(name, title, PURPOSES[name])


def _planned_port(port: int, role: PortRole) -> PlannedCheck:
    return PlannedCheck(role.check, _port_title(port, role), role.expected)


def _planned_tls(
    state: State, database: Database, port: int, server_name: str, client: str
) -> list[PlannedCheck]:
    """The checks of `_tls_checks`, in its order."""
    enforced = database.tls.enforce_client_auth
    checks = [
        _planned("server-chain", CHAIN_TITLE),
        _planned("server-name", _name_title(server_name or "the host")),
    ]
    if client or not enforced or database.tls.mode is not TlsMode.REPLICA_OF:
        checks.append(_planned("ping", _ping_title(port, client)))
    checks.append(_planned("no-client-cert", _no_certificate_title(database)))
    checks.append(_planned("min-version", _min_version_title(state.cluster.min_data_tls_version)))
    if client:
        checks.append(PlannedCheck(f"client:{client}", _client_title(client), PURPOSES["client"]))
    return checks
