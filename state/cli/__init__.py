"""The headless CLI: `tls-wizard [--state PATH] COMMAND`, the same operations as the screens.

Exit codes: 0 ok, 1 refused or failed, 2 usage. Errors are one line on stderr.
Command modules import their heavy dependencies inside their handlers, so `inspect` and
friends start fast and never import Textual.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "state.cli.state_cmd",
    "state.cli.db_cmd",
    "state.cli.cluster_cmd",
    "state.cli.inspect_cmd",
    "state.cli.target_cmd",
    "state.cli.enterprise_cmd",
)


class _Parser(argparse.ArgumentParser):
    """argparse, with the program name fixed so messages read the same however it is started."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tls-wizard",
        description="Configure TLS for Redis databases, step by step. With no command, "
        "start the wizard.",
    )
    parser.add_argument(
        "--state",
        metavar="PATH",
        help="the state file (default: $TLS_WIZARD_STATE, then ./tls-wizard.toml)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="work on a throwaway demo state in a temporary folder",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from ..errors import WizardError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.demo:
            from ..demo import build_demo

            args.state = str(build_demo())
            if args.command:
                print(f"demo state: {args.state}", file=sys.stderr)
        if not args.command:
            from tui.app import run_app

            from ..store import default_path

            return run_app(default_path(args.state), demo=args.demo)
        return int(args.handler(args) or 0)
    except WizardError as error:
        return fail(str(error))
    except ValueError as error:
        return fail(str(error))
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        return fail(f"{where}{error.strerror or error}")
    except KeyboardInterrupt:
        return fail("interrupted")


def fail(message: str) -> int:
    print(f"tls-wizard: {message}", file=sys.stderr)
    return 1


def run() -> None:
    sys.exit(main())
