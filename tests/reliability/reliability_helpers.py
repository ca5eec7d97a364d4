"""What the reliability tests share: quick/slow parameters, running the CLI as a user
would (a separate process), and taking a byte-exact picture of a state folder."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXED_NOW = "2026-11-28T18:00:00Z"


def sizes(quick: int, slow: int) -> list:
    """Parameters for a test's quick form (make test) and its slow form (make test-slow)."""
    return [
        pytest.param(quick, id=f"quick-{quick}"),
        pytest.param(slow, id=f"slow-{slow}", marks=pytest.mark.slow),
    ]


def child_env(*, fixed_clock: bool = False) -> dict[str, str]:
    """The environment of a child process: no colour, UTF-8, no inherited state path.

    The clock is real unless asked: certificates made by a test are valid from the
    moment they are made, so a fixed clock in the past would call them not yet valid.
    """
    env = dict(os.environ)
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8")
    env.pop("TLS_WIZARD_STATE", None)
    env.pop("TLS_WIZARD_NOW", None)
    if fixed_clock:
        env["TLS_WIZARD_NOW"] = FIXED_NOW
    return env


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.strip().splitlines()


def cli(*args: str, stdin: bytes | None = None, timeout: float = 60) -> Run:
    """`tls-wizard ARGS` in its own process, exactly as a script would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "state.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=child_env(),
        check=False,
    )
    return Run(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def folder_picture(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and mode: two equal pictures mean nothing
    was written, renamed, created or chmodded."""
    picture = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            picture[str(path.relative_to(folder))] = (path.read_bytes(), path.stat().st_mode)
    return picture


def in_process(*args: str) -> Run:
    """`tls-wizard ARGS` in this process; an exception the CLI does not turn into a
    message escapes and fails the test, as a traceback would."""
    from state.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
    return Run(code, out.getvalue(), err.getvalue())
