"""What the command modules share: opening the state and printing results.

Every command module imports this one when the parser is built, so it imports nothing
heavy at load time: the core (transitions, workspace, store, cryptography) is imported
inside the functions, and `tls-wizard inspect` or `--help` never pay for what they do not
use.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..findings import Finding
    from ..model import Database, State
    from ..workspace import Workspace


def workspace(args: argparse.Namespace) -> Workspace:
    from ..store import default_path
    from ..workspace import Workspace

    return Workspace.open(default_path(args.state))


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def print_findings(findings: list[Finding], stream=None) -> None:
    stream = stream or sys.stderr
    from ..text import visible

    for finding in findings:
        print(f"  {visible(finding)}", file=stream)


def database_json(database: Database) -> dict[str, Any]:
    """The documented `db show --json` shape: the state file's table without bookkeeping."""
    from ..schema import database_document

    document = database_document(database)
    del document["created_with_tls"]
    document["replica_of"] = [
        {
            "uri": source.uri,
            "encryption": source.encryption,
            "server_cert": source.server_certificate,
            "sni": source.sni or None,
        }
        for source in database.replica_sources
    ]
    return document


def cluster_json(state: State) -> dict[str, Any]:
    from ..certificates import describe_pem

    result: dict[str, Any] = {
        "name": state.cluster.name,
        "fqdn": state.cluster.fqdn,
        "min_data_tls_version": state.cluster.min_data_tls_version,
        "version": state.cluster.version or None,
    }
    for role in ("proxy", "syncer"):
        ref = state.cluster.certificate(role)
        if ref is None:
            result[role] = None
            continue
        info = describe_pem(state.certificates[ref.certificate])
        result[role] = {
            "sha256": ref.certificate,
            "not_after": info.not_after.isoformat().replace("+00:00", "Z"),
            "key_file": ref.key_file,
        }
    result["participants"] = [
        {"name": p.name, "syncer_certificate": p.syncer_certificate} for p in state.participants
    ]
    return result


def subcommand_group(
    subparsers: argparse._SubParsersAction, name: str, help: str
) -> argparse._SubParsersAction:
    """The sub-commands of `name` (created on first use), so several modules can add targets
    to one command, as `apply redis` and `apply enterprise` do."""
    parser = subparsers.choices.get(name)
    if parser is None:
        parser = subparsers.add_parser(name, help=help)
        parser.set_defaults(_groups={})
        group = parser.add_subparsers(dest=f"{name}_target", metavar="TARGET", required=True)
        _GROUPS[name] = group
    return _GROUPS[name]


_GROUPS: dict[str, argparse._SubParsersAction] = {}
