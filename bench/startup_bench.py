"""Start-up to the first frame: the wizard on a 200-database state against a bare
Textual app (Header, Static, Footer), both started as Python processes in an 80x24
pseudo-terminal and timed from spawn to the first full-screen paint.

Target: at most 1.3x the bare app.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.common import ROOT, RUNS, Timing, env, heading, interleaved, python, verdict, wall
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
            runs=max(RUNS, 9),
        )
        # Where the difference goes: the imports (a process that only imports), and the
        # app's own start (Pilot, in this process, imports already done).
        imports, bare_imports = interleaved(
            lambda: wall(
                [python(), "-c", "import state.cli, tui.app, tui.screens.databases"], env=children
            ),
            lambda: wall([python(), "-c", "import bench.bare_app"], env=children),
        )
        run, bare_run = _in_process(state)
    ratio = ours.median / reference.median
    print(f"  wizard, {DATABASES} databases   {ours.ms()}")
    print(f"  reference: bare Textual app {reference.ms()}")
    print(f"  ratio {ratio:.2f}x; {verdict(ratio, TARGET)}")
    print(
        f"  of which imports: wizard {imports.median * 1000:.0f} ms, bare "
        f"{bare_imports.median * 1000:.0f} ms; app start to first frame (Pilot, in-process): "
        f"wizard {run.median * 1000:.0f} ms, bare {bare_run.median * 1000:.0f} ms"
    )
    return 0


def _in_process(state: Path) -> tuple[Timing, Timing]:
    """First frame under Pilot in this process (imports excluded), both apps."""
    import asyncio

    from bench.bare_app import BareApp
    from bench.databases_bench import _drive
    from tui.app import WizardApp

    def wizard() -> float:
        return asyncio.run(_drive(lambda: WizardApp(state, cursor_blink=False), ()))[0]

    def bare() -> float:
        return asyncio.run(_drive(BareApp, ()))[0]

    wizard(), bare()  # warm
    return interleaved(wizard, bare)


if __name__ == "__main__":
    raise SystemExit(main())
