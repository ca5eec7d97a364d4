"""Throwaway demo folders: removed by the process that made them, or once it is gone;
never a folder without the owner file, never another live process's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from state.demo import (
    OWNER_FILE,
    THROWAWAY_PREFIX,
    discard_stale_throwaways,
    discard_throwaway,
)


def _folder(root: Path, name: str, owner: int | None) -> Path:
    folder = root / f"{THROWAWAY_PREFIX}{name}"
    folder.mkdir()
    (folder / "tls-wizard.toml").write_text("# a state\n")
    if owner is not None:
        (folder / OWNER_FILE).write_text(f"{owner}\n")
    return folder


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_folders_of_gone_processes_are_removed_and_nothing_else(tmp_path: Path) -> None:
    gone = _folder(tmp_path, "gone", _dead_pid())
    alive = _folder(tmp_path, "alive", os.getppid())
    mine = _folder(tmp_path, "mine", os.getpid())
    unmarked = _folder(tmp_path, "unmarked", None)
    garbled = _folder(tmp_path, "garbled", None)
    (garbled / OWNER_FILE).write_text("not a pid\n")

    assert discard_stale_throwaways(tmp_path) == [gone]
    assert not gone.exists()
    assert alive.exists() and mine.exists() and unmarked.exists() and garbled.exists()


def test_discard_removes_only_a_folder_this_process_made(tmp_path: Path) -> None:
    mine = _folder(tmp_path, "mine", os.getpid())
    others = _folder(tmp_path, "others", os.getppid())
    users = tmp_path / "project"
    users.mkdir()
    (users / "tls-wizard.toml").write_text("# the user's own state\n")

    assert discard_throwaway(users / "tls-wizard.toml") is False
    assert discard_throwaway(others / "tls-wizard.toml") is False
    assert discard_throwaway(mine / "tls-wizard.toml") is True
    assert not mine.exists() and others.exists() and (users / "tls-wizard.toml").exists()
