"""The plan: what changes between two states, object by object and field by field.

The Review step shows it before Update (saved against pending), and an import compares a
cluster's state against the file. Values are rendered as short strings so the diff reads
the same on screen, in the CLI and in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .model import (
    ClusterCertificate,
    Database,
    ReplicaSource,
    State,
    Subject,
    TlsSettings,
    subject_text,
)
from .text import visible

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one object that differs; `before`/`after` are "" for added/removed objects."""

    object: str
    field: str
    before: str
    after: str
    kind: ChangeKind

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.object}.{self.field}: {self.after}"
        if self.kind == "removed":
            return f"- {self.object}.{self.field}: {self.before}"
        return f"~ {self.object}.{self.field}: {self.before} -> {self.after}"


def _short(sha: str) -> str:
    return sha[:12]


def _certificates(shas: list[str]) -> str:
    return ", ".join(_short(s) for s in shas) if shas else "none"


def _bool(value: bool) -> str:
    return "yes" if value else "no"


def _list(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


def _subjects(subjects: list[Subject]) -> str:
    if not subjects:
        return "none"
    return "; ".join(subject_text(s) for s in subjects)


def _source(source: ReplicaSource) -> str:
    """One Replica Of source in a line: where, whether encrypted, and the certificate held."""
    if not source.encryption:
        return f"{source.uri} (no encryption)"
    cert = _short(source.server_certificate) if source.server_certificate else "no server cert"
    sni = f", SNI {source.sni}" if source.sni else ""
    return f"{source.uri} (encryption, {cert}{sni})"


_TLS_VALUES: dict[str, Callable[[Any], str]] = {
    "enabled": _bool,
    "mode": lambda mode: mode.label,
    "enforce_client_auth": _bool,
    "certificates": _certificates,
    "subject_validation": str,
    "authorized_names": _list,
    "authorized_subjects": _subjects,
}
"""How each TLS field reads in the plan; the fields and their order come from TlsSettings."""


def tls_fields(tls: TlsSettings) -> dict[str, str]:
    """`tls.<field>` -> its value as the plan shows it, for every field of TlsSettings."""
    return {f"tls.{name}": _TLS_VALUES[name](getattr(tls, name)) for name in tls.field_names()}


def database_fields(database: Database) -> dict[str, str]:
    """The fields of a database as the plan shows them, in the order of the console's form."""
    return {
        "port": str(database.port),
        "type": database.type,
        "replica_clusters": _list(database.replica_clusters),
        "replica_of": _list([_source(s) for s in database.replica_sources]),
        "participants": _list(database.participants),
        **tls_fields(database.tls),
    }


def _cluster_certificate(ref: ClusterCertificate | None) -> str:
    if ref is None:
        return "none"
    chain = f" + chain {_certificates(ref.chain)}" if ref.chain else ""
    return f"{_short(ref.certificate)} (key {ref.key_file}){chain}"


def cluster_fields(state: State) -> dict[str, str]:
    cluster = state.cluster
    return {
        "name": cluster.name,
        "fqdn": cluster.fqdn,
        "min_data_tls_version": cluster.min_data_tls_version,
        "proxy": _cluster_certificate(cluster.proxy),
        "syncer": _cluster_certificate(cluster.syncer),
    }


def _diff_fields(
    name: str, before: dict[str, str] | None, after: dict[str, str] | None
) -> list[FieldChange]:
    if before is None and after is not None:
        return [FieldChange(name, k, "", v, "added") for k, v in after.items()]
    if after is None and before is not None:
        return [FieldChange(name, k, v, "", "removed") for k, v in before.items()]
    assert before is not None and after is not None
    return [
        FieldChange(name, key, before.get(key, ""), value, "changed")
        for key, value in after.items()
        if before.get(key) != value
    ]


def _by_name(items: list[Any], key: str) -> dict[str, Any]:
    return {getattr(item, key): item for item in items}


def diff_states(before: State, after: State) -> list[FieldChange]:
    """Every difference, cluster first, then participants, then databases in `after`'s order."""
    changes = _diff_fields("cluster", cluster_fields(before), cluster_fields(after))
    old_participants = _by_name(before.participants, "name")
    new_participants = _by_name(after.participants, "name")
    for name in [*new_participants, *(n for n in old_participants if n not in new_participants)]:
        old, new = old_participants.get(name), new_participants.get(name)
        changes += _diff_fields(
            f"participants.{name}",
            {"syncer_certificate": _short(old.syncer_certificate)} if old else None,
            {"syncer_certificate": _short(new.syncer_certificate)} if new else None,
        )
    old_databases = _by_name(before.databases, "name")
    new_databases = _by_name(after.databases, "name")
    for name in [*new_databases, *(n for n in old_databases if n not in new_databases)]:
        old, new = old_databases.get(name), new_databases.get(name)
        changes += _diff_fields(
            f"databases.{name}",
            database_fields(old) if old else None,
            database_fields(new) if new else None,
        )
    return changes


def diff_database(before: State, after: State, name: str) -> list[FieldChange]:
    """The changes of one database (what the TLS wizard's Review step shows)."""
    prefix = f"databases.{name}"
    return [c for c in diff_states(before, after) if c.object == prefix]


def render_diff(changes: list[FieldChange]) -> str:
    """A readable diff grouped by object; "no changes" when there are none."""
    if not changes:
        return "no changes"
    lines: list[str] = []
    current = None
    for change in changes:
        if change.object != current:
            current = change.object
            lines.append(f"{visible(current)}:")
        if change.kind == "added":
            lines.append(f"  + {visible(change.field)}: {visible(change.after)}")
        elif change.kind == "removed":
            lines.append(f"  - {visible(change.field)}: {visible(change.before)}")
        else:
            lines.append(
                f"  ~ {visible(change.field)}: {visible(change.before)} -> {visible(change.after)}"
            )
    return "\n".join(lines)
