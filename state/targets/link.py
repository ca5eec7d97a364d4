"""The Replica Of link, seen from the replica: is it up, over what, and if not, whose fault.

A cause is named only when the tool can know it, in this order: what the source's port
speaks (a replica that must use TLS pointed at a plain-text port, or the reverse), then
the handshake the replica itself makes (its syncer certificate, its trusted
certificates), which tells the source side's refusal from the replica side's distrust.
`apply` uses `link_problem` before it waits for a new link; `verify` uses
`replication_verdict` on a running replica.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ..model import Database, State
from ..vocabulary import TlsMode
from .probe import PLAIN, TLS, ClientCredential, credential_from_memory, port_speech, probe
from .redis_plan import REPLICA_OF_TLS_PORT_OFFSET


def source_port_hint(state: State | None, host: str, port: int) -> str:
    """What this state knows about the port a replica points at: a database of its own
    whose plain-text client port it is, and that database's TLS port."""
    if state is None:
        return ""
    for database in state.databases:
        if (
            database.port == port
            and database.tls.enabled
            and database.tls.mode == TlsMode.REPLICA_OF
        ):
            return (
                f"; {port} is the plain-text client port of this state's database "
                f"{database.name!r} (Replica Of only), whose replication port takes TLS "
                f"on {port + REPLICA_OF_TLS_PORT_OFFSET} unless apply was given --tls-port"
            )
    return ""


def _plain_source(host: str, port: int, hint: str) -> str:
    return (
        f"the source {host}:{port} speaks plain text, not TLS, so a link with encryption "
        "cannot come up: point Replica Of at the source's TLS port (for a source in Replica "
        "Of only mode, its replication port, not its client port)" + hint
    )


def link_problem(
    host: str,
    port: int,
    credential: ClientCredential | None,
    cadata: str | None,
    cluster: str = "this cluster",
    *,
    hint: str = "",
) -> str | None:
    """Why a replica's TLS link to its source would fail, found by first asking what the
    source's port speaks and then making the same handshake the replica makes (its client
    certificate, its trusted certificates), naming the side that must change; None if it
    works."""
    speech = port_speech(host, port)
    if speech.speaks == PLAIN:
        return _plain_source(host, port, hint)
    if speech.speaks != TLS:
        return f"the source {speech.phrase}: check the Replica Of address and that the source runs"
    # A replica verifies its source as redis-server does: no partial chains.
    seen = probe(host, port, credential=credential, cadata=cadata, partial_chain=False)
    if seen.accepted:
        return None
    if seen.timed_out:
        return f"the source {host}:{port} did not answer the replica's handshake ({seen.error})"
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


def unencrypted_link_problem(host: str, port: int, uri: str = "HOST:PORT") -> str | None:
    """Why a link without encryption would fail, as far as the source's port tells; None
    when it answers in plain text."""
    speech = port_speech(host, port)
    if speech.speaks == PLAIN:
        return None
    if speech.speaks == TLS:
        return (
            f"the source {host}:{port} speaks TLS only, but this replica reaches it without "
            f"encryption: turn encryption on for the source (db source DB {uri} --encryption "
            "--server-cert FILE) and apply again"
        )
    return f"the source {speech.phrase}: check the Replica Of address and that the source runs"


def _trusted_pem(state: State, database: Database) -> str | None:
    trusted = list(database.tls.certificates)
    for source in database.replica_sources[:1]:
        if source.server_certificate and source.server_certificate not in trusted:
            trusted.append(source.server_certificate)
    return "".join(state.certificates[sha] for sha in trusted) or None


def diagnose_link(
    state: State, database: Database, host: str, port: int, read_key: Callable[[str], bytes]
) -> str:
    """Why an encrypted link is down, as the replica would see it; or that it works."""
    certificate = state.certificate_pem("syncer").encode()
    with credential_from_memory(certificate, read_key("syncer"), "syncer") as syncer:
        problem = link_problem(
            host,
            port,
            syncer,
            _trusted_pem(state, database),
            state.cluster.name,
            hint=source_port_hint(state, host, port),
        )
    return problem or (
        f"the source {host}:{port} accepts the syncer certificate; the link may still be "
        "synchronizing, or the source needs authentication"
    )


class ReplicationVerdict(NamedTuple):
    """Whether the replication link is up over what the state says, and the sentence why."""

    linked: bool
    reason: str


def replication_verdict(
    state: State, database: Database, info: dict[str, Any], read_key: Callable[[str], bytes]
) -> ReplicationVerdict:
    """From the replica's INFO replication: is the link up, and over what the state says
    (TLS when the source uses encryption, plain text when not)?"""
    source = database.replica_sources[0]
    if info.get("role") != "slave":
        return ReplicationVerdict(
            False,
            (
                f"the server is not a replica (role {info.get('role')}); apply the database "
                "to start replicating"
            ),
        )
    host, port = str(info.get("master_host")), int(info.get("master_port", 0))
    elsewhere = (
        ""
        if f"{host}:{port}" == source.uri.replace("[", "").replace("]", "")
        else f" (the state says {source.uri}: apply the database again)"
    )
    speech = port_speech(host, port)
    if info.get("master_link_status") == "up":
        over = "TLS" if speech.speaks == TLS else "plain text"
        if source.encryption == (speech.speaks == TLS):
            return ReplicationVerdict(
                not elsewhere, f"linked to {host}:{port} over {over}{elsewhere}"
            )
        wanted = "uses encryption" if source.encryption else "is reached without encryption"
        return ReplicationVerdict(
            False,
            (
                f"linked to {host}:{port} over {over}, but the state says the source {wanted}"
                f"{elsewhere}: apply the database again"
            ),
        )
    if source.encryption:
        if speech.speaks == PLAIN:
            why = _plain_source(host, port, source_port_hint(state, host, port))
        else:
            why = diagnose_link(state, database, host, port, read_key)
    else:
        why = unencrypted_link_problem(host, port, source.uri) or (
            f"the source {host}:{port} answers in plain text; the link may still be "
            "synchronizing, or the source needs a password (masterauth)"
        )
    return ReplicationVerdict(False, f"master_link_status is down: {why}{elsewhere}")
