"""The mapping from a database to redis-server settings, without any server: every mode,
what is reported as not enforced, content-named files, and the refusals before anything
changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from state.certificates import describe_pem
from state.certificates.issue import new_private_key, private_key_pem
from state.demo import build_demo
from state.errors import WizardError
from state.targets.redis_apply import compare
from state.targets.redis_plan import (
    FILE_SETTINGS,
    REPLICA_OF_TLS_PORT_OFFSET,
    build_plan,
    tls_folder_name,
)
from state.transitions import (
    SourceUpdate,
    TlsUpdate,
    change_source,
    change_tls,
    create_database,
    set_min_tls_version,
)
from state.workspace import Workspace, init_state


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo")).parent


@pytest.fixture
def ws(demo_template: Path, tmp_path: Path) -> Workspace:
    shutil.copytree(demo_template, tmp_path / "demo")
    return Workspace.open(tmp_path / "demo" / "tls-wizard.toml")


def with_app1(ws: Workspace) -> Workspace:
    """orders trusting the app1 client certificate itself beside its CA (and so with no
    subject validation: the product skips it once a leaf is trusted)."""
    from state.certificates import read_certificate_file

    app1 = read_certificate_file(ws.folder / "samples" / "app1.pem")[0]
    ws.state = change_tls(
        ws.state, "orders", TlsUpdate(add_certificates=[app1], subject_validation="none")
    )
    return ws


def plan_for(ws: Workspace, name: str, **options):
    folder = ws.folder / tls_folder_name(ws.state, name)
    return build_plan(ws.state, name, folder, ws.read_key, **options)


def test_all_communications_moves_the_port_to_tls(ws):
    plan = plan_for(ws, "orders")
    assert plan.settings["tls-port"] == "12000" and plan.settings["port"] == "0"
    assert plan.settings["tls-auth-clients"] == "yes"
    assert plan.settings["tls-protocols"] == "TLSv1.2 TLSv1.3"
    assert plan.settings["tls-replication"] == "no"
    assert plan.settings["tls-client-cert-file"] == ""
    assert plan.replica_of == "no one"
    roles = {f.role: f for f in plan.files}
    assert set(roles) == {"proxy certificate", "proxy key", "trusted certificates"}
    assert roles["proxy key"].mode == 0o600 and roles["proxy certificate"].mode == 0o644
    for planned in plan.files:
        assert planned.path.is_absolute() and planned.path.parent == ws.folder / "tls" / "db-1"
    assert plan.settings["tls-cert-file"] == str(roles["proxy certificate"].path)
    trusted = roles["trusted certificates"].data.decode()
    database = ws.state.database("orders")
    assert trusted == "".join(ws.state.certificates[sha] for sha in database.tls.certificates)


def test_files_are_named_after_their_content(ws):
    with_app1(ws)
    first = {f.role: f.path.name for f in plan_for(ws, "orders").files}
    assert first == {f.role: f.path.name for f in plan_for(ws, "orders").files}
    state = change_tls(
        ws.state,
        "orders",
        TlsUpdate(remove_certificates=[ws.state.database("orders").tls.certificates[1]]),
    )
    ws.state = state
    second = {f.role: f.path.name for f in plan_for(ws, "orders").files}
    assert second["proxy certificate"] == first["proxy certificate"]
    assert second["trusted certificates"] != first["trusted certificates"]


def test_subject_validation_is_reported_as_not_enforced(ws):
    plan = plan_for(ws, "orders")
    [note] = plan.not_enforced
    assert note.setting == "subject validation (san: app1.example.com)"
    assert "does not compare SAN" in note.detail


def test_replica_of_only_keeps_plaintext_and_presents_the_syncer(ws):
    plan = plan_for(ws, "sessions")
    assert plan.settings["port"] == "12001"
    assert plan.settings["tls-port"] == str(12001 + REPLICA_OF_TLS_PORT_OFFSET)
    assert plan.settings["tls-replication"] == "yes"
    assert plan.replica_of == "redis-12001.cluster2.example.com 12001"
    roles = {f.role: f for f in plan.files}
    assert roles["syncer key"].mode == 0o600
    assert plan.settings["tls-client-cert-file"] == str(roles["syncer certificate"].path)
    assert plan_for(ws, "sessions", tls_port=16000).settings["tls-port"] == "16000"
    with pytest.raises(WizardError, match="--tls-port"):
        plan_for(ws, "sessions", tls_port=12001)


def test_a_replica_trusts_the_source_clusters_proxy_certificate_in_its_ca_file(ws):
    """The replica side: tls-ca-cert-file holds the database's own trusted certificates and
    the proxy certificate of the source cluster, which is what the replica verifies."""
    sessions = ws.state.database("sessions")
    source_proxy = ws.state.certificates[sessions.replica_sources[0].server_certificate]
    plan = plan_for(ws, "sessions")
    bundle = {f.role: f for f in plan.files}["trusted certificates"].data.decode()
    assert source_proxy in bundle
    for sha in sessions.tls.certificates:
        assert ws.state.certificates[sha] in bundle


def test_a_source_without_encryption_replicates_in_plain_text(ws):
    uri = ws.state.database("sessions").replica_of[0]
    state = change_source(ws.state, "sessions", SourceUpdate(uri, encryption=False))
    plan = build_plan(state, "sessions", ws.folder / "tls", ws.read_key)
    assert plan.settings["tls-replication"] == "no"
    assert plan.settings["tls-client-cert-file"] == ""
    bundle = {f.role: f for f in plan.files}["trusted certificates"].data.decode()
    assert (
        state.certificates[state.database("sessions").replica_sources[0].server_certificate]
        not in bundle
    )
    assert any("without encryption" in note for note in plan.notes)


def test_an_encrypted_source_needs_tls_settings_even_with_the_databases_tls_off(ws):
    uri = ws.state.database("sessions").replica_of[0]
    state = change_tls(ws.state, "sessions", TlsUpdate(enabled=False))
    plan = build_plan(state, "sessions", ws.folder / "tls", ws.read_key)
    assert plan.settings["tls-replication"] == "yes"
    assert plan.settings["port"] == "12001"
    roles = {f.role: f for f in plan.files}
    assert (
        roles["trusted certificates"].data.decode()
        == state.certificates[state.database("sessions").replica_sources[0].server_certificate]
    )
    state = change_source(state, "sessions", SourceUpdate(uri, encryption=False))
    plain = build_plan(state, "sessions", ws.folder / "tls", ws.read_key)
    assert plain.settings == {
        **CLEARED_FILES,
        "tls-replication": "no",
        "tls-port": "0",
        "port": "12001",
    }


CLEARED_FILES = dict.fromkeys(FILE_SETTINGS, "")
"""TLS off clears the files too, so a CONFIG REWRITE leaves no stale certificate paths."""


def test_tls_off_closes_the_tls_port_and_clears_its_files(ws):
    plan = plan_for(ws, "cache")
    assert plan.settings == {
        **CLEARED_FILES,
        "tls-replication": "no",
        "tls-port": "0",
        "port": "12003",
    }
    assert plan.files == [] and not plan.tls_enabled


def test_crdb_and_participants_are_reported_as_not_enforced(ws):
    plan = plan_for(ws, "inventory")
    assert plan.settings["tls-port"] == "0" and plan.settings["port"] == "12002"
    settings = [n.setting for n in plan.not_enforced]
    assert "TLS for CRDB communication" in settings
    assert any(s.startswith("participating clusters (cluster2") for s in settings)


def test_only_the_first_replica_of_source_is_configured(ws):
    state = create_database(
        ws.state, "twosources", 13000, replica_of=["a.example.com:1", "b.example.com:2"]
    )
    ws.state = state
    plan = plan_for(ws, "twosources")
    assert plan.replica_of == "a.example.com 1"
    assert [n.setting for n in plan.not_enforced] == [
        "Replica Of sources after the first (b.example.com:2)"
    ]


@pytest.mark.parametrize(
    ("version", "protocols"),
    [
        ("1", "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"),
        ("1.1", "TLSv1.1 TLSv1.2 TLSv1.3"),
        ("1.2", "TLSv1.2 TLSv1.3"),
        ("1.3", "TLSv1.3"),
    ],
)
def test_minimum_version_lists_every_version_from_it_up(ws, version, protocols):
    ws.state = set_min_tls_version(ws.state, version)
    plan = plan_for(ws, "orders")
    assert plan.settings["tls-protocols"] == protocols
    old = any("security level 0" in note for note in plan.notes)
    assert old == (version in ("1", "1.1"))


def test_a_key_that_does_not_match_is_refused_before_anything(ws):
    ref = ws.state.cluster.proxy
    ws.key_path(ref.key_file).write_bytes(private_key_pem(new_private_key()))
    with pytest.raises(WizardError, match="does not match the proxy certificate"):
        plan_for(ws, "orders")


def test_no_trusted_certificate_with_client_auth_is_refused(ws):
    state = ws.state.copy()
    state.database("orders").tls.certificates = []
    ws.state = state
    with pytest.raises(WizardError, match="trusts no certificate"):
        plan_for(ws, "orders")


def test_unknown_database_names_the_known_ones(ws):
    with pytest.raises(WizardError, match="databases: orders, sessions"):
        plan_for(ws, "nope")


def test_compare_marks_what_changes():
    class Plan:
        settings = {"tls-port": "12000", "port": "0"}
        replica_of = "no one"

    changes = compare(Plan(), {"tls-port": "0", "port": "0", "replicaof": "no one"})  # type: ignore[arg-type]
    assert [(c.setting, c.changed) for c in changes] == [
        ("tls-port", True),
        ("port", False),
        ("replicaof", False),
    ]


def test_a_client_certificate_trusted_without_its_ca_is_named_before_applying(ws):
    with_app1(ws)
    database = ws.state.database("orders")
    certificates = {
        sha: describe_pem(ws.state.certificates[sha]) for sha in database.tls.certificates
    }
    cas = [sha for sha, cert in certificates.items() if cert.is_ca]
    assert cas and not any(
        "without its CA" in n.setting for n in plan_for(ws, "orders").not_enforced
    )
    ws.state = change_tls(ws.state, "orders", TlsUpdate(remove_certificates=cas))
    notes = [n for n in plan_for(ws, "orders").not_enforced if "without its CA" in n.setting]
    assert [n.setting for n in notes] == ["trusting CN=app1.example.com without its CA"]
    assert "redis-server refuses this client" in notes[0].detail
    assert "add the CA that issued it" in notes[0].detail


def test_check_says_the_same_for_the_redis_target(ws):
    """`check` (the rules plus the inspector) names the same client, as an info: Redis
    Enterprise, the state's own target, accepts it."""
    from state.rules import check_state_with_certificates

    with_app1(ws)
    database = ws.state.database("orders")
    cas = [
        sha for sha in database.tls.certificates if describe_pem(ws.state.certificates[sha]).is_ca
    ]
    before = [f for f in check_state_with_certificates(ws.state) if f.code == "leaf-without-ca"]
    assert before == []
    state = change_tls(ws.state, "orders", TlsUpdate(remove_certificates=cas))
    after = [f for f in check_state_with_certificates(state) if f.code == "leaf-without-ca"]
    assert [(f.severity, f.where) for f in after] == [
        ("info", "databases.orders.tls.certificates[0]")
    ]
    assert "a redis-server refuses it" in after[0].message


def test_the_tls_folder_is_named_by_uid_never_by_the_name(tmp_path: Path) -> None:
    state = init_state(tmp_path / "tls-wizard.toml", "cluster1.example.com").state
    state = create_database(create_database(state, "orders", 12000), "sessions", 12001)
    folders = {tls_folder_name(state, d.name) for d in state.databases}
    assert folders == {f"tls/db-{d.uid}" for d in state.databases}
    assert len(folders) == 2 and not any("orders" in f or "sessions" in f for f in folders)
    with pytest.raises(
        WizardError, match=r"no database named .nope. \(databases: orders, sessions\)"
    ):
        tls_folder_name(state, "nope")
