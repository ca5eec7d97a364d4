"""The Databases screen with 5,000 databases: the first frame and the latency of one
filter keystroke, driven with Textual's Pilot in this process.

Reference, measured in the same run the same way: a bare Textual app (Header, Input,
Footer) for the first frame, and one keystroke into its Input (the floor any Textual
keystroke pays: event, handler, repaint). Target: under 100 ms per filter keystroke.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Input

from bench.common import Timing, heading, verdict
from bench.states import write_state

DATABASES = 5_000
SIZE = (80, 24)
TARGET_MS = 100.0
# Each keystroke narrows the filter: "d" still matches all 5,000 (the worst case), then
# fewer and fewer rows; the backspaces widen it again.
KEYS = ("d", "b", "-", "0", "1", "2", "backspace", "backspace", "backspace", "3")


class BareInputApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.theme = "textual-dark"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter")
        yield Footer()


async def _drive(make_app, keys, prelude=()) -> tuple[float, list[float], list[float]]:
    """Seconds to the first frame, and per keystroke (pressed, handled, screen repainted)
    the wall time and the CPU time.

    Pilot waits for the process to go idle by sleeping in small steps, so its wall time
    holds some sleeping; the CPU time is the work the keystroke caused, which is what a
    user waits for on a machine that is not busy with anything else.
    """
    start = time.perf_counter()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = time.perf_counter() - start
        await pilot.press(*prelude)  # untimed: "/" moves into the wizard's filter box
        walls, cpus = [], []
        for key in keys:
            began, cpu = time.perf_counter(), time.process_time()
            await pilot.press(key)
            await pilot.pause()
            walls.append(time.perf_counter() - began)
            cpus.append(time.process_time() - cpu)
    return first, walls, cpus


def _wizard(state: Path):
    from tui.app import WizardApp

    return lambda: WizardApp(state, cursor_blink=False)


def main(runs: int = 5) -> int:
    heading(f"Databases screen: {DATABASES:,} databases (bench/databases_bench.py)")
    with tempfile.TemporaryDirectory(prefix="tls-wizard-bench-") as folder:
        state = write_state(Path(folder) / "tls-wizard.toml", DATABASES)
        firsts, references = [], []
        walls: list[list[float]] = []
        cpus: list[list[float]] = []
        bare_walls, bare_cpus = [], []
        asyncio.run(_drive(_wizard(state), KEYS[:1]))  # import and warm once
        for _ in range(runs):
            reference_first, wall, cpu = asyncio.run(_drive(BareInputApp, ("tab", *KEYS)))
            references.append(reference_first)
            bare_walls.extend(wall[1:])
            bare_cpus.extend(cpu[1:])
            wizard_first, wall, cpu = asyncio.run(_drive(_wizard(state), KEYS, prelude=("slash",)))
            firsts.append(wizard_first)
            walls.append(wall)
            cpus.append(cpu)
    first, reference = Timing(tuple(firsts)), Timing(tuple(references))

    def per_key(runs_: list[list[float]]) -> list[float]:
        return [statistics.median(run[i] for run in runs_) * 1000 for i in range(len(KEYS))]

    wall_keys, cpu_keys = per_key(walls), per_key(cpus)
    bare_wall = statistics.median(bare_walls) * 1000
    bare_cpu = statistics.median(bare_cpus) * 1000
    worst_cpu, worst_wall = max(cpu_keys), max(wall_keys)
    median_cpu = statistics.median(cpu_keys)
    print(f"  first frame, wizard          {first.ms()}")
    print(
        f"  reference: bare Textual app  {reference.ms()}  "
        f"ratio {first.median / reference.median:.2f}x"
    )
    print(f"  filter keystrokes, median of {runs} runs each (CPU ms / wall ms):")
    print(
        "    "
        + "  ".join(
            f"{k}:{c:.0f}/{w:.0f}" for k, c, w in zip(KEYS, cpu_keys, wall_keys, strict=True)
        )
    )
    print(
        f"  keystroke CPU: median {median_cpu:.1f} ms, worst {worst_cpu:.1f} ms; "
        f"bare Input {bare_cpu:.1f} ms (ratio {median_cpu / bare_cpu:.2f}x)"
    )
    print(
        f"  keystroke wall incl. Pilot's idle polling: worst {worst_wall:.1f} ms; "
        f"bare Input {bare_wall:.1f} ms"
    )
    print(
        f"  worst keystroke {worst_cpu:.0f} ms of work; {verdict(worst_cpu, TARGET_MS, unit=' ms')}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
