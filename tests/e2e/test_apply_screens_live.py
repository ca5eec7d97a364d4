"""The Apply to server and Verify screens against a real redis-server: the workers run the
same operations as the CLI, and the tables show what the server now does."""

from __future__ import annotations

import asyncio

import pytest
from e2e_helpers import add_database, answers, free_port, listening, plain_client
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
        # Cells are plain Text (untrusted values are never markup): compare their text.
        cells = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        rows = {row[1]: row for row in cells}
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
        assert "All 7 checks passed" in status, status


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


def test_apply_refuses_a_state_another_writer_saved_since(redis_servers, workspace, pki):
    """The screen holds revision N; the CLI saves N+1 (a CA removed): Apply sends nothing
    and offers the same reload dialog as Update."""
    from e2e_helpers import update_tls

    from state.transitions import TlsUpdate
    from state.workspace import Workspace
    from tui.dialogs.stale import StaleStateDialog

    server = redis_servers()
    add_database(workspace, "orders", free_port(), enforce=False)
    held = Workspace.open(workspace.path)
    update_tls(workspace, "orders", TlsUpdate(enforce_client_auth=False, mode="replica-of"))
    asyncio.run(_stale_apply(held, server, StaleStateDialog))
    with plain_client(server.port) as client:
        assert client.config_get("tls-port")["tls-port"] == "0"


async def _stale_apply(held, server, dialog) -> None:
    app = WizardApp(held.path, workspace=held, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        apply = ApplyScreen("orders")
        await app.push_screen(apply)
        await _fill(pilot, {"url": server.url})
        await pilot.press("ctrl+s")
        await _wait(pilot)
        assert isinstance(app.screen, dialog)
        status = str(apply.query_one("#apply-status", Static).render())
        assert "Nothing was changed" in status and "newer revision" in status


def test_promoting_a_replica_on_screen_asks_first(redis_servers, workspace, pki):
    from tui.dialogs.confirm import ConfirmDialog

    source = redis_servers()
    replica = redis_servers(f"replicaof 127.0.0.1 {source.port}")
    port = free_port()
    add_database(workspace, "cache", port, enforce=False, mode="replica-of")
    tls_port = free_port()
    asyncio.run(_confirm_promotion(workspace, replica, tls_port, ConfirmDialog))
    assert answers(tls_port) == "PONG"
    with plain_client(port) as client:
        assert client.info("replication")["role"] == "master"


async def _confirm_promotion(workspace, replica, tls_port: int, dialog) -> None:
    app = WizardApp(workspace.path, workspace=workspace, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        apply = ApplyScreen("cache")
        await app.push_screen(apply)
        await _fill(pilot, {"url": replica.url, "tls-port": str(tls_port)})
        await pilot.press("ctrl+s")
        await _wait(pilot)
        await pilot.pause()
        status = str(apply.query_one("#apply-status", Static).render())
        assert isinstance(app.screen, dialog), status
        assert "PROMOTED" in str(app.screen.query_one(".dialog-message", Static).render())
        with plain_client(replica.port) as client:
            assert client.info("replication")["role"] == "slave"  # nothing yet
        await pilot.press("a")  # Apply anyway
        await _wait(pilot)
        status = str(apply.query_one("#apply-status", Static).render())
        assert "Applied" in status, status
