"""The frame every screen shares: the header says where you are, the footer keeps its keys
in one order whatever has the focus, and the palette hint is there under a dialog too."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Button
from textual.widgets._footer import FooterKey
from tui_helpers import settle

from state.model import State
from tui.app import WizardApp
from tui.screens.databases import DatabasesScreen
from tui.screens.wizard import TlsWizardScreen
from tui.widgets.cluster_facts import ClusterFacts, cluster_facts, pack
from tui.widgets.frame import AppFooter, AppHeader, header_text

pytestmark = pytest.mark.anyio
CRUMBS = ["redis-tls-wizard", "cluster1.example.com", "Databases"]


def footer_keys(app: App) -> list[str]:
    """The keys the footer shows, left to right, the palette hint last."""
    shown = [key for key in app.screen.query(FooterKey) if key.display]
    keys = sorted(shown, key=lambda key: key.region.x)
    return [key.key for key in keys]


def in_same_order(first: list[str], second: list[str]) -> bool:
    """The keys both lists show come in the same order in each."""
    common = set(first) & set(second)
    return [k for k in first if k in common] == [k for k in second if k in common]


async def test_the_review_steps_keys_keep_their_place_when_the_focus_moves(
    app: WizardApp,
) -> None:
    """Focusing the exports adds their Copy key after the step's keys; Textual's own footer
    put it first, moving Leave, Apply and Verify one place to the right."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, TlsWizardScreen)
        for _ in range(4):
            await pilot.press("ctrl+n")
            await settle(pilot)
        seen = []
        for target in ("#review-diff", "#export-rladmin-text", "#review-diff"):
            wizard.query_one(target).focus()
            await settle(pilot)
            seen.append(footer_keys(app))
        assert seen[0] == ["escape", "a", "v", "ctrl+p"]
        assert seen[1] == ["escape", "a", "v", "y", "ctrl+p"]
        assert seen[2] == seen[0]


async def test_a_key_that_would_be_cut_is_left_out_whole(app: WizardApp) -> None:
    """At 80 columns the Cluster screen's keys overrun the palette hint: the last ones are
    left out instead of drawn as "⏎ Inspec"; a wide terminal shows them all again."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await settle(pilot)
        footer = app.screen.query_one(AppFooter)
        palette = footer.query_one(".-command-palette", FooterKey)
        every = [key.key for key in footer.query(FooterKey)]
        narrow = footer_keys(app)
        assert narrow[-1] == "ctrl+p" and len(narrow) < len(every)
        assert narrow[:-1] == every[: len(narrow) - 1], "the first keys keep their place"
        for key in footer.query(FooterKey):
            if key.display and key is not palette:
                assert key.region.right <= palette.region.x, key.key
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        await pilot.pause()
        assert footer_keys(app) == every


async def test_home_keys_keep_their_order_from_the_table_to_the_filter_and_back(
    app: WizardApp,
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        in_table = footer_keys(app)
        await pilot.press("slash")
        await settle(pilot)
        in_filter = footer_keys(app)
        await pilot.press("escape")
        await settle(pilot)
        assert footer_keys(app) == in_table
        assert in_table[0] == "enter" and in_table[-1] == "ctrl+p"
        assert in_same_order(in_table, in_filter) and in_filter[-1] == "ctrl+p"


class _Dialog(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Button("OK")
        yield AppFooter()


async def test_a_dialogs_footer_keeps_the_palette_hint(app: WizardApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(_Dialog())
        await settle(pilot)
        assert footer_keys(app)[-1] == "ctrl+p"


async def test_every_screen_says_where_you_are_in_one_header_row(app: WizardApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = app.screen.query_one(AppHeader)
        assert header.region.height == 1 and header.region.y == 0
        row = str(header.render())
        assert "cluster1.example.com \u203a Databases" in row
        assert row.rstrip().endswith("tls-wizard.toml")
        await pilot.press("c")
        await settle(pilot)
        row = str(app.screen.query_one(AppHeader).render())
        assert "cluster1.example.com \u203a Cluster certificates" in row


async def test_the_demo_says_where_it_lives_in_the_header(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.announce_demo()
        await settle(pilot)
        row = str(app.screen.query_one(AppHeader).render())
        assert "demo in " in row
        assert row.rstrip().endswith(Path(app.state_path).parent.name)


async def test_home_shows_the_minimum_tls_version_whole_at_80_columns(app: WizardApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DatabasesScreen)
        facts = app.screen.query_one(ClusterFacts)
        rows = str(facts.render()).splitlines()
        assert facts.region.height == len(rows) and facts.region.right <= 80
        assert any("minimum TLS 1.2" in row for row in rows)
        assert all(len(row) <= facts.content_size.width for row in rows)


def test_facts_are_packed_whole_and_in_order(app: WizardApp) -> None:
    state: State = app.saved_state
    facts = cluster_facts(state)
    texts = [fact.plain for fact in facts]
    for width in (30, 60, 78, 118, 400):
        rows = [row.plain for row in pack(facts, width)]
        assert all(len(row) <= width for row in rows), width
        assert "   ".join(rows) == "   ".join(texts), "every fact whole, in order"
    assert len(pack(facts, 400)) == 1


def test_the_header_gives_up_the_app_name_then_the_path_then_cuts() -> None:
    path = "/srv/redis/clusters/east/tls-wizard.toml"
    wide = header_text(CRUMBS, path, "", 120).plain
    assert wide.startswith("redis-tls-wizard \u203a ") and wide.endswith(path)
    assert len(wide) == 120
    narrow = header_text(CRUMBS, path, "", 60).plain
    assert narrow.startswith("cluster1.example.com \u203a Databases")
    assert narrow.endswith("/east/tls-wizard.toml") and "…" in narrow and len(narrow) == 60
    tiny = header_text(CRUMBS, path, "", 40).plain
    assert tiny.rstrip() == "cluster1.example.com \u203a Databases"
    cut = header_text(CRUMBS, path, "", 20).plain
    assert len(cut) == 20 and cut.endswith("…")
    demo = header_text(CRUMBS, "/tmp/tls-wizard-demo-x1", "demo in ", 80).plain
    assert demo.endswith("demo in /tmp/tls-wizard-demo-x1")
