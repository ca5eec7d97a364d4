"""A crash in the wizard: exit status 1 and one line saying what happened, where, and that
the state file is as last saved (pending edits were not saved); the state file unchanged.

The crash is a real one: the wizard runs in tmux with one screen's handler replaced by a
function that raises, the way a bug would."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from hostile import raw_controls
from test_hostile_tmux import Tmux

DEMO = Path(__file__).parents[1] / "fixtures" / "demo"

CRASHING = (
    "import sys, tui.screens.history as h\n"
    "def boom(self):\n"
    "    raise KeyError('crash[/] \\x1b]2;PWNED\\x07')\n"
    "h.HistoryScreen.on_mount = boom\n"
    "from state.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_a_crash_is_one_line_exit_1_and_the_state_is_kept(tmp_path: Path):
    folder = tmp_path / "state"
    shutil.copytree(DEMO, folder)
    state = folder / "tls-wizard.toml"
    before = state.read_bytes()
    script = tmp_path / "crashing.py"
    script.write_text(CRASHING)
    tmux = Tmux(tmp_path)
    path = os.environ.get("PYTHONPATH", str(Path(__file__).parents[2]))
    command = (
        f"PYTHONPATH={path} TERM=xterm-256color {sys.executable} {script} --state {state} "
        "; echo EXIT=$?"
    )
    tmux("-f", "/dev/null", "new-session", "-d", "-s", "wizard", "-x", "120", "-y", "40")
    try:
        tmux("send-keys", "-t", "wizard", command, "Enter")
        tmux.wait_for("orders")
        tmux("send-keys", "-t", "wizard", "h")
        tmux.wait_for("EXIT=1", timeout=90)
        screen = tmux("capture-pane", "-p", "-J", "-t", "wizard")
    finally:
        tmux("kill-server")
    assert "EXIT=1" in screen
    after = screen[screen.rindex(str(script)) : screen.rindex("EXIT=1")].splitlines()[1:]
    lines = [line for line in after if line.strip()]
    assert len(lines) == 1, screen
    line = lines[0]
    assert "Traceback" not in screen
    assert raw_controls(line) == []
    assert "KeyError" in line and "crashing.py:" in line, line
    assert str(state) in line and "revision" in line and "not saved" in line, line
    assert state.read_bytes() == before


@pytest.mark.anyio
async def test_the_app_records_the_crash_instead_of_printing_a_traceback(tmp_path: Path):
    from tui.app import WizardApp, crash_line

    folder = tmp_path / "state"
    shutil.copytree(DEMO, folder)
    app = WizardApp(folder / "tls-wizard.toml", cursor_blink=False)

    def boom() -> None:
        raise ValueError("bad\nline")

    with pytest.raises(ValueError):
        async with app.run_test() as pilot:
            app.call_later(boom)
            await pilot.pause()
            time.sleep(0)
    assert app.return_code == 1
    assert app._exit_renderables == []  # Textual prints nothing of its own
    line = crash_line(app)
    assert "\n" not in line and "ValueError: bad\\nline" in line and "test_wizard_crash.py" in line


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
