"""The Apply to server and Verify screens against a real redis-server: the workers run the
same operations as the CLI, and the tables show what the server now does."""

from __future__ import annotations

import asyncio

import pytest
from e2e_helpers import add_database, answers, free_port, listening
from textual.widgets import DataTable, Input, Static

from tui.app import WizardApp
from tui.screens.apply import ApplyScreen, VerifyScreen

pytestmark = pytest.mark.e2e


async def _fill(pilot, values: dict[str, str]) -> None:
    for widget_id, value in values.items():
        pilot.app.screen.query_one(f"#{widget_id}", Input).value = value
    await pilot.pause()


async def _wait(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_apply_then_verify_on_screen(redis_servers, workspace, pki):
    server = redis_servers()
    port = free_port()
    add_database(workspace, "orders", port, trusted=[pki.pem("client-ca")])
    client = {"client-cert": str(pki.files["app1.pem"]), "client-key": str(pki.files["app1.key"])}
    asyncio.run(_apply_then_verify(workspace, server, port, client))
    assert not listening(server.port)
    assert answers(port, cert=(pki.files["app1.pem"], pki.files["app1.key"])) == "PONG"


async def _apply_then_verify(workspace, server, port, client) -> None:
    app = WizardApp(workspace.path, workspace=workspace, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        apply = ApplyScreen("orders")
        await app.push_screen(apply)
        await _fill(pilot, {"url": server.url, **client})
        await pilot.press("ctrl+s")
        await _wait(pilot)
        status = str(apply.query_one("#apply-status", Static).render())
        assert "Applied 2 step(s)" in status, status
        assert f"reach it at rediss://127.0.0.1:{port}" in status
        table = apply.query_one("#apply-plan", DataTable)
        rows = {table.get_row_at(i)[1]: table.get_row_at(i) for i in range(table.row_count)}
        assert rows["tls-port"][2:] == ["0", str(port)]
        log = str(apply.query_one("#apply-log", Static).render())
        assert "checked: TLS handshake" in log

        await app.pop_screen()
        verify = VerifyScreen("orders")
        await app.push_screen(verify)
        assert verify.query_one("#port", Input).value == str(port)
        await _fill(pilot, {"server-name": "cluster1.example.com", **client})
        await pilot.press("ctrl+s")
        await _wait(pilot)
        status = str(verify.query_one("#verify-status", Static).render())
        assert "All 6 checks passed" in status, status


def test_a_failed_apply_shows_the_rollback(redis_servers, workspace, pki):
    server = redis_servers()
    add_database(workspace, "orders", free_port(), trusted=[pki.pem("client-ca")])
    rogue = {"client-cert": str(pki.files["rogue.pem"]), "client-key": str(pki.files["rogue.key"])}
    asyncio.run(_failed_apply(workspace, server, rogue))
    assert listening(server.port)


async def _failed_apply(workspace, server, client) -> None:
    app = WizardApp(workspace.path, workspace=workspace, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        apply = ApplyScreen("orders")
        await app.push_screen(apply)
        await _fill(pilot, {"url": server.url, **client})
        await pilot.press("ctrl+s")
        await _wait(pilot)
        status = str(apply.query_one("#apply-status", Static).render())
        assert "Failed and rolled back" in status and "refused your client" in status
        log = str(apply.query_one("#apply-log", Static).render())
        assert "rolled back: tls-cert-file" in log
        assert "CONFIG GET shows every setting as before apply" in log
