"""Reliability tests: each runs in a quick form in `make test` and a long form, marked
`slow`, that only runs with `--run-slow` (`make test-slow`; tests/conftest.py).

The figures each test measures (kills survived, refused saves, corpus sizes...) are
collected by the `reliability_report` fixture (tests/conftest.py) and printed in pytest's
terminal summary, so the README's numbers come from a run anyone can repeat.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # `bench` (the state generator) is not an installed package
    sys.path.insert(0, str(ROOT))
