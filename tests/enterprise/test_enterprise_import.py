"""Import from GET /v1/bdbs and GET /v1/cluster: a new state whose export gives the same TLS fields."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from state import store
from state.enterprise.importer import (
    describe_import,
    import_rest,
    import_to_new_state,
    plan_against_cluster,
    preview_import,
)
from state.enterprise.rest import (
    CLUSTER_HELD_SUFFIX,
    PLACEHOLDER_SUFFIX,
    cluster_certificate_status,
    database_body,
    rest_export,
)
from state.errors import StateFileError, WizardError
from state.model import State
from state.transitions import SourceUpdate, TlsUpdate, change_source, change_tls
from state.workspace import Workspace

SOURCE_PASSWORD = "replica-source-password"


def bdbs_json(state: State) -> list[dict]:
    """What GET /v1/bdbs returns for `state`'s databases: TLS fields plus the usual noise."""
    result = []
    for database in state.databases:
        bdb = {
            "uid": database.uid,
            "name": database.name,
            "port": database.port,
            "type": "redis",
            "memory_size": 1073741824,
            "crdt": database.is_active_active,
            "authentication_admin_pass": "admin-pass-not-for-the-state",
            "endpoints": [
                {"dns_name": f"redis-{database.port}.{state.cluster.fqdn}", "port": database.port}
            ],
            **database_body(state, database),
        }
        bdb["replica_sources"] = [
            {
                **entry,
                "uri": entry["uri"].replace("redis://", f"redis://admin:{SOURCE_PASSWORD}@"),
                "status": "in-sync",
                "uid": index + 1,
            }
            for index, entry in enumerate(bdb.get("replica_sources", []))
        ]
        if database.is_active_active:
            bdb["crdt_guid"] = f"1f0c{database.uid:04d}-5e6d-4c3b-9a21-0123456789ab"
        result.append(bdb)
    return result


def cluster_json(state: State) -> dict:
    return {
        "name": state.cluster.name,
        "min_data_TLS_version": state.cluster.min_data_tls_version,
        "proxy_certificate": state.certificate_pem("proxy"),
        "syncer_certificate": state.certificate_pem("syncer"),
        "cm_port": 8443,
    }


def bodies(state: State) -> dict[int, dict]:
    return {d.uid: database_body(state, d) for d in state.databases}


def varied(state: State) -> State:
    """Every mode and option at least once across the demo's databases."""
    state = change_tls(
        state,
        "orders",
        TlsUpdate(
            subject_validation="full-subject",
            authorized_subjects=[
                {"CN": "app1.example.com", "O": "Example", "OU": "Payments", "C": "GB"},
                {"CN": "app2.example.com", "L": "London", "ST": "England"},
            ],
        ),
    )
    state = change_tls(state, "cache", TlsUpdate(enabled=True, enforce_client_auth=False))
    return state


@pytest.mark.parametrize("vary", [False, True], ids=["demo", "every-mode"])
def test_round_trip_reproduces_the_tls_fields(demo: Workspace, vary: bool):
    original = varied(demo.state) if vary else demo.state
    result = import_rest(bdbs_json(original), cluster_json(original))
    assert bodies(result.state) == bodies(original)
    assert result.state.cluster.min_data_tls_version == original.cluster.min_data_tls_version


def test_round_trip_of_the_modes(demo: Workspace):
    imported = import_rest(bdbs_json(demo.state), cluster_json(demo.state)).state
    modes = {d.name: (d.tls.enabled, d.tls.mode, d.type) for d in imported.databases}
    assert modes == {
        "orders": (True, "all", "standard"),
        "sessions": (True, "replica-of", "standard"),
        "inventory": (True, "crdb", "active-active"),
        "cache": (False, "all", "standard"),
    }
    orders = imported.database("orders")
    assert orders.tls.subject_validation == "san"
    assert orders.tls.authorized_names == ["app1.example.com"]


def test_active_active_crdt_certificates_become_participants(demo: Workspace):
    imported = import_rest(bdbs_json(demo.state), cluster_json(demo.state))
    state = imported.state
    assert sorted(p.name for p in state.participants) == [
        "cluster2.example.com",
        "cluster3.example.com",
    ]
    inventory = state.database("inventory")
    assert inventory.participants == ["cluster2.example.com", "cluster3.example.com"]
    assert inventory.created_with_tls is True
    assert any("named by its CN" in note for note in imported.notes)


def test_replica_sources_keep_host_and_port_never_credentials(demo: Workspace):
    state = import_rest(bdbs_json(demo.state), cluster_json(demo.state)).state
    assert state.database("sessions").replica_of == ["redis-12001.cluster2.example.com:12001"]
    assert SOURCE_PASSWORD not in store.dumps(state)
    assert "admin-pass-not-for-the-state" not in store.dumps(state)


def test_the_replica_side_and_the_crdb_guid_are_kept(demo: Workspace):
    state = change_source(
        demo.state,
        "sessions",
        SourceUpdate("redis-12001.cluster2.example.com:12001", sni="redis.cluster2.example.com"),
    )
    imported = import_rest(bdbs_json(state), cluster_json(state)).state
    sessions, original = imported.database("sessions"), state.database("sessions")
    assert sessions.replica_sources == original.replica_sources
    assert sessions.replica_sources[0].encryption is True
    assert (
        imported.certificates[sessions.replica_sources[0].server_certificate]
        == (state.certificates[original.replica_sources[0].server_certificate])
    )
    assert imported.database("inventory").crdb_guid == "1f0c0003-5e6d-4c3b-9a21-0123456789ab"
    assert imported.database("orders").crdb_guid == ""
    assert store.parse(store.dumps(imported)).database("inventory").crdb_guid == (
        "1f0c0003-5e6d-4c3b-9a21-0123456789ab"
    )


def test_a_source_client_certificate_is_noted_not_kept(demo: Workspace):
    bdbs = bdbs_json(demo.state)
    sessions = next(b for b in bdbs if b["name"] == "sessions")
    sessions["replica_sources"][0]["client_cert"] = sessions["replica_sources"][0]["server_cert"]
    result = import_rest(bdbs, cluster_json(demo.state))
    assert any("client_cert" in note and "syncer" in note for note in result.notes)


def test_cluster_certificates_without_keys_are_cluster_held(demo: Workspace):
    result = import_rest(bdbs_json(demo.state), cluster_json(demo.state))
    state = result.state
    assert state.cluster.proxy.certificate == demo.state.cluster.proxy.certificate
    assert state.cluster.proxy.key_file.endswith(CLUSTER_HELD_SUFFIX)
    assert cluster_certificate_status(state.cluster.syncer) == "cluster-held"
    assert result.keys == {}
    paths = [r.path for r in rest_export(state).requests]
    assert "/v1/cluster/update_cert" not in paths


def test_certificates_endpoint_with_keys_are_own(demo: Workspace):
    cluster = {
        "name": "cluster1.example.com",
        "proxy_cert": demo.state.certificate_pem("proxy"),
        "proxy_key": demo.read_key("proxy").decode(),
    }
    result = import_rest(bdbs_json(demo.state), cluster)
    assert cluster_certificate_status(result.state.cluster.proxy) == "own"
    assert result.keys == {
        "keys/proxy.key": demo.read_key("proxy"),
        f"keys/syncer{PLACEHOLDER_SUFFIX}": result.keys[f"keys/syncer{PLACEHOLDER_SUFFIX}"],
    }


def test_without_cluster_json_placeholders_and_a_name_from_the_endpoints(demo: Workspace):
    result = import_rest(bdbs_json(demo.state))
    state = result.state
    assert state.cluster.name == "cluster1.example.com"
    assert cluster_certificate_status(state.cluster.proxy) == "placeholder"
    assert cluster_certificate_status(state.cluster.syncer) == "placeholder"
    assert any("placeholder" in note for note in result.notes)
    assert rest_export(state).requests[0].path == "/v1/cluster"


def test_legacy_authorized_names_and_ssl(demo: Workspace):
    bdb = {
        "uid": 7,
        "name": "legacy",
        "port": 13000,
        "ssl": True,
        "enforce_client_authentication": "disabled",
        "client_cert_subject_validation_type": "san_cn",
        "authorized_names": ["a.example.com", "b.example.com"],
    }
    database = import_rest([bdb], {"name": "c"}).state.database("legacy")
    assert database.tls.enabled and database.tls.mode == "all"
    assert database.tls.enforce_client_auth is False
    assert database.tls.authorized_names == ["a.example.com", "b.example.com"]


@pytest.mark.parametrize(
    ("bdb", "message"),
    [
        ({"name": "x", "port": 1}, r"bdbs\[0\]\.uid: is missing"),
        ({"uid": 1, "name": "x", "port": 1, "tls_mode": "on"}, "'on' is not one of enabled"),
        ({"uid": 1, "name": "x"}, "port: is missing"),
        (
            {
                "uid": 1,
                "name": "x",
                "port": 1,
                "authentication_ssl_client_certs": [{"client_cert": "junk"}],
            },
            r"authentication_ssl_client_certs\[0\]",
        ),
        (
            {"uid": 1, "name": "x", "port": 1, "replica_sources": [{"uri": "nowhere"}]},
            "not a redis:// or rediss:// URI",
        ),
        (
            {"uid": 1, "name": "x", "port": 1, "authorized_subjects": [{"O": "no CN"}]},
            r"authorized_subjects\[0\]\.CN: is required",
        ),
    ],
)
def test_bad_json_is_one_clear_error(bdb: dict, message: str):
    with pytest.raises(WizardError, match=message):
        import_rest([bdb], {"name": "c1"})


def test_two_databases_on_one_port_is_refused():
    bdbs = [{"uid": 1, "name": "a", "port": 1}, {"uid": 2, "name": "b", "port": 1}]
    with pytest.raises(WizardError, match="two databases share port 1"):
        import_rest(bdbs, {"name": "c1"})


def write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(value))
    return path


def test_import_writes_a_new_state_and_refuses_to_overwrite(demo: Workspace, tmp_path: Path):
    bdbs = write_json(tmp_path / "bdbs.json", bdbs_json(demo.state))
    target = tmp_path / "new" / "tls-wizard.toml"
    target.parent.mkdir()
    imported = import_to_new_state(target, bdbs)
    workspace = imported.workspace
    assert store.load(target).revision == 1
    assert [d.name for d in imported.result.state.databases] == [
        d.name for d in workspace.state.databases
    ]
    key = workspace.key_path(workspace.state.cluster.proxy.key_file)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = target.read_bytes()
    with pytest.raises(StateFileError, match="already exists; it was not overwritten"):
        import_to_new_state(target, bdbs)
    assert target.read_bytes() == before


def test_import_of_a_bad_file_writes_nothing(tmp_path: Path):
    bad = tmp_path / "bdbs.json"
    bad.write_text("{not json")
    target = tmp_path / "tls-wizard.toml"
    with pytest.raises(WizardError, match="not valid JSON"):
        import_to_new_state(target, bad)
    assert not target.exists() and not (tmp_path / "keys").exists()


def test_cli_import_then_export(cli, demo: Workspace, tmp_path: Path):
    bdbs = write_json(tmp_path / "bdbs.json", bdbs_json(demo.state))
    cluster = write_json(tmp_path / "cluster.json", cluster_json(demo.state))
    target = tmp_path / "imported.toml"
    result = cli(
        "--state", str(target), "import", "rest", "--bdbs", str(bdbs), "--cluster", str(cluster)
    )
    assert result.code == 0, result.err
    assert "imported cluster cluster1.example.com: 4 database(s)" in result.out
    assert "without its key" in result.err
    exported = cli("--state", str(target), "export", "rest", "--json")
    requests = json.loads(exported.out)["requests"]
    assert {r["path"]: r["body"] for r in requests if r["path"].startswith("/v1/bdbs/")} == {
        f"/v1/bdbs/{uid}": body for uid, body in bodies(demo.state).items()
    }
    again = cli("--state", str(target), "import", "rest", "--bdbs", str(bdbs))
    assert again.code == 1 and "it was not overwritten" in again.err
    missing = cli("--state", str(tmp_path / "x.toml"), "import", "rest", "--bdbs", "nope.json")
    assert missing.code == 1 and missing.err.strip() == "tls-wizard: --bdbs nope.json: no such file"


def test_preview_writes_nothing_and_describes_the_result(demo: Workspace, tmp_path: Path):
    bdbs = write_json(tmp_path / "bdbs.json", bdbs_json(demo.state))
    before = sorted(tmp_path.rglob("*"))
    result = preview_import(bdbs)
    assert sorted(tmp_path.rglob("*")) == before
    assert result.keys == {} and result.state.cluster.proxy is None
    lines = describe_import(result)
    assert lines[0] == "cluster cluster1.example.com: minimum data TLS version 1.2, 4 database(s)"
    assert "  orders (uid 1, port 12000): TLS all, 1 certificate(s), san validation" in lines
    assert "  cache (uid 4, port 12003): TLS off" in lines
    assert any(line.startswith("note: the cluster JSON has no proxy certificate") for line in lines)


def test_plan_against_the_cluster_shows_only_what_differs(demo: Workspace, tmp_path: Path):
    bdbs = write_json(tmp_path / "bdbs.json", bdbs_json(demo.state))
    cluster = write_json(tmp_path / "cluster.json", cluster_json(demo.state))
    assert plan_against_cluster(demo.state, bdbs, cluster) == []
    changed = change_tls(demo.state, "orders", TlsUpdate(enforce_client_auth=False))
    changed.cluster.min_data_tls_version = "1.3"
    changes = plan_against_cluster(changed, bdbs, cluster)
    assert [(c.object, c.field, c.before, c.after) for c in changes] == [
        ("cluster", "min_data_tls_version", "1.2", "1.3"),
        ("databases.orders", "tls.enforce_client_auth", "yes", "no"),
    ]


def test_cli_plan_writes_nothing(cli, demo: Workspace, demo_path: Path, tmp_path: Path):
    bdbs = write_json(tmp_path / "bdbs.json", bdbs_json(demo.state))
    cluster = write_json(tmp_path / "cluster.json", cluster_json(demo.state))
    before = demo_path.read_bytes()
    args = ["--state", str(demo_path), "import", "rest", "--plan", "--bdbs", str(bdbs)]
    result = cli(*args, "--cluster", str(cluster))
    assert result.code == 0, result.err
    assert result.out == "no changes\n"
    enable = TlsUpdate(enabled=True, enforce_client_auth=False)
    demo.update(lambda s: change_tls(s, "cache", enable), "cache TLS on")
    result = cli(*args, "--cluster", str(cluster))
    assert "databases.cache:\n  ~ tls.enabled: no -> yes" in result.out
    assert demo_path.read_bytes() != before  # only the update above wrote
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bdbs.json", "cluster.json", "state"]


def test_what_the_state_file_would_refuse_is_refused_at_import():
    bdb = {"uid": 1, "name": " ", "port": 12000}
    with pytest.raises(
        WizardError, match=r"does not make a valid state: databases\[0\]\.name: is empty"
    ):
        import_rest([bdb], {"name": "c1"}, placeholders=False)
