"""The real binary in a real terminal (tmux): the wizard starts on a state that trusts
certificates carrying the hostile corpus, the operator walks through the screens, and the
pane's title, tmux's paste buffers (OSC 52) and the captured pane show nothing injected."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import SEQUENCES, payloads, raw_controls, sample
from hostile_certs import FIELDS, hostile_certificate
from reliability_helpers import child_env, in_process

DEMO = Path(__file__).parents[1] / "fixtures" / "demo"
CSI = r"\x1b\[[0-9;:?<=>]*[ -/]*[@-~]"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class Tmux:
    """One private tmux server (its own socket), stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.socket = str(folder / "tmux.sock")

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    def capture(self) -> str:
        return self("capture-pane", "-p", "-e", "-t", "wizard")

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.capture()
            if text in screen:
                return screen
            time.sleep(0.3)
        raise AssertionError(f"{text!r} never showed:\n{self.capture()}")


def test_the_wizard_in_tmux_shows_hostile_text_inert(tmp_path: Path):
    folder = tmp_path / "state"
    shutil.copytree(DEMO, folder)
    state = folder / "tls-wizard.toml"
    certificates = [hostile_certificate(p, f) for p in sample(payloads(), 17) for f in FIELDS]
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"".join(c.pem for c in certificates))
    assert (
        in_process("--state", str(state), "db", "tls", "orders", "--add-cert", str(bundle)).code
        == 0
    )

    tmux = Tmux(tmp_path)
    env = child_env()
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", str(Path(__file__).parents[2]))
    command = " ".join(
        [f"{k}={v!r}" for k, v in (("PYTHONPATH", env["PYTHONPATH"]), ("TERM", "xterm-256color"))]
        + [sys.executable, "-m", "state.cli", "--state", str(state)]
    )
    tmux("-f", "/dev/null", "new-session", "-d", "-s", "wizard", "-x", "120", "-y", "40")
    try:
        tmux("set-option", "-g", "set-clipboard", "on")
        tmux("set-option", "-g", "allow-rename", "on")
        tmux("select-pane", "-t", "wizard", "-T", "before")
        tmux("send-keys", "-t", "wizard", command, "Enter")
        screens = [tmux.wait_for("orders")]
        for keys, shows in (
            (["Enter"], "TLS"),  # the wizard on orders: its certificates
            (["C-n"], ""),
            (["C-n"], ""),
            (["C-n"], ""),
            (["Escape"], ""),
            (["c"], "Cluster certificates"),
            (["Escape"], ""),
            (["h"], "History"),
            (["Escape"], ""),
        ):
            tmux("send-keys", "-t", "wizard", *keys)
            time.sleep(1.5)
            screens.append(tmux.wait_for(shows) if shows else tmux.capture())
        title = tmux("display-message", "-p", "-t", "wizard", "#{pane_title}").strip()
        buffers = tmux("list-buffers")
        tmux("send-keys", "-t", "wizard", "q")
        time.sleep(1)
    finally:
        tmux("kill-server")
    assert title == "before", f"the pane was retitled to {title!r}"
    assert buffers.strip() == "", f"OSC 52 set tmux's clipboard: {buffers!r}"
    for screen in screens:
        assert "\x1b]" not in screen
        leftover = re.sub(CSI, "", screen)
        assert raw_controls(leftover) == [], raw_controls(leftover)
        assert "PWNED-TITLE" not in title
    shown = "\n".join(screens)
    plain_text = re.sub(CSI, "", shown)
    assert re.search(r"\\x[0-9a-f]{2}|U\+[0-9A-F]{4}", plain_text), "nothing hostile showed"
    assert SEQUENCES["osc-title"] not in shown
