"""What every TUI test shares: one clock, one theme, fixed sizes and a fixed copy of the demo.

Snapshots must come out the same on every machine and every day, so:
- the clock is fixed (TLS_WIZARD_NOW and state.clock.set_now) a few days after the
  committed fixture certificates were made, well inside their validity;
- the app runs with the explicit theme and with the cursor not blinking;
- each test works on a fresh copy of the committed fixture state (tests/fixtures/demo).
  A snapshot test gets it always at the same path, so no random temporary path can reach
  a screenshot; every process that runs snapshot tests (xdist workers, runs side by side)
  takes turns on that path through a file lock. The other tests need no fixed path and
  each get their own folder, so they run in parallel.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_helpers import DEMO_FIXTURE

from state import clock
from tui.app import THEME, WizardApp

FIXED_NOW = "2026-12-01T12:00:00+00:00"
"""Three days after the fixture certificates were issued; they are valid for a year."""

SNAPSHOT_SIZE = (100, 32)
SMALL_SIZE = (80, 24)

WORK_ROOT = Path(tempfile.gettempdir()) / "tls-wizard-tui-tests"
WORK_DIR = WORK_ROOT / "demo"


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run with anyio's pytest plugin (mark modules `pytest.mark.anyio`) on asyncio."""
    return "asyncio"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every TUI test (and any process it starts) sees the same time."""
    monkeypatch.setenv("TLS_WIZARD_NOW", FIXED_NOW)
    clock.set_now(FIXED_NOW)
    yield FIXED_NOW
    clock.set_now(None)


@pytest.fixture
def fixed_workdir(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """An empty folder for the test's state: at the fixed path, held exclusively for the
    length of the test, when the test takes snapshots; else a folder of its own."""
    if "snap_compare" not in request.fixturenames:
        folder = tmp_path / "demo"
        folder.mkdir()
        yield folder
        return
    WORK_ROOT.mkdir(parents=True, exist_ok=True)
    lock = os.open(WORK_ROOT / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(WORK_DIR, ignore_errors=True)
        WORK_DIR.mkdir()
        yield WORK_DIR
    finally:
        shutil.rmtree(WORK_DIR, ignore_errors=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)


@pytest.fixture
def state_path(fixed_workdir: Path) -> Path:
    """A fresh copy of the committed demo state (keys, samples and history included)."""
    shutil.copytree(DEMO_FIXTURE, fixed_workdir, dirs_exist_ok=True)
    for key in fixed_workdir.rglob("*.key"):
        key.chmod(0o600)
    return fixed_workdir / "tls-wizard.toml"


@pytest.fixture
def samples(state_path: Path) -> Path:
    """The demo's sample certificates and keys: demo-ca, app1, app2 (.pem and .key)."""
    return state_path.parent / "samples"


@pytest.fixture
def make_app(state_path: Path) -> Callable[..., WizardApp]:
    """A factory for the app on the fixture state, theme fixed and cursor not blinking."""

    def make(path: Path | None = None) -> WizardApp:
        app = WizardApp(path or state_path, cursor_blink=False)
        assert app.theme == THEME
        return app

    return make


@pytest.fixture
def app(make_app: Callable[..., WizardApp]) -> WizardApp:
    return make_app()


@pytest.fixture
def empty_path(fixed_workdir: Path) -> Path:
    """Where a state file would go, with none there yet (the first-run screen)."""
    return fixed_workdir / "tls-wizard.toml"
