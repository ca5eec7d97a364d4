"""Crash safety: a process saving the state in a loop is killed with SIGKILL at random
moments; after every kill the file loads and is exactly one of the revisions saved.

What makes this hold is store.write_atomic (temporary file, fsync, rename, fsync of the
folder) and the lock; what breaks it is any in-place write or a rename before the data
is flushed. The child is crash_child.py; its `mutate` says what each revision holds.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crash_child import mutate
from reliability_helpers import child_env, sizes

from bench.states import write_state
from state import store
from state.errors import StateFileError

CHILD = Path(__file__).with_name("crash_child.py")
DATABASES = 200  # ~90 KB: each save takes long enough for kills to land inside writes


def _expected(base: store.State, revision: int) -> str:
    """The exact text revision `revision` must have (the clock is fixed for the child)."""
    state = mutate(base, revision) if revision > base.revision else base.copy()
    state.revision = revision
    if revision > base.revision:
        state.change = f"loop {revision}"
        state.saved_at = "2026-11-28T18:00:00+00:00"
        state.prune_certificates()
    return store.dumps(state)


def _run_until_killed(path: Path, rng: random.Random) -> tuple[int, float]:
    """Start the child, let it save for a random while, SIGKILL it; the last revision it
    reported and how long it ran."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(fixed_clock=True),
    )
    assert child.stdout is not None
    ready = child.stdout.readline()
    assert ready == b"ready\n", child.stderr.read().decode() if child.stderr else ready
    # The kill window is timed from the child's own first completed save, not from its
    # start: on a loaded machine the first save can take longer than any fixed delay.
    first = child.stdout.readline()
    assert first.strip().isdigit(), child.stderr.read().decode() if child.stderr else first
    delay = rng.uniform(0.0, 0.2)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err.decode()
    assert b"Traceback" not in err, err.decode()
    printed = [int(first), *(int(line) for line in out.split())]
    return printed[-1], delay


@pytest.mark.parametrize("kills", sizes(30, 300))
def test_kill_during_saves_leaves_one_saved_revision(
    tmp_path: Path, kills: int, reliability_report
):
    path = write_state(tmp_path / "tls-wizard.toml", DATABASES)
    base = store.load(path)
    assert store.dumps(base) == path.read_text(), "the generated state does not round-trip"
    rng = random.Random(7)
    on_disk = base.revision
    saves = 0
    landed_in_write = 0
    for kill in range(kills):
        temporaries_before = len(list(tmp_path.rglob("*.tmp")))
        reported, _ = _run_until_killed(path, rng)
        try:
            loaded = store.load(path)
        except StateFileError as error:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"kill {kill + 1}: the state no longer loads: {error}")
        # It is the last revision the child reported, or the one after it (saved, but
        # killed before it could print); never older, never a mix.
        last = reported
        assert loaded.revision in (last, last + 1), (kill, on_disk, reported, loaded.revision)
        assert loaded.revision >= on_disk
        text = path.read_text()
        assert text == _expected(base, loaded.revision), f"kill {kill + 1}: content differs"
        saves += loaded.revision - on_disk
        on_disk = loaded.revision
        if len(list(tmp_path.rglob("*.tmp"))) > temporaries_before:
            landed_in_write += 1
    # Every kept history file is a whole, loadable revision, the one its name says, and not
    # newer than the file (equal when a kill came after the copy, before the new file).
    history = sorted(store.history_folder(path).glob("*.toml"))
    assert history, "no save happened: the kills came too early to test anything"
    for file in history:
        kept = store.load(file).revision
        assert kept == int(file.stem.rsplit("-", 1)[1]) and kept <= on_disk, file.name
    # Not vacuous: every run completed at least one save before its kill window opened.
    assert saves >= kills, f"only {saves} saves in {kills} runs: a run saved nothing"
    leftovers = len(list(tmp_path.rglob("*.tmp")))
    assert leftovers <= 1, "orphaned temporary files pile up: a save must remove them"
    reliability_report(
        f"{kills} SIGKILLs during {saves} saves; the file loaded and equalled a saved "
        f"revision after every one; {landed_in_write} kills landed inside an atomic write "
        f"(of the state or its history copy) and left a temporary file; the next save "
        f"removed it ({leftovers} left at the end)"
    )
