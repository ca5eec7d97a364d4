"""`db show` and the rules' note say what each mode does to client traffic: in Replica Of
only and CRDB only modes clients use plain text, so "traffic is encrypted" is never said
of them."""

from __future__ import annotations

import pytest

from state.cli import main
from state.model import TlsSettings
from state.tls_effect import client_auth_effect, mode_effect
from state.transitions import TlsUpdate, create_database
from state.workspace import Workspace, init_state


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    path = tmp_path_factory.mktemp("effect") / "tls-wizard.toml"
    workspace = init_state(path, "cluster1.example.com")
    state = workspace.state
    for name, port, mode in (("plain", 12000, "replica-of"), ("secure", 12001, "all")):
        change = TlsUpdate(enabled=True, mode=mode, enforce_client_auth=False)
        state = create_database(state, name, port, tls=change)
    workspace.commit(state, "test: databases")
    return workspace


def _show(capsys, ws: Workspace, name: str) -> str:
    capsys.readouterr()
    assert main(["--state", str(ws.path), "db", "show", name]) == 0
    return capsys.readouterr().out


def test_replica_of_only_without_client_auth_says_clients_use_plain_text(ws, capsys):
    out = _show(capsys, ws, "plain")
    assert "traffic is encrypted" not in out
    assert "clients connect in plain text (not encrypted)" in out
    assert "the replication link is encrypted but replicas are not authenticated" in out


def test_all_communications_without_client_auth_says_traffic_is_encrypted(ws, capsys):
    out = _show(capsys, ws, "secure")
    assert "clients and replication connect with TLS only" in out
    assert "traffic is encrypted but clients are not authenticated" in out


@pytest.mark.parametrize("mode", ["replica-of", "crdb"])
def test_the_link_modes_never_call_client_traffic_encrypted(mode):
    for enforced in (True, False):
        tls = TlsSettings(enabled=True, mode=mode, enforce_client_auth=enforced)
        assert "plain text" in mode_effect(tls)
        assert "traffic is encrypted" not in client_auth_effect(tls)
