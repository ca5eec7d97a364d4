"""`export rladmin|rest`, `import rest` and `apply enterprise`: Redis Enterprise from the CLI.

The renderings are the ones the Review step shows; `apply enterprise` imports httpx in
its handler, so every other command starts without it.
"""

from __future__ import annotations

import argparse
import sys

from ..text import visible
from .common import print_findings, subcommand_group, workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    exports = subcommand_group(subparsers, "export", "render the state for another tool")
    rladmin = exports.add_parser(
        "rladmin", help="rladmin commands for the cluster certificates and TLS version"
    )
    rladmin.add_argument("database", nargs="?", metavar="DB", help="only this database")
    rladmin.add_argument(
        "--out", metavar="DIR", help="write the certificate and key files they name (keys 0600)"
    )
    rladmin.set_defaults(handler=run_export_rladmin)

    rest = exports.add_parser("rest", help="REST requests as curl lines (or --json)")
    rest.add_argument("database", nargs="?", metavar="DB", help="only this database")
    rest.add_argument("--json", action="store_true", help="the request bodies as JSON")
    _version_options(rest)
    rest.set_defaults(handler=run_export_rest)

    imports = subcommand_group(subparsers, "import", "create a state from another tool's data")
    importer = imports.add_parser(
        "rest", help="a new state from the JSON of GET /v1/bdbs (and GET /v1/cluster)"
    )
    importer.add_argument("--bdbs", required=True, metavar="FILE", help="GET /v1/bdbs response")
    importer.add_argument("--cluster", metavar="FILE", help="GET /v1/cluster response")
    importer.add_argument(
        "--nodes", metavar="FILE", help="GET /v1/nodes response (the cluster's version)"
    )
    importer.add_argument("--name", help="the cluster's name when there is no --cluster file")
    importer.add_argument(
        "--plan",
        action="store_true",
        help="write nothing: compare with the state file and print what applying it would change",
    )
    importer.set_defaults(handler=run_import_rest)

    applies = subcommand_group(subparsers, "apply", "apply the state to a live target")
    enterprise = applies.add_parser(
        "enterprise", help="send the REST requests to a Redis Enterprise cluster"
    )
    enterprise.add_argument("database", nargs="?", metavar="DB", help="only this database")
    enterprise.add_argument("--url", required=True, help="the REST API, https://HOST:9443")
    enterprise.add_argument("--user", required=True, help="the API user (an e-mail address)")
    enterprise.add_argument(
        "--ca", metavar="FILE", help="the cluster's API certificate, when it is self-signed"
    )
    enterprise.add_argument(
        "--dry-run", action="store_true", help="let the cluster validate (?dry_run); change nothing"
    )
    _version_options(enterprise)
    enterprise.set_defaults(handler=run_apply_enterprise)


def _version_options(parser: argparse.ArgumentParser) -> None:
    """Overrides of the forms the cluster's version chooses (`cluster config version`)."""
    parser.add_argument(
        "--legacy-names",
        action="store_true",
        help="send SAN names as authorized_names alone (the form before 6.4.2)",
    )
    endpoint = parser.add_mutually_exclusive_group()
    endpoint.add_argument(
        "--certificates-endpoint",
        dest="certificates_endpoint",
        action="store_const",
        const=True,
        default=None,
        help="one PUT /v1/cluster/certificates (7.22 and later; the default from 7.22.2)",
    )
    endpoint.add_argument(
        "--update-cert",
        dest="certificates_endpoint",
        action="store_const",
        const=False,
        help="PUT /v1/cluster/update_cert per certificate (the default before 7.22.2 and "
        "when the version is not known)",
    )


def run_export_rladmin(args: argparse.Namespace) -> int:
    from ..enterprise.rladmin import render_rladmin, write_rladmin

    ws = workspace(args)
    if not args.out:
        print(render_rladmin(ws.state, args.database), end="")
        return 0
    export, written = write_rladmin(ws, args.out, args.database)
    print(export.text, end="")
    for path in written:
        print(f"wrote {visible(path)}", file=sys.stderr)
    return 0


def run_export_rest(args: argparse.Namespace) -> int:
    from ..enterprise.rest import render_curl, render_json, rest_export

    ws = workspace(args)
    state = ws.state
    export = rest_export(
        state,
        args.database,
        legacy_names=args.legacy_names,
        bulk_certificates=args.certificates_endpoint,
    )
    for request in export.requests:
        for role in request.key_files:
            ws.read_key(role)  # `jq --rawfile` names it: only a checked key beside the state
    if args.json:
        print(render_json(export), end="")
    else:
        print(render_curl(export, title=f"cluster {state.cluster.name}"), end="")
    return 0


def run_import_rest(args: argparse.Namespace) -> int:
    from ..enterprise.importer import import_to_new_state
    from ..rules import check_state
    from ..store import default_path

    if args.plan:
        return run_plan(args)
    ws, result = import_to_new_state(
        default_path(args.state), args.bdbs, args.cluster, name=args.name, nodes_file=args.nodes
    )
    state = ws.state
    print(
        f"imported cluster {visible(state.cluster.name)}: {len(state.databases)} database(s), "
        f"{len(state.participants)} participating cluster(s) into {visible(ws.path)}; "
        f"revision {state.revision}"
    )
    for note in result.notes:
        print(f"  note: {visible(note)}", file=sys.stderr)
    print_findings([f for f in check_state(state) if f.severity != "info"])
    return 0


def run_plan(args: argparse.Namespace) -> int:
    from ..enterprise.importer import plan_against_cluster
    from ..plan import render_diff

    ws = workspace(args)
    changes = plan_against_cluster(ws.state, args.bdbs, args.cluster)
    if changes:
        print(f"applying {visible(ws.path)} to the cluster would change:")
    print(render_diff(changes))
    return 0


def run_apply_enterprise(args: argparse.Namespace) -> int:
    from ..enterprise.client import apply, read_password

    ws = workspace(args)
    password = read_password(args.user, args.url)
    verb = "validating (dry run)" if args.dry_run else "applying"
    print(
        f"{verb} {visible(ws.path)} on {visible(args.url)} as {visible(args.user)}", file=sys.stderr
    )
    report = apply(
        ws,
        args.url,
        args.user,
        password,
        ca=args.ca,
        dry_run=args.dry_run,
        database_name=args.database,
        legacy_names=args.legacy_names,
        bulk_certificates=args.certificates_endpoint,
        report=lambda outcome: print(f"  {visible(outcome)}"),
        progress=lambda look: print(visible(look), file=sys.stderr),
    )
    for reason in report.skipped:
        print(f"  skipped: {visible(reason)}")
    for note in report.notes:
        print(f"  note: {visible(note)}")
    print(report.summary())
    return 1 if report.failed else 0
