"""The headless CLI: `tls-wizard [--state PATH] COMMAND`, the same operations as the screens.

Exit codes: 0 ok, 1 refused or failed, 2 usage. Errors are one line on stderr.
Everything a command prints goes through `state.text.OutputGuard`: no control character
from a name, a certificate or a state file reaches the terminal raw. A reader that goes
away (`| head`) ends the command quietly with 141, as a process killed by SIGPIPE would.
Command modules import their heavy dependencies inside their handlers, so `inspect` and
friends start fast and never import Textual.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Iterator, Sequence

from ..text import OutputGuard, visible

BROKEN_PIPE_EXIT = 141
"""128 + SIGPIPE: what the shell reports for a writer whose reader went away."""

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


FAST_COMMANDS: dict[str, tuple[str, ...]] = {"inspect": ("state.cli.inspect_cmd",)}
"""Commands whose own module is enough to parse them. Scripts run these often, so the
parser is built with that module only (building every command's parser costs ~17 ms)."""


def modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules `argv` needs: none to start the wizard, the command's own for
    FAST_COMMANDS, and every one otherwise (--help, usage errors, the other commands)."""
    base = _Parser(prog="tls-wizard", add_help=False, exit_on_error=False)
    base.add_argument("--state")
    base.add_argument("--demo", action="store_true")
    try:
        _, rest = base.parse_known_args(argv)
    except argparse.ArgumentError:
        return COMMAND_MODULES  # the full parser reports it
    if not rest:
        return ()
    return FAST_COMMANDS.get(rest[0], COMMAND_MODULES)


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
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
        help="work on a throwaway demo state in a temporary folder, removed at the end "
        "(`tls-wizard demo DIR` writes one to keep)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    with guarded_output():
        try:
            code = _main(argv)
            sys.stdout.flush()
        except BrokenPipeError:
            return _reader_gone()
    return code


def _run(args: argparse.Namespace) -> int:
    """The command, or the wizard when there is none."""
    if not args.command:
        from tui.app import run_app

        from ..store import default_path

        return run_app(default_path(args.state), demo=args.demo)
    return int(args.handler(args) or 0)


def _on_throwaway_demo(args: argparse.Namespace) -> int:
    """`--demo`: a fresh demo state in a temporary folder, removed when the command or the
    wizard ends (and those of earlier runs that were killed). `tls-wizard demo DIR` keeps one."""
    from ..demo import build_demo, discard_stale_throwaways, discard_throwaway

    discard_stale_throwaways()
    args.state = str(build_demo())
    try:
        if args.command:
            print(
                f"demo state: {visible(args.state)} (removed when this command ends; "
                "`tls-wizard demo DIR` writes one to keep)",
                file=sys.stderr,
            )
        return _run(args)
    finally:
        discard_throwaway(args.state)


def _main(argv: list[str]) -> int:
    from ..errors import WizardError

    parser = build_parser(modules_for(argv))
    args = parser.parse_args(argv)
    try:
        if args.demo:
            return _on_throwaway_demo(args)
        return _run(args)
    except BrokenPipeError:
        raise
    except WizardError as error:
        return fail(str(error))
    except ValueError as error:
        return fail(str(error))
    except RecursionError:
        return fail("the input is nested too deeply to read; nothing was changed")
    except OSError as error:
        where = f"{visible(error.filename)}: " if error.filename else ""
        return fail(f"{where}{error.strerror or error}")
    except KeyboardInterrupt:
        return fail("interrupted")


@contextlib.contextmanager
def guarded_output() -> Iterator[None]:
    """stdout and stderr behind an OutputGuard for the length of one command (restored
    after, so a test or a caller that runs several commands keeps its own streams)."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, OutputGuard):
        sys.stdout = OutputGuard(sys.stdout)
    if not isinstance(sys.stderr, OutputGuard):
        sys.stderr = OutputGuard(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _reader_gone() -> int:
    """Nothing more can be written to stdout: point it at /dev/null so the interpreter's
    last flush cannot print "Broken pipe" either, and end with the SIGPIPE status."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        if sys.__stdout__ is not None:  # None when the interpreter started without stdout
            os.dup2(devnull, sys.__stdout__.fileno())
    return BROKEN_PIPE_EXIT


def fail(message: str) -> int:
    print(f"tls-wizard: {visible(message)}", file=sys.stderr)
    return 1


def run() -> None:
    sys.exit(main())
