"""`tls-wizard apply redis DB --url ...` and `tls-wizard verify DB --host H --port P`.

redis-py and the target modules are imported inside the handlers, so every other command
starts without them.
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from ..text import visible
from .common import print_json, subcommand_group, workspace


def _client_options(parser: argparse.ArgumentParser, *, repeatable: bool) -> None:
    action = "append" if repeatable else "store"
    more = "; repeat the pair for more clients" if repeatable else ""
    parser.add_argument(
        "--client-cert",
        action=action,
        metavar="FILE",
        help=f"a client certificate (leaf, then intermediates){more}",
    )
    parser.add_argument(
        "--client-key", action=action, metavar="FILE", help="the key of --client-cert"
    )
    parser.add_argument(
        "--ca",
        metavar="FILE",
        help="CA certificates to verify the server with (default: the cluster's proxy certificate)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    targets = subcommand_group(subparsers, "apply", "apply the state to a live server")
    redis = targets.add_parser(
        "redis",
        help="apply a database's TLS settings to a running redis-server (CONFIG SET)",
        description="Compare the database's TLS settings with the server (CONFIG GET), write "
        "the certificate files the server reads, and apply them with CONFIG SET: the TLS "
        "files and port go in one command (no moment without a listener, the TLS context "
        "rebuilt from the new files), the TLS port is checked with a real handshake before "
        "the plaintext port closes, and any failure, timeout or signal restores the "
        "previous values and checks them before saying so. The password comes from "
        "REDISCLI_AUTH, --password-file or --ask-password, never from the URL.",
    )
    redis.add_argument("database")
    redis.add_argument(
        "--url",
        required=True,
        help="the admin connection: redis://[USER@]HOST:PORT or rediss://... (no password)",
    )
    password = redis.add_mutually_exclusive_group()
    password.add_argument(
        "--password-file",
        metavar="FILE",
        help="read the password from the first line of FILE (mode 0600); default: the "
        "REDISCLI_AUTH environment variable",
    )
    password.add_argument(
        "--ask-password", action="store_true", help="prompt for the password (not echoed)"
    )
    redis.add_argument(
        "--tls-dir",
        metavar="DIR",
        help="where to write the files the server reads (default: tls/db-UID beside the "
        "state file); the server must be able to read them",
    )
    redis.add_argument(
        "--file-owner", metavar="USER", help="owner of the written files (root only)"
    )
    redis.add_argument(
        "--file-group",
        metavar="GROUP",
        help="group of the written files, e.g. the server's (redis): keys become 0640 and "
        "the TLS folder 0750 with that group; never readable by others",
    )
    redis.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    redis.add_argument(
        "--rewrite", action="store_true", help="persist with CONFIG REWRITE afterwards"
    )
    redis.add_argument(
        "--allow-replicaof-change",
        action="store_true",
        help="allow apply to change the server's replication role (REPLICAOF): without "
        "it, apply refuses to promote a replica or to make a primary a replica",
    )
    redis.add_argument(
        "--tls-port",
        type=int,
        metavar="PORT",
        help="TLS port in 'Replica Of only' mode (default: database port + 10000)",
    )
    redis.add_argument(
        "--link-timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="how long a Replica Of link may take to come up (default 15)",
    )
    redis.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how long the server may take to answer one command before apply rolls back "
        "(default 5)",
    )
    redis.add_argument("--json", action="store_true", help="print the result as JSON")
    _client_options(redis, repeatable=False)
    redis.set_defaults(handler=run_apply_redis, parser=redis)

    verify = subparsers.add_parser(
        "verify",
        help="check a running server with live TLS handshakes",
        description="Live checks against a server that serves the database: each passes or "
        "fails with its reason. Exit 1 when any check fails.",
    )
    verify.add_argument("database")
    verify.add_argument("--host", required=True)
    verify.add_argument(
        "--port", type=int, help="the database port clients use (default: the database's port)"
    )
    verify.add_argument(
        "--tls-port",
        type=int,
        metavar="PORT",
        help="in 'Replica Of only' mode, the TLS replication port (default: --port + 10000, "
        "as apply opens it)",
    )
    verify.add_argument(
        "--server-name",
        metavar="NAME",
        help="the name the server certificate must match (default: --host)",
    )
    verify.add_argument("--json", action="store_true", help="print the checks as JSON")
    _client_options(verify, repeatable=True)
    verify.set_defaults(handler=run_verify, parser=verify)


def _pairs(args: argparse.Namespace):
    from ..targets.redis_apply import credential

    certs = args.client_cert or []
    keys = args.client_key or []
    if isinstance(certs, str) or isinstance(keys, str):
        certs, keys = [certs] if certs else [], [keys] if keys else []
    if len(certs) != len(keys):
        args.parser.error("give --client-cert and --client-key together, one key per certificate")
    return [credential(c, k) for c, k in zip(certs, keys, strict=True)]


def _password(args: argparse.Namespace) -> str | None:
    """From a 0600 file, a prompt, or REDISCLI_AUTH (as redis-cli); never from the URL."""
    from ..errors import WizardError
    from ..targets.redis_admin import password_from_environment, read_password_file

    if args.password_file:
        return read_password_file(args.password_file)
    if args.ask_password:
        import getpass

        try:
            return getpass.getpass("Redis password: ") or None
        except (EOFError, KeyboardInterrupt):
            raise WizardError("no password typed; nothing was changed") from None
    return password_from_environment()


def run_apply_redis(args: argparse.Namespace) -> int:
    from ..targets.redis_apply import AdminConnection, apply_database, check_url, read_ca_file
    from ..targets.redis_files import file_owner

    check_url(args.url)
    if not args.timeout > 0:
        args.parser.error("--timeout must be more than 0 seconds")
    ws = workspace(args)
    pairs = _pairs(args)
    admin = AdminConnection(
        args.url,
        pairs[0] if pairs else None,
        read_ca_file(args.ca),
        password=_password(args),
        timeout=args.timeout,
    )
    progress = None if args.json else (lambda m: _say(f"... {visible(m)}"))
    result = apply_database(
        ws,
        args.database,
        admin,
        tls_dir=args.tls_dir,
        tls_port=args.tls_port,
        dry_run=args.dry_run,
        rewrite=args.rewrite,
        link_timeout=args.link_timeout,
        allow_replicaof_change=args.allow_replicaof_change,
        owner=file_owner(args.file_owner, args.file_group),
        progress=progress,
    )
    try:
        if args.json:
            print_json(result.as_dict())
        else:
            print_apply_result(result)
    except BrokenPipeError:
        raise  # a reader that went away (`| head`): the CLI's own quiet 141
    except OSError:
        pass  # the terminal went away (SIGHUP): the server state is what matters, and done
    return 0 if result.ok else 1


def _say(text: str) -> None:
    with contextlib.suppress(OSError):
        print(text, file=sys.stderr)


def _here(text: str) -> str:
    """Paths under the current folder, shown relative to it (the server gets absolute ones)."""
    import os

    return text.replace(os.getcwd() + os.sep, "")


def print_apply_result(result) -> None:
    print(
        f"database {visible(result.database)} on {visible(result.url)} ({visible(result.server)})"
    )
    width = max((len(c.setting) for c in result.changes), default=7)
    print(f"  {'SETTING':<{width}}  {'CURRENT':<28}  DESIRED")
    for change in result.changes:
        mark = "*" if change.changed else " "
        current = _here(change.current) if change.current != "" else "''"
        desired = _here(change.desired) if change.desired != "" else "''"
        print(f"{mark} {change.setting:<{width}}  {current:<28}  {desired}")
    if result.not_enforced:
        print("not enforced by this target:")
        for setting, detail in result.not_enforced:
            print(f"  - {setting}: {visible(detail)}")
    for note in result.notes:
        print(f"note: {visible(note)}")
    for warning in result.warnings:
        print(f"WARNING: {visible(warning)}")
    if result.dry_run:
        count = len(result.pending)
        print(f"dry run: {count} setting(s) would change; nothing was written or applied")
        return
    for path in result.files:
        print(f"file: {_here(path)}")
    for line in result.log:
        print(_here(line))
    if result.outcome == "rolled-back":
        print(
            f"tls-wizard: apply failed and was rolled back (checked with CONFIG GET): "
            f"{visible(result.error)}; reach the server at {visible(result.reach)}",
            file=sys.stderr,
        )
    elif result.error:
        print(f"tls-wizard: apply failed: {visible(result.error)}", file=sys.stderr)
    elif not result.applied:
        print(
            f"nothing to change: the server already matches the database; {visible(result.reach)}"
        )
    else:
        rewritten = "; persisted with CONFIG REWRITE" if result.rewritten else ""
        print(
            f"applied {len(result.applied)} step(s){rewritten}; reach the server at "
            f"{visible(result.reach)}"
        )
        if result.not_persisted:
            print(f"WARNING: {visible(result.not_persisted)}")


def run_verify(args: argparse.Namespace) -> int:
    from ..targets.redis_apply import read_ca_file
    from ..targets.verify import verify_database

    for option, value in (("--port", args.port), ("--tls-port", args.tls_port)):
        if value is not None and not 1 <= value <= 65535:
            args.parser.error(f"{option} {value} is not a port (1-65535)")
    ws = workspace(args)
    report = verify_database(
        ws.state,
        args.database,
        args.host,
        args.port,
        read_key=ws.read_key,
        clients=_pairs(args),
        ca_pem=read_ca_file(args.ca),
        server_name=args.server_name,
        tls_port=args.tls_port,
    )
    if args.json:
        print_json(report.as_dict())
    else:
        print_verify_report(report)
    return 0 if report.ok else 1


def print_verify_report(report) -> None:
    """The checks, one line each; a port line is already a sentence of its own."""
    from ..vocabulary import TlsMode

    mode = TlsMode.parse(report.mode)
    label = mode.label if mode is not None else "TLS disabled"
    print(f"verify {visible(report.database)} on {visible(report.host)}:{report.port} ({label})")
    for check in report.checks:
        verdict = "PASS" if check.passed else "FAIL"
        line = (
            check.reason if check.name in ("port", "tls-port") else f"{check.title}: {check.reason}"
        )
        print(f"  {verdict}  {visible(line)}")
    for setting, detail in report.not_enforced:
        print(f"  NOTE  {visible(setting)} is not enforced by this target: {visible(detail)}")
    passed = sum(check.passed for check in report.checks)
    print(f"{passed} of {len(report.checks)} checks passed")
