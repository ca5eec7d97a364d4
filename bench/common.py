"""Timing helpers shared by the benchmarks: medians of repeated runs, subprocess wall
times, peak memory, and one way of printing a figure against its reference and target.

Every benchmark measures its reference in the same invocation, interleaved with the
thing measured, so a busy machine slows both and the ratio stays meaningful.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
"""Runs per figure; the median is reported. BENCH_RUNS raises it (never below 5)."""
RUNS = max(RUNS, 5)
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Timing:
    """The runs of one measurement, in seconds."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def ms(self) -> str:
        spread = f"{min(self.runs) * 1000:.1f}-{max(self.runs) * 1000:.1f}"
        return f"{self.median * 1000:8.1f} ms (median of {len(self.runs)}, range {spread})"


def time_call(function: Callable[[], object], runs: int = RUNS) -> Timing:
    """The median wall time of `function()`, garbage collected before each run."""
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return Timing(tuple(times))


def interleaved(
    measured: Callable[[], float], reference: Callable[[], float], runs: int = RUNS
) -> tuple[Timing, Timing]:
    """Run both `runs` times, alternating, each returning its own time in seconds."""
    ours, theirs = [], []
    for _ in range(runs):
        theirs.append(reference())
        ours.append(measured())
    return Timing(tuple(ours)), Timing(tuple(theirs))


def wall(
    command: Sequence[str], *, shell: bool = False, env: dict | None = None, stdin=None
) -> float:
    """Wall time of a subprocess from spawn to exit; fails loudly if it fails."""
    start = time.perf_counter()
    done = subprocess.run(
        command if not shell else command[0],
        shell=shell,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=stdin,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: the inspector found errors, still a full run
        raise RuntimeError(f"{command} exited {done.returncode}: {done.stderr.decode()[-400:]}")
    return elapsed


def peak_memory(function: Callable[[], object]) -> int:
    """Peak bytes allocated by Python objects while `function()` runs (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def mib(size: int) -> str:
    return f"{size / 1024 / 1024:7.1f} MiB"


def verdict(value: float, target: float, *, unit: str = "x", lower_is_better: bool = True) -> str:
    met = value <= target if lower_is_better else value >= target
    sign = "<=" if lower_is_better else ">="
    return f"target {sign} {target:g}{unit}: {'met' if met else 'MISSED'}"


def heading(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def python() -> str:
    return sys.executable


def env(**extra: str) -> dict[str, str]:
    result = dict(os.environ)
    result.update(NO_COLOR="1")
    result.update(extra)
    return result
