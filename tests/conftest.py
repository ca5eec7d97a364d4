"""What the whole suite shares: the quick/long split and the figures the tests report.

`make test` runs every test's quick form; the long forms (marked `slow`: the whole
fault matrix, the big corpus sweeps, fuzzing with many examples) are deselected unless
`--run-slow` is given, which `make test-slow` does. Both run on parallel workers
(pytest-xdist), so anything a test reports must travel with its test report.
"""

from __future__ import annotations

import pytest

FIGURES = "reliability figure"
_figures: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run the long forms (tests marked slow); make test-slow",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without --run-slow the long forms are deselected, not skipped: thousands of skipped
    items would each still travel between the xdist workers and the controller."""
    if config.getoption("--run-slow"):
        return
    long_forms = [item for item in items if item.get_closest_marker("slow")]
    if long_forms:
        config.hook.pytest_deselected(items=long_forms)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collects the figures in the process that prints the summary (the xdist controller,
    or the only process): they arrive as user properties of the test's report."""
    if report.when == "call":
        _figures.extend(value for name, value in report.user_properties if name == FIGURES)


def pytest_terminal_summary(terminalreporter) -> None:
    if _figures:
        terminalreporter.section("reliability figures")
        for line in sorted(_figures):
            terminalreporter.write_line(line)


@pytest.fixture
def reliability_report(request: pytest.FixtureRequest):
    """Call with one line of figures; it is printed, named after the test, at the end."""

    def report(line: str) -> None:
        request.node.user_properties.append((FIGURES, f"{request.node.name}: {line}"))

    return report
