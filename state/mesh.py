"""The mesh: several clusters' state files checked together.

One state file sees one cluster, but the documentation asks for trust across all of them:
"Configure TLS on all participating clusters ... If every cluster does not have the syncer
certificate for every other participating cluster, it will cause read and write errors",
and a Replica Of replica holds its source cluster's proxy certificate. This module takes
the states of several clusters and reports every pair where one does not trust the other's
*current* certificate, including a copy that went stale after a rotation.

Clusters are matched by name (a participant's name is another state's cluster name or
FQDN); a Replica Of source `host:port` belongs to the cluster whose FQDN is the host or
a suffix of it, and to that cluster's database on that port. Active-active databases are
matched by CRDB GUID when both sides have one, else by name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .model import Database, State
from .rules import requires_tls_for_replication

KINDS = ("active-active", "replica-of")


@dataclass(frozen=True, slots=True)
class MeshProblem:
    """One broken pair: `cluster` lacks trust in `peer`'s certificate (`sha256`, current)."""

    kind: str
    database: str
    cluster: str
    peer: str
    problem: str
    sha256: str | None

    def as_json(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "database": self.database,
            "cluster": self.cluster,
            "peer": self.peer,
            "problem": self.problem,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class MeshLink:
    """What ties two clusters together and was checked: an Active-Active database that
    `cluster` shares with `peer`, or a Replica Of link (`database` is "source -> replica",
    `cluster` the replica's, `peer` the source's)."""

    kind: str
    database: str
    cluster: str
    peer: str

    def joins(self, cluster: str, peer: str) -> bool:
        """True when the link is between `cluster` and `peer`, in either direction."""
        return {self.cluster, self.peer} == {cluster, peer}


@dataclass(slots=True)
class MeshReport:
    """The clusters, every related pair (cluster, peer) that was checked, the links that
    relate them, and the problems."""

    clusters: list[str]
    pairs: set[tuple[str, str]] = field(default_factory=set)
    problems: list[MeshProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[MeshLink] = field(default_factory=list)

    def broken(self, link: MeshLink) -> bool:
        """True when a problem was found on `link`: an Active-Active link is one direction
        (`cluster` trusting `peer`), a Replica Of link is checked on both sides."""
        return any(
            p.kind == link.kind
            and p.database == link.database
            and (
                (p.cluster, p.peer) == (link.cluster, link.peer)
                if link.kind == "active-active"
                else link.joins(p.cluster, p.peer)
            )
            for p in self.problems
        )

    def cell(self, cluster: str, peer: str) -> list[MeshProblem]:
        """The problems of `cluster` trusting `peer` (empty and related: all good)."""
        return [p for p in self.problems if p.cluster == cluster and p.peer == peer]

    @property
    def ok(self) -> bool:
        return not self.problems


def _short(sha: str | None) -> str:
    return f"{sha[:12]}…" if sha else "none"


class _Mesh:
    def __init__(self, states: list[State]) -> None:
        self.states = states
        self.report = MeshReport([s.cluster.name for s in states])

    def find(self, name: str) -> State | None:
        lowered = name.lower().rstrip(".")
        for state in self.states:
            if lowered in (state.cluster.name.lower(), state.cluster.fqdn.lower().rstrip(".")):
                return state
        return None

    def add(
        self, kind: str, database: str, cluster: State, peer: State, problem: str, sha: str | None
    ) -> None:
        self.report.problems.append(
            MeshProblem(kind, database, cluster.cluster.name, peer.cluster.name, problem, sha)
        )

    # -- Active-Active --------------------------------------------------------------------

    def active_active(self) -> None:
        for state in self.states:
            for database in state.databases:
                if not database.is_active_active:
                    continue
                for peer_name in database.participants:
                    peer = self.find(peer_name)
                    if peer is None:
                        self.report.notes.append(
                            f"{state.cluster.name}: active-active database {database.name} "
                            f"names {peer_name}, whose state file was not given"
                        )
                        continue
                    self.report.pairs.add((state.cluster.name, peer.cluster.name))
                    self.report.links.append(
                        MeshLink(
                            "active-active", database.name, state.cluster.name, peer.cluster.name
                        )
                    )
                    self.syncer_trust("active-active", state, database, peer, peer_name)

    def syncer_trust(
        self,
        kind: str,
        state: State,
        database: Database,
        peer: State,
        listed_as: str,
        label: str = "",
        hint: str = "",
    ) -> None:
        """`database` on `state` must trust `peer`'s current syncer certificate."""
        current = peer.cluster.syncer.certificate if peer.cluster.syncer else None
        if current is None or not database.tls.enabled:
            return
        if kind == "replica-of" and not database.tls.enforce_client_auth:
            return
        if current in database.tls.certificates:
            return
        known = state.participant(listed_as)
        held = known.syncer_certificate if known else None
        if held is not None and held in database.tls.certificates:
            problem = (
                f"{state.cluster.name} database {database.name} trusts a stale copy of "
                f"{peer.cluster.name}'s syncer certificate ({_short(held)}, current "
                f"{_short(current)}): the syncer certificate was replaced; paste the new one "
                f"from {peer.cluster.name}'s general settings"
            )
        else:
            problem = (
                f"{state.cluster.name} database {database.name} does not trust "
                f"{peer.cluster.name}'s syncer certificate ({_short(current)}): paste it from "
                f"{peer.cluster.name}'s general settings"
            )
        self.add(kind, label or database.name, state, peer, problem + hint, current)

    # -- Replica Of ----------------------------------------------------------------------

    def source_of(self, uri: str) -> tuple[State, Database] | None:
        host, _, port = uri.rpartition(":")
        host = host.strip("[]").lower().rstrip(".")
        for state in self.states:
            fqdn = state.cluster.fqdn.lower().rstrip(".")
            if host == fqdn or host.endswith("." + fqdn):
                for database in state.databases:
                    if str(database.port) == port:
                        return state, database
        return None

    def replica_of(self) -> None:
        for replica_state in self.states:
            for replica in replica_state.databases:
                for source in replica.replica_sources:
                    found = self.source_of(source.uri)
                    if found is None:
                        self.report.notes.append(
                            f"{replica_state.cluster.name}: the Replica Of source {source.uri} "
                            f"of {replica.name} is in none of the given state files"
                        )
                        continue
                    self.link(replica_state, replica, source, *found)

    def link(self, replica_state, replica, source, source_state: State, origin: Database) -> None:
        kind, label = "replica-of", f"{origin.name} -> {replica.name}"
        ours, theirs = replica_state.cluster.name, source_state.cluster.name
        self.report.pairs.add((ours, theirs))
        self.report.pairs.add((theirs, ours))
        self.report.links.append(MeshLink(kind, label, ours, theirs))
        proxy = source_state.cluster.proxy
        current = proxy.certificate if proxy else None
        if requires_tls_for_replication(origin) and not source.encryption:
            self.add(
                kind,
                label,
                replica_state,
                source_state,
                f"{ours} database {replica.name} reaches its source {source.uri} without "
                f"encryption, but {theirs} database {origin.name} requires TLS: turn "
                f"encryption on and paste {theirs}'s proxy certificate",
                current,
            )
        if source.encryption and not requires_tls_for_replication(origin):
            self.add(
                kind,
                label,
                source_state,
                replica_state,
                f"{ours} database {replica.name} reaches its source with encryption, but "
                f"{theirs} database {origin.name} does not require TLS for Replica Of",
                None,
            )
        if source.encryption and current is not None:
            accepted = {current, *(proxy.chain if proxy else [])}
            if source.server_certificate not in accepted:
                stale = source.server_certificate is not None
                what = (
                    f"holds a stale or different certificate for its source "
                    f"({_short(source.server_certificate)}), not {theirs}'s current proxy "
                    f"certificate ({_short(current)})"
                    if stale
                    else f"holds no certificate for its source, not {theirs}'s proxy "
                    f"certificate ({_short(current)})"
                )
                self.add(
                    kind,
                    label,
                    replica_state,
                    source_state,
                    f"{ours} database {replica.name} {what}: paste the proxy certificate "
                    f"from {theirs}'s general settings",
                    current,
                )
        if requires_tls_for_replication(origin):
            listed = self.listed_name(source_state, replica_state)
            hint = (
                ""
                if listed in origin.replica_clusters
                else f" (and name {listed} among its replica clusters: db replicas "
                f"{origin.name} --add {listed})"
            )
            self.syncer_trust(kind, source_state, origin, replica_state, listed, label, hint)

    @staticmethod
    def listed_name(state: State, peer: State) -> str:
        """The name under which `state` knows `peer` (a participant by name or FQDN)."""
        for name in (peer.cluster.name, peer.cluster.fqdn):
            if state.participant(name) is not None:
                return name
        return peer.cluster.name


def check_mesh(states: list[State]) -> MeshReport:
    """Every broken pair across the given clusters' states (see the module's docstring)."""
    names = [s.cluster.name for s in states]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    mesh = _Mesh(states)
    if duplicates:
        mesh.report.notes.append(
            f"cluster {', '.join(duplicates)} is given more than once; each state file should "
            "be a different cluster"
        )
    mesh.active_active()
    mesh.replica_of()
    return mesh.report


def peer_files(state_path: str | os.PathLike[str]) -> list[Path]:
    """Other clusters' state files kept beside this one (`peers/*.toml`), as the demo
    writes them: what the Mesh screen offers to check before anything is typed."""
    folder = Path(state_path).parent / "peers"
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def load_states(paths: Sequence[str | os.PathLike[str]]) -> list[State]:
    """Each state file, validated like any other (StateFileError names the bad one)."""
    from .store import load

    return [load(path) for path in paths]
