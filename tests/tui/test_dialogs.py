"""Every dialog in the one frame: a thin titled border sized to its content, one button
that stands out, footer keys that say what the buttons say, and the palette hint.

Each dialog is opened over the home screen of the fixture state and read as drawn: its
buttons, the keys its footer shows, its frame. Then each button's key is pressed in a
fresh dialog and must answer as the button does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static
from textual.widgets._footer import FooterKey
from tui_helpers import paste, settle

from state.certificates.checks import EXPIRY_WARNING_DAYS
from tui.app import WizardApp
from tui.dialogs.base import EMPHASIS, Dialog
from tui.dialogs.confirm import ConfirmDialog, UnsavedChangesDialog
from tui.dialogs.keys import KeysDialog
from tui.dialogs.paste import PasteCertificatesDialog
from tui.dialogs.replica_clusters import ReplicaClustersDialog
from tui.dialogs.stale import StaleStateDialog
from tui.screens.import_rest import ImportRestDialog
from tui.widgets.cluster_dialogs import (
    ClusterVersionDialog,
    ExportPathDialog,
    ParticipantNameDialog,
)

DIALOGS: dict[str, Callable[[Path], ModalScreen]] = {
    "confirm": lambda folder: ConfirmDialog(
        "Roll back to revision 1?", "Revision 1 becomes revision 3.", confirm_label="Roll back"
    ),
    "confirm-danger": lambda folder: ConfirmDialog(
        "Remove participating cluster", "Remove it?", confirm_label="Remove", danger=True
    ),
    "unsaved": lambda folder: UnsavedChangesDialog("client auth off"),
    "stale": lambda folder: StaleStateDialog("tls-wizard.toml", 2, 3),
    "paste": lambda folder: PasteCertificatesDialog("Add certificates to orders"),
    "replica": lambda folder: ReplicaClustersDialog("orders", ["a.example", "b.example"], []),
    "keys": lambda folder: KeysDialog("Keys", [Binding("a", "apply", "Apply")]),
    "import": lambda folder: ImportRestDialog(folder),
    "participant": lambda folder: ParticipantNameDialog(["cluster1.example.com"]),
    "export": lambda folder: ExportPathDialog("Export the syncer certificate", "syncer.pem"),
    "version": lambda folder: ClusterVersionDialog("7.4.2"),
}
pytestmark = pytest.mark.anyio

GENERIC = {"OK", "Yes", "No"}
"""Words that say nothing about what a button does."""


async def open_dialog(pilot, dialog: ModalScreen) -> None:
    pilot.app.push_screen(dialog)
    await settle(pilot)
    assert pilot.app.screen is dialog


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_every_dialog_is_one_frame_whose_keys_name_its_buttons(
    app: WizardApp, state_path: Path, size: tuple[int, int]
) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for name, make in DIALOGS.items():
            dialog = make(state_path.parent)
            assert isinstance(dialog, Dialog), f"{name} is not in the dialog frame"
            await open_dialog(pilot, dialog)
            buttons = list(dialog.query(Button))
            keys = {key.description: key for key in dialog.query_one(Footer).query(FooterKey)}
            labels = [str(button.label) for button in buttons]
            for label in labels:
                assert label in keys, f"{name}: no footer key says {label!r} (keys: {list(keys)})"
                assert label not in GENERIC, f"{name}: a button says only {label!r}"
            assert "palette" in keys, f"{name}: the footer lost the palette hint"
            emphasised = [button for button in buttons if button.variant in EMPHASIS]
            assert len(emphasised) == 1, f"{name}: {len(emphasised)} buttons stand out"
            frame = dialog.children[0]
            assert frame.border_title, f"{name}: the frame has no title"
            assert {edge[0] for edge in frame.styles.border} == {"round"}, name
            screen_width, screen_height = size
            region = frame.region
            assert region.right <= screen_width and region.bottom <= screen_height - 1, name
            if screen_height >= 40:
                # Sized to the content: never the whole big terminal.
                assert region.height < screen_height - 8, f"{name}: {region.height} rows"
                assert region.width < screen_width, f"{name}: {region.width} columns"
            dialog.dismiss(None)
            await settle(pilot)


@pytest.mark.parametrize(
    ("name", "key", "answer"),
    [
        ("confirm", "r", True),
        ("confirm", "escape", False),
        ("confirm-danger", "r", True),
        ("unsaved", "d", True),
        ("unsaved", "escape", False),
        ("stale", "r", True),
        ("stale", "escape", False),
        ("replica", "ctrl+s", []),
        ("replica", "escape", None),
        ("keys", "escape", None),
        ("export", "ctrl+s", "syncer.pem"),
        ("version", "escape", None),
    ],
)
async def test_a_buttons_footer_key_answers_as_the_button_does(
    app: WizardApp, state_path: Path, name: str, key: str, answer: object
) -> None:
    answers: list[object] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = DIALOGS[name](state_path.parent)
        pilot.app.push_screen(dialog, answers.append)
        await settle(pilot)
        footer = {k.key: k.description for k in dialog.query_one(Footer).query(FooterKey)}
        assert footer[key] in {str(b.label) for b in dialog.query(Button)}
        await pilot.press(key)
        await settle(pilot)
    assert answers == [answer]


async def test_unsaved_changes_names_its_buttons_in_the_footer(app: WizardApp) -> None:
    """The question of issue 16: "y Yes" beside "Discard and leave" is gone."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = UnsavedChangesDialog("client auth off")
        await open_dialog(pilot, dialog)
        footer = [(k.key_display, k.description) for k in dialog.query(FooterKey)]
        assert ("d", "Discard and leave") in footer
        assert ("esc", "Keep editing") in footer
        assert all(description != "Yes" for _key, description in footer)
        await pilot.press("y")
        assert app.screen is dialog, "y is no longer an answer"
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette), "the palette opens over a dialog"


async def test_the_paste_dialog_is_sized_to_what_it_shows(app: WizardApp, samples: Path) -> None:
    """Empty, the text area says what to paste and what happens to a key; filled, it
    grows with the paste up to a third of a tall terminal."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dialog = PasteCertificatesDialog("Add certificates to orders")
        await open_dialog(pilot, dialog)
        area = dialog.query_one("#paste-text")
        guidance = str(area.placeholder)
        assert "BEGIN CERTIFICATE" in guidance and "private key" in guidance
        empty = area.region.height
        assert empty <= 6, "an empty text area keeps only the rows of its guidance"
        checks = dialog.query_one("#paste-checks", Static)
        assert checks.display, "a tall terminal says what a paste is checked for"
        assert f"ending within {EXPIRY_WARNING_DAYS} days" in str(checks.render())
        await paste(pilot, (samples / "app2.pem").read_text())
        assert not checks.display, "a certificate read shows its own findings instead"
        assert area.region.height > empty, "a pasted certificate shows more of itself"
        assert area.region.height <= 40 // 3
        assert dialog.children[0].region.height < 40 - 8, "not the whole terminal"


async def test_a_short_terminal_leaves_the_checks_to_the_findings(app: WizardApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = PasteCertificatesDialog("Add certificates to orders")
        await open_dialog(pilot, dialog)
        assert not dialog.query_one("#paste-checks").display
        assert dialog.children[0].region.bottom <= 23, "the dialog fits above the footer"


async def test_the_keys_panel_scrolls_in_a_short_terminal(app: WizardApp) -> None:
    """Home has more keys than 16 rows hold: the list scrolls, Close stays in view."""
    async with app.run_test(size=(80, 16)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, KeysDialog)
        assert len(dialog.bindings) > 16 - 6
        close = dialog.query_one("#close", Button).region
        assert close.height == 1 and close.bottom <= 15, close
        assert dialog.children[0].region.bottom <= 15
