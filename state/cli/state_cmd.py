"""Commands over the whole state: init, demo, check, history, rollback."""

from __future__ import annotations

import argparse
import sys

from ..text import visible
from .common import print_json, workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    init = subparsers.add_parser("init", help="create a new state with self-signed certificates")
    init.add_argument("--name", required=True, help="the cluster's name")
    init.add_argument("--fqdn", help="the cluster's FQDN (default: the name)")
    init.add_argument(
        "--ip",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="an IP address clients connect by, added to the self-signed proxy and syncer "
        "certificates (clients that check host names refuse a server whose certificate "
        "lacks it); repeat for more",
    )
    init.add_argument(
        "--dns",
        action="append",
        default=[],
        metavar="NAME",
        help="a DNS name clients connect by, added like --ip; repeat for more",
    )
    init.set_defaults(handler=run_init)

    demo = subparsers.add_parser(
        "demo",
        help="write the demo state (a cluster, four databases, sample client certificates) "
        "into a new folder, to keep",
    )
    demo.add_argument("folder", metavar="DIR", help="a folder that does not exist or is empty")
    demo.set_defaults(handler=run_demo)

    check = subparsers.add_parser("check", help="run every rule over the state; exit 1 on errors")
    check.add_argument("--json", action="store_true", help="print the findings as JSON")
    check.add_argument(
        "--mesh",
        nargs="+",
        metavar="STATE",
        help="check several clusters' state files together: every Active-Active database and "
        "Replica Of link between them; exit 1 on any broken pair",
    )
    check.set_defaults(handler=run_check)

    history = subparsers.add_parser("history", help="list the kept revisions")
    history.add_argument("--json", action="store_true")
    history.set_defaults(handler=run_history)

    rollback = subparsers.add_parser("rollback", help="restore a kept revision as a new revision")
    rollback.add_argument("revision", type=int, metavar="REV")
    rollback.set_defaults(handler=run_rollback)


def run_init(args: argparse.Namespace) -> int:
    from ..store import default_path
    from ..transitions import server_addresses
    from ..workspace import init_state

    path = default_path(args.state)
    addresses = server_addresses(args.ip, args.dns)
    created = init_state(path, args.name, args.fqdn, addresses)
    cluster = created.state.cluster
    print(
        f"created {visible(path)} for cluster {visible(cluster.name)} (fqdn {visible(cluster.fqdn)})"
    )
    print(
        f"self-signed proxy and syncer certificates; keys in {visible(created.folder / 'keys')} (0600)"
    )
    if addresses:
        print(f"  they also carry {', '.join(map(visible, addresses))}")
    else:
        print(
            "  they carry DNS names only: clients that check host names (redis-py by default) "
            "and connect by an IP address need --ip ADDRESS (or connect by a name they carry)"
        )
    return 0


def run_mesh(args: argparse.Namespace) -> int:
    from ..mesh import check_mesh
    from ..store import load

    report = check_mesh([load(path) for path in args.mesh])
    if args.json:
        print_json([problem.as_json() for problem in report.problems])
        return 0 if report.ok else 1
    print(f"mesh of {len(report.clusters)} clusters: {visible(', '.join(report.clusters))}")
    for problem in report.problems:
        print(
            f"✗ {problem.kind} {visible(problem.database)}: {visible(problem.cluster)} -> "
            f"{visible(problem.peer)}: {visible(problem.problem)}"
        )
    for note in report.notes:
        print(f"note: {visible(note)}")
    if report.ok:
        print(f"✓ every pair trusts the current certificates ({len(report.pairs)} checked)")
    else:
        print(f"{len(report.problems)} broken pair(s) of {len(report.pairs)} checked")
    return 0 if report.ok else 1


def run_check(args: argparse.Namespace) -> int:
    from ..findings import sort_findings
    from ..rules import check_state_with_certificates

    if args.mesh:
        return run_mesh(args)
    ws = workspace(args)
    findings = sort_findings(check_state_with_certificates(ws.state) + ws.key_findings())
    if args.json:
        print_json([f.as_dict() for f in findings])
    else:
        for finding in findings:
            print(visible(finding))
        counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
        print(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes")
    return 1 if any(f.severity == "error" for f in findings) else 0


def run_history(args: argparse.Namespace) -> int:
    from ..store import default_path, history_with_notes

    revisions, notes = history_with_notes(default_path(args.state))
    for note in notes:
        print(f"note: {visible(note)}", file=sys.stderr)
    if args.json:
        print_json(
            [
                {
                    "revision": r.revision,
                    "saved_at": r.saved_at,
                    "change": r.change,
                    "current": r.current,
                }
                for r in revisions
            ]
        )
        return 0
    for r in revisions:
        marker = "*" if r.current else " "
        print(f"{marker} {r.revision:>5}  {visible(r.saved_at or '-'):<25}  {visible(r.change)}")
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    from ..store import default_path, rollback

    saved = rollback(default_path(args.state), args.revision)
    print(f"restored revision {args.revision} as revision {saved.revision}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..demo import build_demo

    folder = Path(args.folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        print(
            f"tls-wizard: {visible(folder)} exists and is not an empty folder; "
            "name a new folder for the demo",
            file=sys.stderr,
        )
        return 1
    path = build_demo(folder)
    print(f"demo state written: {visible(path)}")
    print(f"next: cd {visible(folder)} && tls-wizard   (the state file is ./tls-wizard.toml)")
    return 0
