"""`tls-wizard db ...`: databases and their TLS settings (the console's TLS form)."""

from __future__ import annotations

import argparse

from .common import database_json, print_json, workspace


def _tls_options(parser: argparse.ArgumentParser) -> None:
    enable = parser.add_mutually_exclusive_group()
    enable.add_argument(
        "--enable", dest="enabled", action="store_const", const=True, help="enable TLS"
    )
    enable.add_argument(
        "--disable", dest="enabled", action="store_const", const=False, help="disable TLS"
    )
    parser.add_argument(
        "--mode",
        choices=("all", "replica-of", "crdb"),
        help="all communications, Replica Of only, or CRDB only",
    )
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument(
        "--enforce-client-auth",
        dest="client_auth",
        action="store_const",
        const=True,
        help="require a trusted client certificate (the default)",
    )
    auth.add_argument(
        "--no-enforce-client-auth",
        dest="client_auth",
        action="store_const",
        const=False,
        help="encryption without client authentication",
    )
    parser.add_argument(
        "--add-cert",
        action="append",
        default=[],
        metavar="FILE",
        help="add every certificate in FILE (client certificate or CA); repeatable",
    )
    parser.add_argument(
        "--remove-cert",
        action="append",
        default=[],
        metavar="SHA256",
        help="remove a certificate by its SHA-256 (or a prefix of 8+ digits)",
    )
    san = parser.add_mutually_exclusive_group()
    san.add_argument(
        "--san",
        metavar="NAME,NAME,...",
        help="enforce Subject Alternative Name with these authorized names",
    )
    san.add_argument("--no-san", action="store_true", help="turn subject validation off")


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="databases and their TLS settings")
    commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)

    create = commands.add_parser("create", help="create a database (TLS under Advanced Options)")
    create.add_argument("name")
    create.add_argument("--port", type=int, required=True)
    create.add_argument("--type", choices=("standard", "active-active"), default="standard")
    create.add_argument(
        "--participant",
        action="append",
        default=[],
        metavar="CLUSTER",
        help="a participating cluster (active-active); repeatable",
    )
    create.add_argument(
        "--replica-of",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="a Replica Of source; repeatable",
    )
    _tls_options(create)
    create.set_defaults(handler=run_create)

    listing = commands.add_parser("list", help="list the databases")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)

    show = commands.add_parser("show", help="show one database")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    remove = commands.add_parser("remove", help="remove a database from the state")
    remove.add_argument("name")
    remove.set_defaults(handler=run_remove)

    tls = commands.add_parser("tls", help="change a database's TLS settings (one Update)")
    tls.add_argument("name")
    _tls_options(tls)
    tls.set_defaults(handler=run_tls)


def tls_change(args: argparse.Namespace):
    from ..certificates import read_certificate_file
    from ..names import parse_name_list
    from ..operations import TlsChange

    change = TlsChange(
        enabled=args.enabled,
        mode=args.mode,
        enforce_client_auth=args.client_auth,
        remove_certificates=list(args.remove_cert),
    )
    for file in args.add_cert:
        change.add_certificates.extend(read_certificate_file(file))
    if args.san is not None:
        change.subject_validation = "san"
        change.authorized_names = parse_name_list(args.san)
    elif args.no_san:
        change.subject_validation = "none"
    return change


def run_create(args: argparse.Namespace) -> int:
    from ..operations import create_database

    ws = workspace(args)
    change = tls_change(args)
    ws.update(
        lambda s: create_database(
            s,
            args.name,
            args.port,
            type=args.type,
            replica_of=args.replica_of,
            participants=args.participant,
            tls=change,
        ),
        f"db create {args.name}",
    )
    database = ws.state.database(args.name)
    assert database is not None
    tls = "TLS " + (database.tls.mode if database.tls.enabled else "off")
    print(
        f"created database {database.name} (uid {database.uid}, port {database.port}, {tls}); "
        f"revision {ws.state.revision}"
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    state = workspace(args).state
    if args.json:
        print_json([database_json(d) for d in state.databases])
        return 0
    print(
        f"{'UID':>4}  {'NAME':<16} {'PORT':>5}  {'TYPE':<13} {'TLS':<11} {'AUTH':<5} {'CERTS':>5}  SUBJECT"
    )
    for d in state.databases:
        tls = d.tls.mode if d.tls.enabled else "off"
        auth = "yes" if d.tls.enabled and d.tls.enforce_client_auth else "no"
        print(
            f"{d.uid:>4}  {d.name:<16} {d.port:>5}  {d.type:<13} {tls:<11} {auth:<5} "
            f"{len(d.tls.certificates):>5}  {d.tls.subject_validation}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..certificates import describe_pem
    from ..errors import WizardError
    from ..model import MODE_LABELS
    from ..rules import check_database

    state = workspace(args).state
    database = state.database(args.name)
    if database is None:
        raise WizardError(f"no database named {args.name!r}")
    if args.json:
        print_json(database_json(database))
        return 0
    tls = database.tls
    print(f"{database.name} (uid {database.uid}, port {database.port}, {database.type})")
    if database.replica_of:
        print(f"  Replica Of: {', '.join(database.replica_of)}")
    if database.participants:
        print(f"  participants: {', '.join(database.participants)}")
    print(f"  TLS: {MODE_LABELS[tls.mode] if tls.enabled else 'disabled'}")
    print(f"  enforce client authentication: {'yes' if tls.enforce_client_auth else 'no'}")
    print(
        f"  subject validation: {tls.subject_validation}"
        + (f" ({', '.join(tls.authorized_names)})" if tls.authorized_names else "")
    )
    print(f"  certificates: {len(tls.certificates)}")
    for sha in tls.certificates:
        print(f"    {sha[:16]}  {describe_pem(state.certificates[sha]).short()}")
    for finding in check_database(state, database):
        print(f"  {finding}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from ..operations import remove_database

    ws = workspace(args)
    ws.update(lambda s: remove_database(s, args.name), f"db remove {args.name}")
    print(f"removed database {args.name}; revision {ws.state.revision}")
    return 0


def run_tls(args: argparse.Namespace) -> int:
    from ..errors import WizardError
    from ..operations import change_tls

    ws = workspace(args)
    change = tls_change(args)
    if change.is_empty():
        raise WizardError("nothing to change: give at least one TLS option (see db tls --help)")
    ws.update(lambda s: change_tls(s, args.name, change), describe_change(args))
    print(f"updated TLS of {args.name}; revision {ws.state.revision}")
    return 0


def describe_change(args: argparse.Namespace) -> str:
    parts = []
    if args.enabled is not None:
        parts.append("enable TLS" if args.enabled else "disable TLS")
    if args.mode:
        parts.append(f"mode {args.mode}")
    if args.client_auth is not None:
        parts.append("enforce client auth" if args.client_auth else "no client auth")
    if args.add_cert:
        parts.append(f"add {len(args.add_cert)} certificate file(s)")
    if args.remove_cert:
        parts.append(f"remove {len(args.remove_cert)} certificate(s)")
    if args.san is not None:
        parts.append(f"SAN {args.san}")
    if args.no_san:
        parts.append("no SAN")
    return f"db tls {args.name}: " + ", ".join(parts)
