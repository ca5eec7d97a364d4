"""Apply to server and Verify screens: snapshots of the forms and of deterministic results.

Deterministic runs: the workers really run against 127.0.0.1:1, where nothing listens
(the kernel refuses at once, the same on every machine), and the dry-run table comes from
the core's plan compared with the settings of a freshly started redis-server 7. The live
runs against real servers are in tests/e2e/test_apply_screens_live.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import DataTable, Input, Static
from tui_helpers import settle

from state.targets.redis_apply import ApplyResult, compare
from state.targets.redis_plan import build_plan
from state.workspace import Workspace
from tui.screens.apply import ApplyScreen, VerifyScreen

SNAPSHOT_SIZE = (100, 32)  # as tests/tui/conftest.py
SMALL_SIZE = (80, 24)
NOWHERE = "redis://127.0.0.1:1"

FRESH_REDIS_7 = {
    "tls-cert-file": "",
    "tls-key-file": "",
    "tls-ca-cert-file": "",
    "tls-client-cert-file": "",
    "tls-client-key-file": "",
    "tls-auth-clients": "yes",
    "tls-protocols": "",
    "tls-replication": "no",
    "tls-port": "0",
    "port": "6379",
    "replicaof": "no one",
}
"""What CONFIG GET and INFO replication say on a redis-server 7 started without options."""


def dry_run_result(state_path: Path) -> ApplyResult:
    workspace = Workspace.open(state_path)
    plan = build_plan(workspace.state, "orders", workspace.folder / "tls/db-1", workspace.read_key)
    result = ApplyResult("orders", "redis://127.0.0.1:6379", server="Redis 7.0.15", dry_run=True)
    result.changes = compare(plan, FRESH_REDIS_7)
    result.not_enforced = [(n.setting, n.detail) for n in plan.not_enforced]
    result.notes = list(plan.notes)
    return result


async def _type(pilot, widget_id: str, text: str) -> None:
    field = pilot.app.screen.query_one(f"#{widget_id}", Input)
    field.focus()
    field.value = text
    await pilot.pause()


def test_snapshot_apply_form(snap_compare, app):
    async def open_screen(pilot) -> None:
        await pilot.app.push_screen(ApplyScreen("orders"))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=open_screen)


def test_snapshot_apply_dry_run_table(snap_compare, app, state_path):
    async def show(pilot) -> None:
        screen = ApplyScreen("orders")
        await pilot.app.push_screen(screen)
        await _type(pilot, "url", "redis://127.0.0.1:6379")
        screen.show_result(dry_run_result(state_path))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=show)


def test_snapshot_apply_refused_connection_small(snap_compare, app):
    async def run(pilot) -> None:
        await pilot.app.push_screen(ApplyScreen("orders"))
        await _type(pilot, "url", NOWHERE)
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SMALL_SIZE, run_before=run)


def test_snapshot_verify_nothing_listening(snap_compare, app, samples):
    async def run(pilot) -> None:
        await pilot.app.push_screen(VerifyScreen("orders"))
        await _type(pilot, "port", "1")
        await _type(pilot, "client-cert", "samples/app1.pem")
        await _type(pilot, "client-key", "samples/app1.key")
        await pilot.press("ctrl+s")
        await settle(pilot)
        pilot.app.screen.query_one("#verify-checks", DataTable).focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=run)


def test_bad_url_is_refused_on_the_form_without_running(app):
    asyncio.run(_bad_url(app))


async def _bad_url(app) -> None:
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        screen = ApplyScreen("orders")
        await pilot.app.push_screen(screen)
        await _type(pilot, "url", "http://127.0.0.1:6379")
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(screen.query_one("#apply-status", Static).render())
        error = str(screen.query_one("#url-error", Static).render())
        # The refusal is said once, under the field; the status line names the field.
        assert "redis://HOST:PORT" in error and "redis://HOST:PORT" not in status
        assert "Admin URL" in status
        assert not screen.running
        assert not screen.query_one("#apply-plan", DataTable).display


def test_missing_client_file_is_refused_on_the_form(app):
    asyncio.run(_missing_file(app))


async def _missing_file(app) -> None:
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        screen = VerifyScreen("orders")
        await pilot.app.push_screen(screen)
        await _type(pilot, "client-cert", "samples/nope.pem")
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(screen.query_one("#verify-status", Static).render())
        error = str(screen.query_one("#client-cert-error", Static).render())
        assert "no such file" in error and "no such file" not in status
        assert "Client certificate" in status
        assert not screen.query_one("#verify-checks", DataTable).display


def test_verify_report_lists_every_check_and_its_reason(app, samples):
    asyncio.run(_verify_nothing(app))


async def _verify_nothing(app) -> None:
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        screen = VerifyScreen("orders")
        await pilot.app.push_screen(screen)
        await _type(pilot, "port", "1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = screen.query_one("#verify-checks", DataTable)
        assert table.row_count == 1  # one true reason, not every check failing for it
        status = str(screen.query_one("#verify-status", Static).render())
        assert "1 of 1 checks failed" in status
        reason = str(screen.query_one("#verify-reason", Static).render())
        assert "connection refused" in reason


def test_replica_of_only_database_asks_for_its_tls_port(app):
    asyncio.run(_replica_of_only(app))


async def _replica_of_only(app) -> None:
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        sessions = ApplyScreen("sessions")
        await pilot.app.push_screen(sessions)
        assert sessions.query_one("#tls-port", Input).value == "22001"
        await pilot.app.pop_screen()
        orders = ApplyScreen("orders")
        await pilot.app.push_screen(orders)
        assert not orders.query("#tls-port")
        verify = VerifyScreen("sessions")
        await pilot.app.push_screen(verify)
        # verify takes the database port and finds the TLS port (22001) itself
        assert verify.query_one("#port", Input).value == "12001"


def test_escape_does_not_leave_while_applying(app):
    asyncio.run(_escape_while_applying(app))


async def _escape_while_applying(app) -> None:
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        screen = ApplyScreen("orders")
        await pilot.app.push_screen(screen)
        screen.running = True  # as while the worker applies
        await pilot.press("escape")
        assert pilot.app.screen is screen
        screen.running = False
        await pilot.press("escape")
        assert pilot.app.screen is not screen


def test_databases_screen_and_review_step_open_apply_and_verify(app):
    asyncio.run(_wired(app))


async def _wired(app) -> None:
    async with app.run_test(size=SNAPSHOT_SIZE) as pilot:
        shown = {k: b.binding.description for k, b in pilot.app.active_bindings.items()}
        assert shown["a"] == "Apply" and shown["v"] == "Verify"
        await pilot.press("a")
        assert isinstance(pilot.app.screen, ApplyScreen)
        assert pilot.app.screen.database == "orders"  # the highlighted row
        await pilot.press("escape")
        await pilot.press("down", "v")
        assert isinstance(pilot.app.screen, VerifyScreen)
        assert pilot.app.screen.database == "sessions"
        await pilot.press("escape")
        await pilot.press("up", "enter")  # the TLS wizard of orders
        await pilot.pause()
        await pilot.press("ctrl+s")  # Update jumps to the Review step first
        await pilot.pause()
        await pilot.press("a")
        assert isinstance(pilot.app.screen, ApplyScreen)
        assert pilot.app.screen.database == "orders"
        await pilot.press("escape")
        await pilot.press("v")
        assert isinstance(pilot.app.screen, VerifyScreen)


def test_an_empty_admin_url_is_said_under_the_field_at_80x24(app):
    asyncio.run(_empty_url(app))


async def _empty_url(app) -> None:
    """At 24 rows the status line is below the fold: the field itself says what is wrong,
    and it has the focus (so it is in view)."""
    async with app.run_test(size=SMALL_SIZE) as pilot:
        screen = ApplyScreen("orders")
        await pilot.app.push_screen(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        url = screen.query_one("#url", Input)
        error = screen.query_one("#url-error", Static)
        assert pilot.app.focused is url and not screen.running
        assert error.display and "a value is needed" in str(error.render())
        assert "redis://HOST:PORT" in str(error.render())
        assert 0 < error.region.bottom <= SMALL_SIZE[1] - 1, "the message is on screen"
        await _type(pilot, "url", NOWHERE)
        assert not screen.query_one("#url-error", Static).has_class("-shown")


def test_verify_shows_the_first_failing_checks_reason_without_tabbing(app):
    asyncio.run(_first_failing(app))


async def _first_failing(app) -> None:
    async with app.run_test(size=SMALL_SIZE) as pilot:
        screen = VerifyScreen("orders")
        await pilot.app.push_screen(screen)
        await _type(pilot, "port", "1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = screen.query_one("#verify-checks", DataTable)
        failing = next(i for i, check in enumerate(screen.checks) if not check.passed)
        assert table.cursor_row == failing and pilot.app.focused is not table
        reason = str(screen.query_one("#verify-reason", Static).render())
        check = screen.checks[failing]
        assert reason.startswith("✗") and check.title not in reason, "the title shows once"
        assert "connection refused" in reason


def test_messages_name_the_screen_controls_not_cli_flags() -> None:
    from tui.screens.apply import screen_words

    said = screen_words(
        "use rediss:// with --client-cert, --client-key and --ca; apply again with --rewrite"
    )
    assert "--" not in said
    for control in ("'Client certificate'", "'Client key'", "'CA'", "'Persist with CONFIG"):
        assert control in said
    assert screen_words("--cache and --url-x stay") == "--cache and --url-x stay"


def test_apply_says_what_it_will_set_before_it_runs(app):
    asyncio.run(_apply_preview(app))


async def _apply_preview(app) -> None:
    """Beside the form: every setting and file of the plan (relative to the state's folder),
    following the TLS folder field; gone once a run has a result to show."""
    async with app.run_test(size=(120, 40)) as pilot:
        screen = ApplyScreen("orders")
        await pilot.app.push_screen(screen)
        await settle(pilot)
        preview = screen.query_one("#apply-preview", Static)
        workspace = pilot.app.workspace
        plan = build_plan(
            workspace.state, "orders", workspace.folder / "elsewhere", workspace.read_key
        )
        assert preview.region.x > screen.query_one("#url", Input).region.right, "beside the form"
        await _type(pilot, "tls-dir", "elsewhere")
        text = str(preview.render())
        for setting, value in plan.settings.items():
            shown = value.removeprefix(str(workspace.folder) + "/") or "''"
            assert f"{setting}" in text and shown in text
        assert all(f"elsewhere/{f.path.name}" in text for f in plan.files)
        assert "tls/db-1" not in text
        await _type(pilot, "url", NOWHERE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not preview.display


def test_verify_lists_the_checks_it_will_make_before_it_runs(app):
    asyncio.run(_verify_preview(app))


async def _verify_preview(app) -> None:
    from state.targets.verify import planned_checks

    async with app.run_test(size=(120, 40)) as pilot:
        screen = VerifyScreen("orders")
        await pilot.app.push_screen(screen)
        await _type(pilot, "port", "1")
        await _type(pilot, "server-name", "db.example.com")
        preview = screen.query_one("#verify-preview", Static)
        text = str(preview.render())
        planned = planned_checks(
            pilot.app.workspace.state, "orders", 1, server_name="db.example.com"
        )
        positions = [text.index(f"{n}. {check.title}") for n, check in enumerate(planned, 1)]
        assert positions == sorted(positions) and "matches db.example.com" in text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not preview.display
        assert screen.query_one("#verify-checks", DataTable).display
