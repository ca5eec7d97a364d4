"""The client-side encryption screen: a data key written once (0600), never overwritten;
the example it shows is the one the end-to-end tests run."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_helpers import settle

from state import store
from tui.app import WizardApp
from tui.screens.encryption import EncryptionScreen, example_for

pytestmark = pytest.mark.anyio
SIZE = (100, 32)


async def open_encryption(pilot) -> EncryptionScreen:
    await pilot.press("e")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, EncryptionScreen)
    return screen


async def test_generate_a_data_key_once(app: WizardApp, state_path: Path) -> None:
    key = state_path.parent / "keys" / "data.key"
    state_before = state_path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_encryption(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert len(key.read_bytes()) == 32
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        first = key.read_bytes()
        assert "Wrote a new 256-bit key" in str(screen.query_one("#encryption-key-status").render())

        # Again: refused, the key is kept as it was.
        await pilot.press("g")
        await settle(pilot)
        assert key.read_bytes() == first
        assert "already exists" in str(screen.query_one("#encryption-key-status").render())
    assert state_path.read_bytes() == state_before, "the key never goes into the state file"


async def test_another_file_name_and_the_example_follows_it(
    app: WizardApp, state_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_encryption(pilot)
        screen.query_one(Input).value = "secrets/orders.key"
        await pilot.pause()
        await pilot.press("y")
        example = app.clipboard
        assert 'Path("secrets/orders.key")' in example
        compile(example, "example.py", "exec")
        screen.query_one(Input).focus()
        await pilot.press("enter")
        await settle(pilot)
    assert len((state_path.parent / "secrets" / "orders.key").read_bytes()) == 32


async def test_the_example_connects_to_the_first_tls_database(state_path: Path) -> None:
    state = store.load(state_path)
    example = example_for(state, "keys/data.key")
    tls_db = next(d for d in state.databases if d.tls.enabled)
    assert f'host="redis-{tls_db.port}.cluster1.example.com"' in example
    assert f"port={tls_db.port}" in example
    assert "ssl=True" in example


async def test_an_empty_file_name_is_refused(app: WizardApp, state_path: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_encryption(pilot)
        screen.query_one(Input).value = "  "
        await pilot.press("g")
        await settle(pilot)
        assert "Give a file name" in str(screen.query_one("#encryption-key-status").render())
    assert not (state_path.parent / "keys" / "data.key").exists()


def test_snapshot_encryption(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_encryption(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_encryption_key_refused(snap_compare, app: WizardApp, state_path: Path) -> None:
    (state_path.parent / "keys" / "data.key").write_bytes(b"k" * 32)

    async def run_before(pilot) -> None:
        await open_encryption(pilot)
        await pilot.press("g")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_encryption_80x24(snap_compare, app: WizardApp) -> None:
    async def run_before(pilot) -> None:
        await open_encryption(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
