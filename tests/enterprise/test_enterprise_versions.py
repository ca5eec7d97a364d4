"""Version-aware renderings and apply against a test cluster that behaves by version.

Each test sets the state's Redis Enterprise version and runs the renderings, the rules
and `apply` against a local HTTPS API that refuses what the documentation says a cluster
of that version refuses (fake_cluster.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_cluster import PASSWORD, USER, FakeCluster, ServedCluster

from state.enterprise.client import apply
from state.enterprise.importer import import_rest
from state.enterprise.rest import database_body, render_curl, render_json, rest_export
from state.enterprise.rladmin import render_rladmin
from state.errors import RefusedError, WizardError
from state.rules import check_state
from state.transitions import TlsUpdate, change_tls, set_cluster_version
from state.versions import allowed_min_tls, normalize_version, parse_version
from state.workspace import Workspace

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def served(api_files: dict, demo: Workspace) -> Iterator:
    """Start a test cluster of a given version: `served("7.4.2")`."""
    running: list[ServedCluster] = []

    def start(version: str) -> FakeCluster:
        cluster = FakeCluster(
            USER, PASSWORD, uids={d.uid for d in demo.state.databases}, version=version
        )
        server = ServedCluster(cluster, api_files["cert"], api_files["key"])
        running.append(server)
        return server.__enter__()

    yield start
    for server in running:
        server.__exit__(None, None, None)


def with_version(demo: Workspace, version: str, min_tls: str | None = None) -> Workspace:
    """The demo at `version` (and minimum TLS), in memory as a hand-edited file could hold it."""
    state = set_cluster_version(demo.state, version)
    if min_tls is not None:
        state.cluster.min_data_tls_version = min_tls
    demo.state = state
    return demo


def changes(cluster: FakeCluster) -> list:
    return [r for r in cluster.received if r.method == "PUT" and r.query != "dry_run"]


def run(demo: Workspace, cluster: FakeCluster, ca: Path, **kwargs):
    kwargs.setdefault("poll_seconds", 0.01)
    return apply(demo, cluster.url, USER, PASSWORD, ca=ca, **kwargs)


# -- the versions themselves ----------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "allowed"),
    [
        ("", ("1", "1.1", "1.2", "1.3")),
        ("6.2.18", ("1", "1.1", "1.2")),
        ("7.2.4", ("1", "1.1", "1.2")),
        ("7.4.1", ("1", "1.1", "1.2")),
        ("7.4.2", ("1.2", "1.3")),
        ("7.22.2", ("1.2", "1.3")),
        ("8.0.2", ("1.2", "1.3")),
    ],
)
def test_allowed_minimum_tls_by_version(version, allowed):
    assert allowed_min_tls(version) == allowed


def test_versions_parse_as_nodes_report_them():
    assert parse_version("7.22.2-14") == (7, 22, 2)
    assert normalize_version("7.8") == "7.8.0"
    assert normalize_version("") == ""
    for bad in ("7", "seven", "7.4.2.1", "7.4.2-", "-7.4"):
        with pytest.raises(WizardError, match="not a Redis Enterprise version"):
            parse_version(bad)


# -- minimum TLS version --------------------------------------------------------------


@pytest.mark.parametrize(("version", "value"), [("7.4.2", "1.1"), ("7.4.2", "1"), ("7.2.4", "1.3")])
def test_refused_minimum_tls_is_refused_before_anything_is_sent(
    demo, served, api_files, version, value
):
    cluster = served(version)
    with_version(demo, version, value)
    findings = [f for f in check_state(demo.state) if f.code == "min-tls-refused"]
    assert findings and version in findings[0].message and findings[0].severity == "error"
    with pytest.raises(RefusedError, match=version):
        run(demo, cluster, api_files["ca"])
    with pytest.raises(WizardError, match=f"Redis Enterprise {version} does not accept"):
        rest_export(demo.state)
    with pytest.raises(WizardError, match=version):
        render_rladmin(demo.state)
    assert cluster.received == []


def test_unknown_version_warns_and_the_advance_check_stops_before_certificates(
    demo, served, api_files
):
    """No version in the state: 1.3 is accepted with a warning naming who refuses it; a
    7.2.4 cluster refuses it in the dry run sent before the certificates are swapped."""
    demo.state.cluster.min_data_tls_version = "1.3"
    warning = [f for f in check_state(demo.state) if f.code == "min-tls-version-dependent"]
    assert warning and "before 7.4.2" in warning[0].message
    cluster = served("7.2.4")
    report = run(demo, cluster, api_files["ca"])
    assert report.failed.request.path == "/v1/cluster"
    assert "advance check" in report.failed.message
    assert changes(cluster) == []
    assert "applied: nothing" in report.summary()


def test_cli_cluster_config_version_and_min_tls(cli, demo_path):
    assert cli("--state", str(demo_path), "cluster", "config", "version", "7.4.2").code == 0
    refused = cli("--state", str(demo_path), "cluster", "config", "min_data_TLS_version", "1.1")
    assert refused.code == 1 and "Redis Enterprise 7.4.2 does not accept" in refused.err
    ok = cli("--state", str(demo_path), "cluster", "config", "min_data_TLS_version", "1.3")
    assert ok.code == 0 and "on every node" in ok.out
    older = cli("--state", str(demo_path), "cluster", "config", "version", "7.2.4")
    assert older.code == 1 and "min-tls-refused" in older.err
    bad = cli("--state", str(demo_path), "cluster", "config", "version", "latest")
    assert bad.code == 1 and "not a Redis Enterprise version" in bad.err
    usage = cli("--state", str(demo_path), "cluster", "config", "min_data_TLS_version", "2")
    assert usage.code == 2
    shown = json.loads(cli("--state", str(demo_path), "cluster", "show", "--json").out)
    assert shown["version"] == "7.4.2" and shown["min_data_tls_version"] == "1.3"


# -- certificates endpoint ------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "paths"),
    [
        ("", ["/v1/cluster/update_cert"] * 2),
        ("7.8.2", ["/v1/cluster/update_cert"] * 2),
        ("7.22.0", ["/v1/cluster/update_cert"] * 2),
        ("7.22.2", ["/v1/cluster/certificates"]),
    ],
)
def test_certificates_endpoint_follows_the_version(demo, served, api_files, version, paths):
    cluster = served(version or "7.22.2")
    with_version(demo, version)
    report = run(demo, cluster, api_files["ca"])
    assert report.failed is None, report.summary()
    assert [r.path for r in changes(cluster)][: len(paths)] == paths
    assert cluster.violations == []


def test_certificates_endpoint_refused_before_7_22(demo, served, api_files):
    cluster = served("7.8.2")
    with_version(demo, "7.8.2")
    with pytest.raises(WizardError, match=re.escape("7.8.2 has no PUT /v1/cluster/certificates")):
        run(demo, cluster, api_files["ca"], bulk_certificates=True)
    assert cluster.received == []
    run(with_version(demo, "7.22.2"), cluster, api_files["ca"], bulk_certificates=False)
    assert [r.path for r in changes(cluster)][:2] == ["/v1/cluster/update_cert"] * 2


# -- subject fields -------------------------------------------------------------------


def test_before_6_4_2_only_authorized_names_are_sent(demo, served, api_files):
    cluster = served("6.2.18")
    with_version(demo, "6.2.18", "1.2")
    report = run(demo, cluster, api_files["ca"])
    assert report.failed is None, report.summary()
    orders = next(r.body for r in changes(cluster) if r.path == "/v1/bdbs/1")
    assert orders["authorized_names"] == ["app1.example.com"]
    assert "client_cert_subject_validation_type" not in orders
    assert "authorized_subjects" not in orders
    assert cluster.violations == []


def test_legacy_names_never_sends_the_6_4_2_fields(demo: Workspace):
    body = database_body(demo.state, demo.state.database("orders"), legacy_names=True)
    assert body["authorized_names"] == ["app1.example.com"]
    assert not {"client_cert_subject_validation_type", "authorized_subjects"} & set(body)


def test_full_subject_before_6_4_2_is_refused_with_the_version(demo, served, api_files):
    cluster = served("6.2.18")
    state = change_tls(
        demo.state,
        "orders",
        TlsUpdate(subject_validation="full-subject", authorized_subjects=[{"CN": "app1"}]),
    )
    demo.state = set_cluster_version(state, "6.2.18")
    found = [f for f in check_state(demo.state) if f.code == "full-subject-needs-6.4.2"]
    assert found and "6.2.18" in found[0].message
    with pytest.raises(RefusedError, match=re.escape("6.2.18")):
        run(demo, cluster, api_files["ca"])
    assert cluster.received == []


def test_a_current_cluster_refuses_what_the_old_form_would_send(demo, served, api_files):
    """The test cluster does check by version: 6.4.2 fields sent to 6.2.18 are refused."""
    cluster = served("6.2.18")
    report = run(demo, cluster, api_files["ca"])  # the state does not know the version
    assert report.failed is not None and report.failed.request.path == "/v1/bdbs/1"
    assert any("on 6.2.18" in v for v in cluster.violations)
    assert changes(cluster) == []


# -- enforce_client_authentication ----------------------------------------------------


def test_client_authentication_is_disabled_without_tls_or_certificates(demo: Workspace):
    cache = database_body(demo.state, demo.state.database("cache"))
    assert cache["tls_mode"] == "disabled"
    assert cache["enforce_client_authentication"] == "disabled"
    assert demo.state.database("cache").tls.enforce_client_auth is True
    state = change_tls(
        demo.state,
        "orders",
        TlsUpdate(
            enforce_client_auth=False,
            remove_certificates=list(demo.state.database("orders").tls.certificates),
        ),
    )
    orders = database_body(state, state.database("orders"))
    assert orders["enforce_client_authentication"] == "disabled"
    assert orders["authentication_ssl_client_certs"] == []


# -- Active-Active TLS toggle ---------------------------------------------------------


def toggled(demo: Workspace, version: str) -> Workspace:
    demo.state = set_cluster_version(
        change_tls(demo.state, "inventory", TlsUpdate(enabled=False)), version
    )
    return demo


def test_active_active_toggle_from_7_8_is_rendered_as_crdb_cli(demo, served, api_files):
    toggled(demo, "7.8.2")
    found = [f for f in check_state(demo.state) if f.code == "aa-tls-toggle"]
    assert [f.severity for f in found] == ["info"]
    command = "crdb-cli crdb update --crdb-guid <GUID> --encryption false"
    assert command in render_rladmin(demo.state).splitlines()
    curl = render_curl(rest_export(demo.state))
    assert f"# {command}" in curl.splitlines()
    assert json.loads(render_json(rest_export(demo.state)))["node_commands"][0]["command"] == (
        command
    )
    demo.state.database("inventory").crdb_guid = "1d4ac6b7-8b0b-4d2e-9c3a-52a5ad1f0b51"
    assert "crdb-cli crdb update --crdb-guid 1d4ac6b7-8b0b-4d2e-9c3a-52a5ad1f0b51 " in (
        render_rladmin(demo.state)
    )
    cluster = served("7.8.2")
    report = run(demo, cluster, api_files["ca"])
    assert report.failed is None, report.summary()
    inventory = next(r.body for r in changes(cluster) if r.path == "/v1/bdbs/3")
    assert inventory["tls_mode"] == "disabled"
    assert inventory["enforce_client_authentication"] == "disabled"


def test_active_active_toggle_before_7_8_is_refused(demo, served, api_files):
    toggled(demo, "7.4.2")
    found = [f for f in check_state(demo.state) if f.code == "aa-tls-toggle"]
    assert [f.severity for f in found] == ["error"] and "7.4.2" in found[0].message
    with pytest.raises(WizardError, match=re.escape("7.4.2 cannot turn TLS")):
        rest_export(demo.state)
    cluster = served("7.4.2")
    with pytest.raises(RefusedError, match="aa-tls-toggle"):
        run(demo, cluster, api_files["ca"])
    assert cluster.received == []


def test_active_active_toggle_with_unknown_version_warns(demo: Workspace):
    toggled(demo, "")
    found = [f for f in check_state(demo.state) if f.code == "aa-tls-toggle"]
    assert [f.severity for f in found] == ["warning"] and "7.8" in found[0].message


# -- actions --------------------------------------------------------------------------


def test_apply_follows_each_database_action_to_completion(demo, served, api_files):
    cluster = served("7.22.2")
    cluster.action_steps = [
        {"status": "queued", "progress": 0.0},
        {"status": "running", "progress": 50.0},
    ]
    looks = []
    report = run(demo, cluster, api_files["ca"], progress=looks.append)
    assert report.failed is None
    assert [o.status for o in report.outcomes][-4:] == ["ok"] * 4
    assert all("completed" in o.message for o in report.outcomes[-4:])
    first = [look for look in looks if look.request.path == "/v1/bdbs/1"]
    assert [(look.status, look.progress) for look in first] == [
        ("queued", 0.0),
        ("running", 50.0),
        ("completed", 100.0),
    ]
    assert "50%" in str(first[1])
    assert len(cluster.polls) == 12


def test_a_failed_action_stops_apply_and_says_so(demo, served, api_files):
    cluster = served("7.22.2")
    cluster.action_end = {
        "status": "failed",
        "progress": 30.0,
        "error_code": "bdb_update_failed",
        "error_message": "shard 3 did not restart",
    }
    report = run(demo, cluster, api_files["ca"])
    failed = report.failed
    assert failed.status == "failed" and failed.request.path == "/v1/bdbs/1"
    assert "failed: shard 3 did not restart" in failed.message
    assert [r.path for r in report.not_sent] == ["/v1/bdbs/2", "/v1/bdbs/3", "/v1/bdbs/4"]
    assert report.summary().splitlines()[1].startswith("failed: database orders (uid 1)")


def test_an_action_still_running_at_the_timeout_is_reported_as_pending(demo, served, api_files):
    cluster = served("7.22.2")
    cluster.action_end = {"status": "running", "progress": 70.0}
    report = run(demo, cluster, api_files["ca"], action_timeout=0.2, poll_seconds=0.05)
    pending = report.failed
    assert pending.status == "pending" and pending.request.path == "/v1/bdbs/1"
    assert "still running at 70%" in pending.message
    uid = cluster.polls[0]
    assert f"GET /v1/actions/{uid}" in pending.message
    assert report.summary().splitlines()[1].startswith("pending: database orders")


def test_the_documented_action_sample_completes(demo, served, api_files):
    """The `GET /v1/actions/{uid}` sample of the documentation (progress as a string)."""
    cluster = served("7.22.2")
    cluster.action_steps = []
    cluster.action_end = json.loads((SAMPLES / "action_v1.json").read_text())
    looks = []
    report = run(demo, cluster, api_files["ca"], progress=looks.append)
    assert report.failed is None
    assert looks[0].progress == 100.0 and looks[0].status == "completed"
    v2 = json.loads((SAMPLES / "action_v2.json").read_text())
    cluster.action_end = v2
    assert run(demo, cluster, api_files["ca"]).failed is None


def test_cli_apply_prints_the_progress(cli, demo_path, api, api_files, monkeypatch):
    monkeypatch.setenv("TLS_WIZARD_PASSWORD", PASSWORD)
    monkeypatch.setattr("state.enterprise.client.ACTION_POLL_SECONDS", 0.01)
    result = cli(
        "--state", str(demo_path), "apply", "enterprise", "--url", api.url, "--user", USER,
        "--ca", str(api_files["ca"]),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "... database orders (uid 1) TLS settings: action" in result.err
    assert "running 40%" in result.err
    assert "ok 200  PUT /v1/bdbs/1  (database orders (uid 1) TLS settings): action" in result.out


# -- import of the documented samples -------------------------------------------------


def test_import_reads_the_version_from_the_documented_nodes_sample():
    nodes = json.loads((SAMPLES / "nodes_status.json").read_text())
    result = import_rest([], {"name": "cluster1.example.com"}, nodes_json=nodes, placeholders=False)
    assert result.state.cluster.version == "7.4.6"
    assert any("2 node(s) without software_version" in n for n in result.notes)


def test_import_keeps_the_oldest_node_version_and_every_ou():
    nodes = [{"software_version": "7.22.2-14"}, {"software_version": "7.8.6-60"}]
    bdb = {
        "uid": 1,
        "name": "orders",
        "port": 12000,
        "tls_mode": "enabled",
        "enforce_client_authentication": "disabled",
        "client_cert_subject_validation_type": "full_subject",
        "authorized_subjects": [{"CN": "app1", "OU": ["Ops", "Payments"], "O": "Acme"}],
    }
    result = import_rest([bdb], {"name": "c1.example.com"}, nodes_json=nodes, placeholders=False)
    assert result.state.cluster.version == "7.8.6"
    assert any("different versions" in n for n in result.notes)
    subject = result.state.database("orders").tls.authorized_subjects[0]
    assert subject["OU"] == ["Ops", "Payments"]
    body = database_body(result.state, result.state.database("orders"))
    assert body["authorized_subjects"] == [{"CN": "app1", "O": "Acme", "OU": ["Ops", "Payments"]}]
    with pytest.raises(WizardError, match="no node has a software_version"):
        import_rest([bdb], {"name": "c1"}, nodes_json=[{"hostname": "x"}], placeholders=False)


def test_cli_import_with_nodes(cli, tmp_path):
    (tmp_path / "bdbs.json").write_text("[]")
    (tmp_path / "cluster.json").write_text(json.dumps({"name": "c1.example.com"}))
    state = tmp_path / "c1.toml"
    result = cli(
        "--state", str(state), "import", "rest", "--bdbs", str(tmp_path / "bdbs.json"),
        "--cluster", str(tmp_path / "cluster.json"), "--nodes", str(SAMPLES / "nodes_status.json"),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert 'version = "7.4.6"' in state.read_text()


# -- the sentinel restart -------------------------------------------------------------


def test_rladmin_says_every_node_for_the_sentinel_restart(demo: Workspace):
    text = render_rladmin(demo.state)
    lines = text.splitlines()
    restart = lines.index("supervisorctl restart sentinel_service")
    assert "EVERY node" in lines[restart - 1]
