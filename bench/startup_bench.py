"""Start-up to the first frame: the wizard on a 200-database state against a bare
Textual app (Header, Static, Footer), both started as Python processes in an 80x24
pseudo-terminal and timed from spawn to the first full-screen paint.

Target: at most 1.3x the bare app.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import ROOT, env, heading, interleaved, python, verdict
from bench.states import write_state
from bench.terminal import time_to_first_frame

DATABASES = 200
TARGET = 1.3


def main() -> int:
    heading("start-up: first frame, 200 databases vs a bare Textual app (bench/startup_bench.py)")
    with tempfile.TemporaryDirectory(prefix="tls-wizard-bench-") as folder:
        state = write_state(Path(folder) / "tls-wizard.toml", DATABASES)
        children = env(PYTHONPATH=str(ROOT))
        children.pop("TLS_WIZARD_NOW", None)
        wizard = [python(), "-m", "state.cli", "--state", str(state)]
        bare = [python(), "-m", "bench.bare_app"]
        time_to_first_frame(wizard, env=children)  # compile .pyc files, warm the cache
        time_to_first_frame(bare, env=children)
        ours, reference = interleaved(
            lambda: time_to_first_frame(wizard, env=children),
            lambda: time_to_first_frame(bare, env=children),
        )
    ratio = ours.median / reference.median
    print(f"  wizard, {DATABASES} databases   {ours.ms()}")
    print(f"  reference: bare Textual app {reference.ms()}")
    print(f"  ratio {ratio:.2f}x; {verdict(ratio, TARGET)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
