"""The cluster-level settings as rladmin commands, word for word as the product documents them.

rladmin covers the proxy and syncer certificates and the minimum data TLS version; the
per-database TLS settings have no rladmin command, so the rendering points to the REST
export for them. With an output folder, the certificate and key files the commands name
are written there (keys 0600, atomically), ready to copy to a cluster node.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..errors import WizardError
from ..files import make_private_folder
from ..model import Database, State
from ..rotation import follow_ups
from ..store import write_atomic
from ..text import visible
from ..vocabulary import CertificateRole
from ..workspace import Workspace
from .rest import (
    SKIP_REASONS,
    aa_tls_command,
    cluster_certificate_status,
    min_tls_request,
    node_command_lines,
)

RESTART_SENTINEL = "supervisorctl restart sentinel_service"
KEY_MODE = 0o600
CERTIFICATE_MODE = 0o644


@dataclass(slots=True)
class RladminExport:
    """The script, and the files it names: file name -> (content, mode)."""

    text: str
    files: dict[str, tuple[bytes, int]] = field(default_factory=dict)


def _file_names(role: str) -> tuple[str, str]:
    return f"{role}.pem", f"{role}.key"


def render_rladmin(state: State, database_name: str | None = None, folder: str = "") -> str:
    """The rladmin commands for `state`; `folder` prefixes the file names they name."""
    if database_name is not None:
        state.require_database(database_name)
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    lines = [
        f"# rladmin commands for cluster {visible(state.cluster.name)}",
        "# Copy the certificate and key files to a cluster node (for example /tmp; never",
        "# overwrite the files in /etc/opt/redislabs), then run on that node:",
    ]
    if not folder:
        lines.append("# (`tls-wizard export rladmin --out DIR` writes the files they name)")
    installed: list[str] = []
    for role in CertificateRole:
        status = cluster_certificate_status(state.cluster.certificate(role))
        if status != "own":
            lines.append(f"# skipped: {SKIP_REASONS[status].format(role=role)}")
            continue
        cert_name, key_name = _file_names(role)
        lines.append(
            f"rladmin cluster certificate set {role} "
            f"certificate_file {shlex.quote(prefix + cert_name)} "
            f"key_file {shlex.quote(prefix + key_name)}"
        )
        installed.append(role)
    lines.extend(rotation_lines(state, installed))
    min_tls_request(state)  # refuses a value the cluster's version does not accept
    lines.append(
        f"rladmin cluster config min_data_TLS_version {state.cluster.min_data_tls_version}"
    )
    lines.append("# the discovery service picks up the minimum TLS version after this runs")
    lines.append('# on EVERY node of the cluster (tls-protocols: "on all cluster nodes"):')
    lines.append(RESTART_SENTINEL)
    chosen = (
        [d for d in state.databases if d.name == database_name]
        if database_name
        else list(state.databases)
    )
    commands = [c for c in (aa_tls_command(state, db) for db in chosen) if c is not None]
    lines.extend(node_command_lines(commands, commented=False)[1:])
    if chosen:
        lines.append("# Per-database TLS settings (mode, client certificates, subject")
        lines.append("# validation) have no rladmin command; use the REST export:")
        for db in chosen:
            lines.append(f"#   tls-wizard export rest {visible(shlex.quote(db.name))}")
            lines.extend(replica_side_lines(state, db))
    return "\n".join(lines) + "\n"


def rotation_lines(state: State, roles: list[str]) -> list[str]:
    """The follow-ups of replacing each certificate (updating-certificates page): the
    crdb-cli commands to run once both certificates are in, and the steps on other clusters."""
    lines: list[str] = []
    commands: list[str] = []
    for role in roles:
        steps = follow_ups(state, role)
        commands.extend(c for c in steps.commands if c not in commands)
        if steps.steps:
            lines.append(f"# after replacing the {role} certificate, on the other clusters:")
            lines.extend(f"#   {visible(step)}" for step in steps.steps)
    if commands:
        lines.insert(0, "# then, once for each Active-Active database (updating-certificates):")
        lines[1:1] = [visible(command) for command in commands]
    return lines


def replica_side_lines(state: State, database: Database) -> list[str]:
    """The replica side of Replica Of, which rladmin cannot set: what the REST export's
    `replica_sources` carries for `database`, so the script names it."""
    lines = []
    for source in database.replica_sources:
        if source.encryption:
            cert = source.server_certificate[:12] if source.server_certificate else "none"
            what = f"encryption true, server_cert {cert} (the source cluster's proxy certificate)"
            if source.sni:
                what += f", replication_tls_sni {source.sni}"
        else:
            what = "encryption false"
        lines.append(f"#     replica_sources {visible(source.uri)}: {visible(what)}")
    if database.replica_clusters:
        lines.append(
            "#     trusts the syncer certificates of "
            f"{visible(', '.join(database.replica_clusters))} (clusters hosting its replicas)"
        )
    return lines


def rladmin_export(
    workspace: Workspace, database_name: str | None = None, folder: str = ""
) -> RladminExport:
    """The script and the certificate/key files it names (read from the state and its keys)."""
    state = workspace.state
    export = RladminExport(render_rladmin(state, database_name, folder))
    for role in CertificateRole:
        if cluster_certificate_status(state.cluster.certificate(role)) != "own":
            continue
        cert_name, key_name = _file_names(role)
        export.files[cert_name] = (state.certificate_pem(role).encode(), CERTIFICATE_MODE)
        export.files[key_name] = (workspace.read_key(role), KEY_MODE)
    return export


class WrittenRladmin(NamedTuple):
    """The script write_rladmin rendered and the files it wrote beside it."""

    export: RladminExport
    written: list[Path]


def write_rladmin(
    workspace: Workspace, out: str | Path, database_name: str | None = None
) -> WrittenRladmin:
    """Write the files the commands name into `out` (keys 0600) and return the script.

    Every file is read before the first one is written, so a missing key leaves nothing
    half-written; each write is atomic.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise WizardError(f"{folder}: is a file; --out needs a folder")
    export = rladmin_export(workspace, database_name, str(out))
    make_private_folder(folder)
    written: list[Path] = []
    for name, (data, mode) in export.files.items():
        path = folder / name
        write_atomic(path, data, mode)
        written.append(path)
    return WrittenRladmin(export, written)
