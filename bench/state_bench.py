"""State load + all rules + save at 1,000 and 10,000 databases: times and peak memory.

Reference: parsing and writing the same TOML text with tomllib and tomli-w alone, the
floor any TOML-backed store pays; the ratio says what validation and the model cost on
top. Targets: load + check <= 0.5 s at 1,000 databases, and growth no worse than linear
(the time per database at 10,000 no more than 1.25x the time per database at 1,000).
"""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import tomli_w

from bench.common import heading, interleaved, mib, peak_memory, time_call, verdict
from bench.states import write_state
from state import clock, store
from state.rules import check_state, check_state_with_certificates

SIZES = (1_000, 10_000)
TARGET_1000 = 0.5
TARGET_GROWTH = 1.25


def _measure(folder: Path, databases: int) -> dict[str, float]:
    path = write_state(folder / f"state-{databases}.toml", databases)
    text = path.read_text()
    state = store.load(path)

    def ours() -> float:
        timing = time_call(lambda: check_state(store.load(path)), runs=1)
        return timing.median

    def reference() -> float:
        timing = time_call(lambda: tomllib.loads(path.read_text()), runs=1)
        return timing.median

    load_check, toml_parse = interleaved(ours, reference)
    load = time_call(lambda: store.load(path))
    rules = time_call(lambda: check_state(state))
    with_certs = time_call(lambda: check_state_with_certificates(state))
    doc = tomllib.loads(text)
    toml_write = time_call(lambda: tomli_w.dumps(doc, multiline_strings=True))

    revision = [state.revision]

    def save_once() -> None:
        saved = store.save(path, state, base_revision=revision[0], change="bench")
        revision[0] = saved.revision

    save_only = time_call(save_once)
    memory_check = peak_memory(lambda: check_state(store.load(path)))

    def check_and_save() -> None:
        check_state(store.load(path))
        save_once()

    memory = peak_memory(check_and_save)

    print(f"{databases:>6} databases, file {path.stat().st_size / 1024:,.0f} KiB")
    print(f"  load (parse + validate)      {load.ms()}")
    print(f"  all rules (check_state)      {rules.ms()}")
    print(f"  load + rules                 {load_check.ms()}")
    print(f"  save (lock, check revision, history, atomic write) {save_only.ms()}")
    print(f"  rules + certificate findings {with_certs.ms()}  (tls-wizard check)")
    print(f"  reference: tomllib parse     {toml_parse.ms()}")
    print(f"  reference: tomli-w write     {toml_write.ms()}")
    ratio = load_check.median / toml_parse.median
    print(f"  load + rules / tomllib parse {ratio:6.2f}x")
    print(f"  peak memory: load + rules {mib(memory_check)}; load + rules + save {mib(memory)}")
    return {
        "load_check": load_check.median,
        "save": save_only.median,
        "memory": float(memory),
    }


def main() -> int:
    heading("state: load + rules + save (bench/state_bench.py)")
    clock.set_now(None)
    results = {}
    with tempfile.TemporaryDirectory(prefix="tls-wizard-bench-") as folder:
        for databases in SIZES:
            results[databases] = _measure(Path(folder), databases)
    small, large = results[SIZES[0]], results[SIZES[1]]
    scale = SIZES[1] / SIZES[0]
    growth = large["load_check"] / small["load_check"] / scale
    save_growth = large["save"] / small["save"] / scale
    memory_growth = large["memory"] / small["memory"] / scale
    print(
        f"load + rules at {SIZES[0]:,}: {small['load_check'] * 1000:.0f} ms; "
        f"{verdict(small['load_check'], TARGET_1000, unit=' s')}"
    )
    print(
        f"growth {SIZES[0]:,} -> {SIZES[1]:,} per database: load + rules {growth:.2f}x, "
        f"save {save_growth:.2f}x, peak memory {memory_growth:.2f}x "
        f"(1.00x = linear); {verdict(growth, TARGET_GROWTH)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
