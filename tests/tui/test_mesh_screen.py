"""The Mesh screen (c, then m): the fixture's own state and its peers' state files
(peers/*.toml) checked together, as a matrix with the reason under the highlighted cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static
from tui_helpers import settle

from state.demo import PARTICIPANTS
from tui.app import WizardApp
from tui.screens.mesh import MeshScreen

pytestmark = pytest.mark.anyio
SIZE = (100, 32)
CLUSTER1 = "cluster1.example.com"


async def open_mesh(pilot) -> MeshScreen:
    await pilot.press("c", "m")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MeshScreen)
    return screen


def _row(table: DataTable, index: int) -> list[str]:
    return [str(cell) for cell in table.get_row_at(index)]


async def test_the_matrix_marks_each_broken_pair_and_explains_the_highlighted_cell(
    app: WizardApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_mesh(pilot)
        assert screen.query_one("#mesh-files", Input).value == (
            f"peers/{PARTICIPANTS[0]}.toml peers/{PARTICIPANTS[1]}.toml"
        )
        table = screen.query_one("#mesh-matrix", DataTable)
        # Rows trust columns. cluster1 (an older state file) reaches cluster2's sessions
        # without encryption and does not trust cluster3's syncer; cluster3's inventory
        # misses cluster2's syncer.
        assert _row(table, 0) == [CLUSTER1, "—", "✗", "✗"]
        assert _row(table, 1) == [PARTICIPANTS[0], "✓", "—", "✓"]
        assert _row(table, 2) == [PARTICIPANTS[1], "✓", "✗", "—"]
        reason = screen.query_one("#mesh-reason", Static)
        assert "without encryption" in _words(reason)
        overview = _words(screen.query_one("#mesh-overview", Static))
        assert screen.report is not None and len(screen.report.problems) == 3
        for problem in screen.report.problems:
            assert f"{problem.cluster} → {problem.peer}" in overview, "every failing pair listed"
        await pilot.press("down", "down")
        await settle(pilot)
        text = _words(reason)
        assert "inventory" in text and f"does not trust {PARTICIPANTS[0]}'s syncer" in text


async def test_a_bad_state_file_is_one_line_and_the_screen_stays(
    app: WizardApp, state_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_mesh(pilot)
        field = screen.query_one("#mesh-files", Input)
        field.value = "nowhere.toml"
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        text = _words(screen.query_one("#mesh-reason", Static))
        assert text.startswith("✗") and text.count("no state file here") == 1
        assert isinstance(app.screen, MeshScreen)


def test_snapshot_mesh(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_mesh(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def _words(widget: Static) -> str:
    """The text as drawn with its wrapping undone (lines hang under their first word)."""
    return " ".join(str(widget.render()).split())
