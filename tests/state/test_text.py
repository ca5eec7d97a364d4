"""state.text: the one way out for untrusted text."""

from __future__ import annotations

import fcntl
import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from state.certificates.report import _COLOURS
from state.cli import BROKEN_PIPE_EXIT
from state.text import STYLE_SEQUENCES, OutputGuard, has_unsafe, visible, visible_lines
from state.transitions import create_database
from state.workspace import Workspace

UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def test_every_control_format_and_separator_character_is_escaped():
    missed = [
        f"U+{code:04X}"
        for code in range(0x110000)
        if unicodedata.category(chr(code)) in UNSAFE_CATEGORIES and not has_unsafe(chr(code))
    ]
    assert missed == []


def test_printable_text_passes_unchanged():
    text = "app.example.com CN=Zoë [bold]x[/] 数据库 \\x1b é"
    assert visible(text) == text
    assert visible_lines(text) == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]2;owned\x07", "\\x1b]2;owned\\x07"),
        ("\x1b]52;c;aGk=\x1b\\", "\\x1b]52;c;aGk=\\x1b\\"),
        ("a\r\x1b[2Kb", "a\\r\\x1b[2Kb"),
        ("line\nforged", "line\\nforged"),
        ("tab\there", "tab\\there"),
        ("\x9b31m", "\\x9b31m"),
        ("\x7f", "\\x7f"),
        ("abc\u202edef", "abcU+202Edef"),
        ("\u2066x\u2069", "U+2066xU+2069"),
        ("\u2028", "U+2028"),
        ("\udcff", "U+DCFF"),
        ("\U000e0041", "U+E0041"),
    ],
)
def test_visible_escapes(raw, shown):
    assert visible(raw) == shown


def test_visible_lines_keeps_only_newline_and_tab():
    assert visible_lines("a\tb\nc\r\x1b[1m") == "a\tb\nc\\r\\x1b[1m"


def test_guard_lets_only_the_tools_own_colours_through():
    out = io.StringIO()
    guard = OutputGuard(out)
    print("plain \x1b[31mred\x1b[0m", file=guard)
    guard.write_styled("\x1b[31mred\x1b[0m \x1b[2J \x1b[38;5;1m \x1b]8;;https://e.com\x1b\\x\n")
    assert out.getvalue() == (
        "plain \\x1b[31mred\\x1b[0m\n"
        "\x1b[31mred\x1b[0m \\x1b[2J \\x1b[38;5;1m \\x1b]8;;https://e.com\\x1b\\x\n"
    )


def test_the_inspectors_colours_are_the_guards():
    assert {f"\x1b[{code}m" for code in _COLOURS.values()} | {"\x1b[0m"} <= STYLE_SEQUENCES


def _cli_into_head(*args: str) -> subprocess.CompletedProcess:
    """`tls-wizard ARGS | head -c 1`: the reader goes away after the first byte."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("TLS_WIZARD_STATE", None)
    reader, writer = os.pipe()
    fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, 4096)  # the smallest: any longer output must block
    child = subprocess.Popen(
        [sys.executable, "-m", "state.cli", *args], stdout=writer, stderr=subprocess.PIPE, env=env
    )
    os.close(writer)
    assert os.read(reader, 1)
    os.close(reader)
    _, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, b"", err)


@pytest.fixture
def many_databases(initialized):
    """A state whose `db list` is far longer than the pipe's buffer (4 KiB)."""
    workspace = Workspace.open(initialized)

    def create_many(state):
        for number in range(100):
            state = create_database(state, f"database-{number}", 10000 + number)
        return state

    workspace.update(create_many, "many databases")
    return initialized


def test_a_reader_that_goes_away_ends_the_command_quietly(many_databases):
    done = _cli_into_head("--state", str(many_databases), "db", "list")
    assert done.stderr == b""
    assert done.returncode == BROKEN_PIPE_EXIT


def test_the_inspector_into_a_closed_pipe_is_quiet_too(many_databases):
    bundle = many_databases.parent / "bundle.pem"
    pem = (Path(__file__).parents[1] / "fixtures/demo/samples/app1.pem").read_bytes()
    bundle.write_bytes(pem * 20)
    done = _cli_into_head("inspect", str(bundle))
    assert done.stderr == b""
