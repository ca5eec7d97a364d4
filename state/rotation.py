"""What else must happen after this cluster's proxy or syncer certificate is replaced.

The product's "Update certificates" page (content/operate/rs/security/certificates/
updating-certificates.md) lists the follow-ups: every Active-Active database on the
modified cluster needs `crdb-cli crdb update --crdb-guid <GUID> --force`, and a Replica Of
replica must receive the source cluster's new proxy certificate ("Perform step 2 as quickly
as possible after performing step 1"). A new syncer certificate must likewise reach every
cluster that trusts this one's: the sources of its replicas and its Active-Active peers.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from .model import State


@dataclass(slots=True)
class FollowUps:
    """Commands to run (crdb-cli, shell-quoted) and steps on other clusters, in words.

    The text is raw: renderings and the CLI escape it for display like any other value.
    """

    commands: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [*self.commands, *self.steps]


def source_participant(state: State, uri: str) -> str | None:
    """The participant a Replica Of source belongs to (host equal to or inside its name)."""
    host = uri.rpartition(":")[0].strip("[]").lower()
    for participant in state.participants:
        name = participant.name.lower()
        if host == name or host.endswith("." + name):
            return participant.name
    return None


def _source_cluster(state: State, uri: str) -> str:
    return source_participant(state, uri) or f"the cluster of {uri}"


def follow_ups(state: State, role: str) -> FollowUps:
    """What a replaced `role` (proxy or syncer) certificate of this cluster still needs."""
    result = FollowUps()
    for database in state.databases:
        if not database.is_active_active:
            continue
        if database.crdb_guid:
            guid = shlex.quote(database.crdb_guid)
            result.commands.append(f"crdb-cli crdb update --crdb-guid {guid} --force")
        else:
            result.steps.append(
                f"crdb-cli crdb update --crdb-guid <GUID> --force for Active-Active database "
                f"{database.name} (its GUID: crdb-cli crdb list)"
            )
    for database in state.databases:
        if role == "proxy" and database.replica_clusters:
            clusters = ", ".join(database.replica_clusters)
            result.steps.append(
                f"give {clusters} the new proxy certificate: the replica of {database.name} "
                "there holds the old one (db source REPLICA HOST:PORT --server-cert proxy.pem)"
            )
        if role == "syncer":
            for source in database.replica_sources:
                result.steps.append(
                    f"{_source_cluster(state, source.uri)} must trust the new syncer certificate "
                    f"in the source of {database.name} ({source.uri})"
                )
            if database.is_active_active and database.participants:
                result.steps.append(
                    f"{', '.join(database.participants)} must trust the new syncer certificate "
                    f"in {database.name}"
                )
    return result
