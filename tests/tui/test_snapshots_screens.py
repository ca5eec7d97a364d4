"""A snapshot of every screen and dialog, at 80x24 and at 120x40, and two checks of each.

The shots are the ones `make screenshots` writes (tui/screenshots.py): each is reached by
keys from the home screen of the committed demo state, with the clock, theme and paths
fixed by conftest.py. Every picture must also pass two checks (tests/tui/screen_checks.py)
computed from the same SVG:

- fit: no more than a third of the rows between header and footer empty;
- contrast: all text at least 4.5:1 against its background (for a dialog: the text inside
  the dialog; the screen dimmed behind it is not meant to be read).

`NOT_YET` lists the pictures that fail a check today, each with what is wrong. It works as
a strict expected failure: the test fails when a listed check starts passing, so the fix
that makes a screen fit removes its line here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from screen_checks import describe, parse_svg
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen
from tui_helpers import DEMO_FIXTURE, settle

from tui.app import WizardApp
from tui.screenshots import SHOTS, SMALL, Shot, size_name

CASES = [(shot, size) for shot in SHOTS for size in shot.sizes]
IDS = [f"{shot.name}-{size_name(size)}" for shot, size in CASES]

NOT_YET: dict[str, dict[str, str]] = {}
"""Picture id -> {check: why it fails today}, for the screens still being fixed (issue 16)."""


def dialog_region(screen: Screen) -> tuple[int, int, int, int] | None:
    """The region of a dialog's box, or None for a full screen."""
    if not isinstance(screen, ModalScreen) or not screen.children:
        return None
    region = screen.children[0].region
    return (region.x, region.y, region.width, region.height)


def fit_problem(svg: str) -> str | None:
    rendering = parse_svg(svg)
    empty = rendering.empty_rows()
    allowed = rendering.height // 3
    if len(empty) <= allowed:
        return None
    return f"{len(empty)} empty rows of {rendering.height} (at most {allowed}): rows {empty}"


def contrast_problem(svg: str, region: tuple[int, int, int, int] | None) -> str | None:
    low = parse_svg(svg).low_contrast(region)
    return f"text under 4.5:1 contrast:\n{describe(low)}" if low else None


@pytest.mark.parametrize(("shot", "size"), CASES, ids=IDS)
def test_screen(
    shot: Shot, size: tuple[int, int], snap_compare, fixed_workdir: Path, request
) -> None:
    if shot.needs_state:
        shutil.copytree(DEMO_FIXTURE, fixed_workdir, dirs_exist_ok=True)
    app = WizardApp(fixed_workdir / "tls-wizard.toml", cursor_blink=False)
    seen: dict[str, object] = {}

    async def run_before(pilot: Pilot) -> None:
        await shot.steps(pilot)
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()
        seen["svg"] = pilot.app.export_screenshot()
        seen["dialog"] = dialog_region(pilot.app.screen)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
    svg = str(seen["svg"])
    problems = {
        "fit": fit_problem(svg),
        "contrast": contrast_problem(svg, seen["dialog"]),  # type: ignore[arg-type]
    }
    picture = request.node.callspec.id
    expected = NOT_YET.get(picture, {})
    for check, why in expected.items():
        assert problems[check], f"{picture}: {check} passes now; remove it from NOT_YET ({why})"
    unexpected = {check: text for check, text in problems.items() if text and check not in expected}
    assert not unexpected, "\n".join(
        f"{picture} {check}: {text}" for check, text in unexpected.items()
    )
    if expected:
        pytest.xfail("; ".join(f"{check}: {why}" for check, why in expected.items()))


def test_every_screen_has_a_shot_at_both_sizes() -> None:
    names = {shot.name for shot in SHOTS}
    for screen in ("home", "wizard-enable", "wizard-mode", "wizard-certificates"):
        assert screen in names
    for screen in ("wizard-names", "wizard-review", "new-database", "history", "first-run"):
        assert screen in names
    for screen in ("cluster", "protocols", "inspector", "encryption", "apply", "verify", "mesh"):
        assert screen in names
    for dialog in ("paste-empty", "unsaved-changes", "stale-revision", "history-rollback"):
        assert dialog in names
    large = {
        "wizard-certificates-wide",
        "wizard-review-tall",
        "new-database-tall",
        "mesh-tall",
        "inspector-tall",
        "first-run-tall",
    }
    ordinary = [shot for shot in SHOTS if shot.name not in large]
    assert all(shot.sizes == (SMALL, (120, 40)) for shot in ordinary)


def test_fit_check_counts_an_empty_box_as_empty() -> None:
    """The check itself: a frame with nothing in it is empty space, text is not."""
    rows = ["header", "╭────╮", "│    │", "│    │", "╰────╯", "text", "footer"]
    svg = _svg(rows, "#e0e0e0", "#121212")
    rendering = parse_svg(svg)
    assert rendering.empty_rows() == [1, 2, 3, 4]
    assert fit_problem(svg) is not None
    assert (
        fit_problem(_svg(["header", "a", "b", "│ c │", "", "footer"], "#e0e0e0", "#121212")) is None
    )


def test_contrast_check_measures_wcag_ratios() -> None:
    """The Cluster screen's old title colour fails; the theme's text passes; frames are not text."""
    assert contrast_problem(_svg(["Syncer certificate"], "#0c304c", "#121212"), None)
    assert contrast_problem(_svg(["Syncer certificate"], "#e0e0e0", "#121212"), None) is None
    assert contrast_problem(_svg(["────"], "#0c304c", "#121212"), None) is None
    assert round(parse_svg(_svg(["x"], "#000000", "#ffffff")).runs[0].contrast, 1) == 21.0
    outside = contrast_problem(_svg(["dim", "read me"], "#333333", "#121212"), (0, 1, 10, 1))
    assert outside is not None and "read me" in outside and "dim" not in outside


def _svg(rows: list[str], color: str, background: str) -> str:
    """A minimal Rich-style SVG export of `rows`, one colour on one background."""
    lines = [f".terminal-r1 {{ fill: {color} }}"]
    for row, text in enumerate(rows):
        y = 1.5 + 24.4 * row
        width = 12.2 * max(len(text), 1)
        lines.append(
            f'<rect fill="{background}" x="0" y="{y:g}" width="{width:g}" height="24.65" '
            'shape-rendering="crispEdges"/>'
        )
        if text:
            lines.append(
                f'<text class="terminal-r1" x="0" y="{y + 18.5:g}" textLength="{width:g}" '
                f'clip-path="url(#terminal-line-{row})">{text.replace(" ", "&#160;")}</text>'
            )
    lines.append(f'<clipPath id="terminal-line-{len(rows) - 1}">')
    return "\n".join(lines)
