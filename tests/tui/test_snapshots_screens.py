"""A snapshot of every screen and dialog of the wizard in its main states.

The shots are the ones `make screenshots` writes (tui/screenshots.py): each is reached by
keys from the home screen of the committed demo state, at a fixed size, with the clock,
theme and paths fixed by conftest.py. The cluster, protocols, inspector and encryption
screens are snapshot-tested by their own test modules.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tui_helpers import DEMO_FIXTURE

from tui.app import WizardApp
from tui.screenshots import SHOTS, Shot

WIZARD_SHOTS = [shot for shot in SHOTS if not shot.other_screens]


@pytest.mark.parametrize("shot", WIZARD_SHOTS, ids=[shot.name for shot in WIZARD_SHOTS])
def test_screen(shot: Shot, snap_compare, fixed_workdir: Path) -> None:
    if shot.needs_state:
        shutil.copytree(DEMO_FIXTURE, fixed_workdir, dirs_exist_ok=True)
    app = WizardApp(fixed_workdir / "tls-wizard.toml", cursor_blink=False)
    assert snap_compare(app, terminal_size=shot.size, run_before=shot.steps)


def test_every_screen_of_the_wizard_has_a_shot() -> None:
    names = {shot.name for shot in WIZARD_SHOTS}
    for screen in ("home", "wizard-enable", "wizard-mode", "wizard-certificates"):
        assert screen in names
    for screen in ("wizard-names", "wizard-review", "new-database", "history", "first-run"):
        assert screen in names
    for dialog in ("paste-empty", "unsaved-changes", "stale-revision", "history-rollback"):
        assert dialog in names
    assert any(shot.size == (80, 24) for shot in WIZARD_SHOTS)
