"""`tls-wizard db ...`: databases and their TLS settings (the console's TLS form)."""

from __future__ import annotations

import argparse

from ..text import visible
from ..vocabulary import DatabaseType, SubjectValidation, TlsMode
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
        choices=TlsMode.values(),
        help="; ".join(f"{mode}: {mode.label}" for mode in TlsMode),
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


class _SourceAction(argparse.Action):
    """`--replica-of HOST:PORT` starts a source; the `--source-*` options after it set that
    source, so several sources can be given each with its own encryption and certificate."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:
        sources = getattr(namespace, "sources", None) or []
        if self.dest == "uri":
            sources.append({"uri": value})
        elif not sources:
            parser.error(
                f"{option_string} applies to the source just named: give --replica-of "
                "HOST:PORT before it"
            )
        else:
            sources[-1][self.dest] = True if self.nargs == 0 else value
        namespace.sources = sources


def _source_options(create: argparse.ArgumentParser) -> None:
    create.set_defaults(sources=[])
    create.add_argument(
        "--replica-of",
        action=_SourceAction,
        dest="uri",
        metavar="HOST:PORT",
        help="a Replica Of source (the replica side); repeatable, each followed by its options",
    )
    create.add_argument(
        "--source-encryption",
        action=_SourceAction,
        dest="encryption",
        nargs=0,
        help="the source just named is reached over TLS (Encrypt replica database traffic)",
    )
    create.add_argument(
        "--source-cert",
        action=_SourceAction,
        dest="server_cert",
        metavar="FILE",
        help="the source cluster's proxy certificate (from its general settings), for the "
        "source just named",
    )
    create.add_argument(
        "--source-sni",
        action=_SourceAction,
        dest="sni",
        metavar="NAME",
        help="the TLS SNI name for the source just named (replication_tls_sni)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="databases and their TLS settings")
    commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)

    create = commands.add_parser("create", help="create a database (TLS under Advanced Options)")
    create.add_argument("name")
    create.add_argument("--port", type=int, required=True)
    create.add_argument("--type", choices=DatabaseType.values(), default=DatabaseType.STANDARD)
    create.add_argument(
        "--participant",
        action="append",
        default=[],
        metavar="CLUSTER",
        help="a participating cluster (active-active); repeatable",
    )
    create.add_argument(
        "--replica-cluster",
        action="append",
        default=[],
        metavar="CLUSTER",
        help="a known cluster hosting a replica of this database (the source side; its "
        "syncer certificate must be trusted); repeatable",
    )
    _source_options(create)
    _tls_options(create)
    create.set_defaults(handler=run_create)

    replicas = commands.add_parser(
        "replicas", help="the clusters hosting a replica of a database (the source side)"
    )
    replicas.add_argument("name")
    replicas.add_argument("--add", action="append", default=[], metavar="CLUSTER")
    replicas.add_argument("--remove", action="append", default=[], metavar="CLUSTER")
    replicas.set_defaults(handler=run_replicas)

    source = commands.add_parser(
        "source", help="one Replica Of source of a database (the replica side)"
    )
    source.add_argument("name")
    source.add_argument("uri", metavar="HOST:PORT")
    encryption = source.add_mutually_exclusive_group()
    encryption.add_argument(
        "--encryption", dest="encryption", action="store_const", const=True, default=None
    )
    encryption.add_argument("--no-encryption", dest="encryption", action="store_const", const=False)
    source.add_argument(
        "--server-cert",
        metavar="FILE",
        help="the source cluster's proxy certificate (or its CA), from its general settings",
    )
    source.add_argument("--sni", metavar="NAME", help="TLS SNI name (replication_tls_sni)")
    source.set_defaults(handler=run_source)

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
    from ..transitions import TlsUpdate

    change = TlsUpdate(
        enabled=args.enabled,
        mode=args.mode,
        enforce_client_auth=args.client_auth,
        remove_certificates=list(args.remove_cert),
    )
    for file in args.add_cert:
        change.add_certificates.extend(read_certificate_file(file))
    if args.san is not None:
        change.subject_validation = SubjectValidation.SAN
        change.authorized_names = parse_name_list(args.san)
    elif args.no_san:
        change.subject_validation = SubjectValidation.NONE
    return change


def _server_certificate(file: str | None):
    """The one certificate of a --source-cert/--server-cert file (the source's proxy
    certificate, or its CA)."""
    from ..certificates import read_certificate_file
    from ..errors import WizardError

    if file is None:
        return None
    certificates = read_certificate_file(file)
    if len(certificates) != 1:
        raise WizardError(
            f"{file}: holds {len(certificates)} certificates; give the source cluster's proxy "
            "certificate (or its CA) alone"
        )
    return certificates[0]


def run_create(args: argparse.Namespace) -> int:
    from ..transitions import SourceUpdate, create_database

    ws = workspace(args)
    change = tls_change(args)
    sources = [
        SourceUpdate(
            source["uri"],
            encryption=source.get("encryption"),
            server_certificate=_server_certificate(source.get("server_cert")),
            sni=source.get("sni"),
        )
        for source in args.sources
    ]
    ws.update(
        lambda s: create_database(
            s,
            args.name,
            args.port,
            type=args.type,
            participants=args.participant,
            tls=change,
            replica_clusters=args.replica_cluster,
            sources=sources,
        ),
        f"db create {args.name}",
    )
    database = ws.state.database(args.name)
    assert database is not None
    tls = "TLS " + (database.tls.mode if database.tls.enabled else "off")
    print(
        f"created database {visible(database.name)} (uid {database.uid}, port {database.port}, {tls}); "
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
            f"{d.uid:>4}  {visible(d.name):<16} {d.port:>5}  {d.type:<13} {tls:<11} {auth:<5} "
            f"{len(d.tls.certificates):>5}  {d.tls.subject_validation}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..certificates import describe_pem
    from ..rules import check_database
    from ..tls_effect import client_auth_effect, mode_effect

    state = workspace(args).state
    database = state.require_database(args.name)
    if args.json:
        print_json(database_json(database))
        return 0
    tls = database.tls
    print(f"{visible(database.name)} (uid {database.uid}, port {database.port}, {database.type})")
    if database.replica_clusters:
        print(
            f"  replica clusters (source side): {', '.join(map(visible, database.replica_clusters))}"
        )
    for source in database.replica_sources:
        encryption = "encryption" if source.encryption else "no encryption"
        cert = (
            f", server cert {source.server_certificate[:16]}" if source.server_certificate else ""
        )
        sni = f", SNI {visible(source.sni)}" if source.sni else ""
        print(f"  Replica Of {visible(source.uri)}: {encryption}{cert}{sni}")
    if database.participants:
        print(f"  participants: {', '.join(map(visible, database.participants))}")
    print(f"  TLS: {tls.mode.label if tls.enabled else 'disabled'}")
    print(f"    {mode_effect(tls)}")
    print(f"  enforce client authentication: {'yes' if tls.enforce_client_auth else 'no'}")
    if tls.enabled:
        print(f"    {client_auth_effect(tls)}")
    print(
        f"  subject validation: {tls.subject_validation}"
        + (f" ({', '.join(map(visible, tls.authorized_names))})" if tls.authorized_names else "")
    )
    print(f"  certificates: {len(tls.certificates)}")
    for sha in tls.certificates:
        print(f"    {sha[:16]}  {visible(describe_pem(state.certificates[sha]).short())}")
    for finding in check_database(state, database):
        print(f"  {visible(finding)}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from ..transitions import remove_database

    ws = workspace(args)
    ws.update(lambda s: remove_database(s, args.name), f"db remove {args.name}")
    print(f"removed database {visible(args.name)}; revision {ws.state.revision}")
    return 0


def run_replicas(args: argparse.Namespace) -> int:
    from ..errors import WizardError
    from ..transitions import change_replica_clusters

    if not args.add and not args.remove:
        raise WizardError("nothing to change: give --add CLUSTER or --remove CLUSTER")
    ws = workspace(args)
    words = [*(f"add {c}" for c in args.add), *(f"remove {c}" for c in args.remove)]
    ws.update(
        lambda s: change_replica_clusters(s, args.name, add=args.add, remove=args.remove),
        f"db replicas {args.name}: " + ", ".join(words),
    )
    database = ws.state.database(args.name)
    assert database is not None
    listed = ", ".join(map(visible, database.replica_clusters)) or "none"
    print(f"replica clusters of {visible(args.name)}: {listed}; revision {ws.state.revision}")
    return 0


def run_source(args: argparse.Namespace) -> int:
    from ..errors import WizardError
    from ..transitions import SourceUpdate, change_source

    change = SourceUpdate(
        args.uri,
        encryption=args.encryption,
        server_certificate=_server_certificate(args.server_cert),
        sni=args.sni,
    )
    if change == SourceUpdate(args.uri):
        raise WizardError(
            "nothing to change: give --encryption/--no-encryption, --server-cert FILE or --sni NAME"
        )
    ws = workspace(args)
    ws.update(lambda s: change_source(s, args.name, change), f"db source {args.name} {args.uri}")
    print(
        f"updated Replica Of source {visible(args.uri)} of {visible(args.name)}; revision {ws.state.revision}"
    )
    return 0


def run_tls(args: argparse.Namespace) -> int:
    from ..errors import WizardError
    from ..transitions import change_tls

    ws = workspace(args)
    change = tls_change(args)
    if change.is_empty():
        raise WizardError("nothing to change: give at least one TLS option (see db tls --help)")
    ws.update(lambda s: change_tls(s, args.name, change), describe_change(args))
    print(f"updated TLS of {visible(args.name)}; revision {ws.state.revision}")
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
