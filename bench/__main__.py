"""`python -m bench [NAME ...]`: run every benchmark (or the named ones) in turn.

Each benchmark prints its figures, the reference it measured in the same run, the ratio
and whether its target is met. Names: state, inspect, startup, databases, targets.
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = {
    "state": "bench.state_bench",
    "inspect": "bench.inspect_bench",
    "startup": "bench.startup_bench",
    "databases": "bench.databases_bench",
    "targets": "bench.targets_bench",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; one of {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    failed = 0
    for name in names:
        try:
            module = importlib.import_module(BENCHMARKS[name])
        except ModuleNotFoundError as error:
            print(f"\n== {name}: not available ({error}) ==")
            failed += 1
            continue
        failed += bool(module.main())
    print(f"\nall benchmarks ran in {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
