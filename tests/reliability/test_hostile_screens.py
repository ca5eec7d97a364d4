"""Hostile text on the screens: certificates whose CN, O, OU and SANs hold escape sequences,
forged lines, bidi overrides and markup, a state file whose history holds the same, driven
through every screen with Pilot. No crash; what the terminal would receive holds no OSC
(title, clipboard, hyperlink), no raw control character and no hyperlink style.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hostile import MARKUP, SEQUENCES, Payload, markup_payloads, payloads, raw_controls, sample
from hostile_certs import FIELDS, hostile_certificate
from reliability_helpers import in_process
from textual.content import Content
from textual.widgets import TextArea

from state.text import visible
from tui.app import WizardApp
from tui.text import escape, plain

pytestmark = pytest.mark.anyio

DEMO = Path(__file__).parents[1] / "fixtures" / "demo"
SIZE = (120, 40)
CSI = re.compile(r"\x1b\[[0-9;:?<=>]*[ -/]*[@-~]")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def chosen_payloads() -> list[Payload]:
    found = sample(payloads(), 13)
    found += [p for p in markup_payloads() if p not in found]
    return found


def terminal_output(app: WizardApp) -> str:
    """What the driver would write for the whole current screen."""
    return app.screen._compositor.render_full_update().render_segments(app.console)


def assert_screen_inert(app: WizardApp, where: str) -> None:
    assert app.crash is None, f"{where}: crashed: {app.crash!r}"
    output = terminal_output(app)
    assert "\x1b]" not in output, f"{where}: an OSC sequence reached the terminal"
    assert "\x1bP" not in output, f"{where}: a DCS sequence reached the terminal"
    leftover = CSI.sub("", output)
    assert raw_controls(leftover.replace("\r", "")) == [], f"{where}: {raw_controls(leftover)}"
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            assert not (style and style.link), f"{where}: a link in {segment.text!r}"


@pytest.fixture
def hostile_state(tmp_path: Path) -> Path:
    """The demo, with `orders` trusting certificates that carry the corpus in every field,
    a participant whose syncer certificate does, and a history whose change texts do."""
    folder = tmp_path / "state"
    shutil.copytree(DEMO, folder)
    state = folder / "tls-wizard.toml"
    certificates = [hostile_certificate(p, f) for p in chosen_payloads() for f in FIELDS]
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"".join(c.pem for c in certificates))
    added = in_process("--state", str(state), "db", "tls", "orders", "--add-cert", str(bundle))
    assert added.code == 0, added.err
    syncer = tmp_path / "syncer.pem"
    syncer.write_bytes(hostile_certificate(Payload("x", MARKUP["close-tag"]), "cn").pem)
    in_process(
        "--state", str(state), "cluster", "participant", "add", "p4.example.com",
        "--syncer-cert", str(syncer),
    )  # fmt: skip
    document = tomllib.loads(state.read_text())
    document["change"] = "".join(SEQUENCES.values()) + MARKUP["rich-style-link"] + "crash[/]"
    state.write_text(tomli_w.dumps(document))
    (tmp_path / "bundle.json").write_text(
        json.dumps([{"uid": 1, "name": MARKUP["rich-style-link"] + "\x1b]2;t\x07", "port": 1}])
    )
    return state


async def visit(app: WizardApp, pilot, keys: list[str], where: str) -> None:
    for key in keys:
        await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert_screen_inert(app, where)


async def test_every_screen_shows_hostile_text_inert(hostile_state: Path, tmp_path: Path):
    app = WizardApp(hostile_state, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert_screen_inert(app, "home")
        table = app.screen.query_one("#databases")
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.pause()
            assert_screen_inert(app, f"home, row {row}")
        app.action_wizard("orders")
        await pilot.pause()
        for step in range(6):
            await visit(app, pilot, [], f"wizard step {step}")
            await pilot.press("ctrl+n")
        await visit(app, pilot, ["escape"], "wizard left")
        while len(app.screen_stack) > 1:
            app.pop_screen()
            await pilot.pause()
        for keys, where in (
            (["c"], "cluster"),
            (["escape"], "home again"),
            (["h"], "history"),
            (["up"], "history, older revision"),
            (["escape"], "home again"),
            (["p"], "protocols"),
            (["escape"], "home again"),
        ):
            await visit(app, pilot, keys, where)
        app.action_open("inspector")
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        area.focus()
        area.insert((tmp_path / "bundle.pem").read_text())
        await visit(app, pilot, [], "inspector with the hostile bundle")
        for _ in range(8):
            await visit(app, pilot, ["down"], "inspector, another certificate")
    assert app.crash is None and app.return_code in (None, 0)


async def test_import_preview_of_a_hostile_name(hostile_state: Path, tmp_path: Path):
    from tui.screens.import_rest import ImportRestDialog

    app = WizardApp(hostile_state, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ImportRestDialog(tmp_path))
        await pilot.pause()
        app.screen.query_one("#import-bdbs").value = str(tmp_path / "bundle.json")
        app.screen.query_one("#import-bdbs").focus()
        await visit(app, pilot, ["enter"], "import preview")
        await visit(app, pilot, ["ctrl+s"], "import refused")
    assert app.crash is None


@pytest.mark.parametrize("payload", [pytest.param(p, id=p.id) for p in payloads()])
def test_the_helper_never_lets_markup_or_controls_through(payload: Payload):
    """Inside the screens' own markup, `escape` keeps the surrounding tags working and the
    value literal; `plain` is never parsed. Both show controls as `visible` does."""
    content = Content.from_markup(f"[b]{escape(payload.text)}[/b] [i]after[/i]")
    assert [span.style for span in content.spans] == ["b", "i"]
    shown = content.plain.removesuffix(" after")
    backslashes_shown = re.sub(
        r"\\+(?=\[|$)", lambda m: "\\x5c" * len(m.group()), visible(payload.text)
    )
    assert shown == backslashes_shown
    assert not raw_controls(content.plain)
    assert plain(payload.text).plain == visible(payload.text)
    assert plain(payload.text).spans == []


def test_no_screen_escapes_markup_its_own_way():
    """One helper: tui/ imports escaping from tui.text, never textual.markup.escape."""
    offenders = [
        str(path)
        for path in (Path(__file__).parents[2] / "tui").rglob("*.py")
        if "from textual.markup import" in path.read_text() and path.name != "text.py"
    ]
    assert offenders == []
