"""Reliability tests: each runs in a quick form in `make test` and a long form, marked
`slow`, that only runs with `--run-slow` (`make test-slow`).

The figures each test measures (kills survived, refused saves, corpus sizes...) are
collected by the `reliability_report` fixture and printed in pytest's terminal summary,
so the README's numbers come from a run anyone can repeat.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # `bench` (the state generator) is not an installed package
    sys.path.insert(0, str(ROOT))

_REPORT: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="run the long reliability tests (marked slow); make test-slow",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # getoption has a default: under a plain `pytest`, this conftest may be loaded after
    # the command line was parsed, and then the option does not exist.
    if config.getoption("--run-slow", default=False):
        return
    skip = pytest.mark.skip(reason="long form: run with --run-slow (make test-slow)")
    for item in items:
        if item.get_closest_marker("slow") and HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter) -> None:
    if _REPORT:
        terminalreporter.section("reliability figures")
        for line in _REPORT:
            terminalreporter.write_line(line)


@pytest.fixture
def reliability_report(request: pytest.FixtureRequest):
    """Call with one line of figures; it is printed, named after the test, at the end."""

    def report(line: str) -> None:
        _REPORT.append(f"{request.node.name}: {line}")

    return report
