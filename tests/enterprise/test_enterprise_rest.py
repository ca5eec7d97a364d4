"""The REST export: documented field names and values for every mode and kind of database."""

from __future__ import annotations

import json

import pytest

from state.enterprise.rest import (
    PLACEHOLDER_SUFFIX,
    database_body,
    render_curl,
    render_json,
    rest_export,
    with_keys,
)
from state.errors import WizardError
from state.model import ClusterCertificate, State
from state.transitions import SourceUpdate, TlsUpdate, change_source, change_tls
from state.workspace import Workspace


def body(state: State, name: str, **kwargs) -> dict:
    database = state.database(name)
    assert database is not None
    return database_body(state, database, **kwargs)


def pems(state: State, shas: list[str]) -> list[dict[str, str]]:
    return [{"client_cert": state.certificates[sha]} for sha in shas]


def test_all_communications_with_san_names(demo: Workspace):
    state = demo.state
    orders = state.database("orders")
    assert body(state, "orders") == {
        "tls_mode": "enabled",
        "enforce_client_authentication": "enabled",
        "authentication_ssl_client_certs": pems(state, orders.tls.certificates),
        "client_cert_subject_validation_type": "san_cn",
        "authorized_subjects": [{"CN": "app1.example.com"}],
    }


def test_legacy_names_send_authorized_names(demo: Workspace):
    result = body(demo.state, "orders", legacy_names=True)
    assert result["authorized_names"] == ["app1.example.com"]
    assert "authorized_subjects" not in result


def test_a_replica_sends_its_source_with_encryption_and_the_source_proxy_certificate(
    demo: Workspace,
):
    """The replica side (Encrypt replica database traffic): replica_sources[] carries
    encryption and the source cluster's proxy certificate as server_cert."""
    state = demo.state
    sessions = state.database("sessions")
    source = sessions.replica_sources[0]
    result = body(state, "sessions")
    assert result["tls_mode"] == "replica_ssl"
    assert result["replica_sources"] == [
        {
            "uri": f"redis://{source.uri}",
            "encryption": True,
            "server_cert": state.certificates[source.server_certificate],
        }
    ]
    syncer = state.participant("cluster2.example.com").syncer_certificate
    assert pems(state, [syncer])[0] not in result["authentication_ssl_client_certs"]
    state = change_source(
        state, "sessions", SourceUpdate(source.uri, sni="redis.cluster2.example.com")
    )
    assert body(state, "sessions")["replica_sources"][0]["replication_tls_sni"] == (
        "redis.cluster2.example.com"
    )
    state = change_source(state, "sessions", SourceUpdate(source.uri, encryption=False))
    entry = body(state, "sessions")["replica_sources"][0]
    assert entry["encryption"] is False
    assert "replica_sources" not in body(state, "orders")
    export = rest_export(state, "sessions")
    assert any("without a password" in note for note in export.notes)


def test_a_source_sends_the_syncer_certificate_of_each_replica_cluster_among_client_certs(
    demo: Workspace,
):
    """The source side (Encrypt source database traffic): the syncer certificate of every
    cluster hosting a replica is one of the database's client certificates."""
    state = demo.state
    source = state.database("sessions")
    assert source.replica_clusters == ["cluster3.example.com"]
    syncer = state.participant("cluster3.example.com").syncer_certificate
    result = body(state, "sessions")
    assert pems(state, [syncer])[0] in result["authentication_ssl_client_certs"]
    assert "authentication_ssl_crdt_certs" not in result


def test_active_active_puts_syncer_certificates_in_crdt_certs(demo: Workspace, client_pem):
    state = demo.state
    state = change_tls(state, "inventory", TlsUpdate(add_certificates=[client_pem]))
    syncers = [p.syncer_certificate for p in state.participants]
    result = body(state, "inventory")
    assert result["tls_mode"] == "replica_ssl"
    assert result["authentication_ssl_crdt_certs"] == pems(state, syncers)
    assert result["authentication_ssl_client_certs"] == pems(state, [client_pem.sha256])


def test_active_active_all_communications(demo: Workspace):
    state = change_tls(demo.state, "inventory", TlsUpdate(mode="all"))
    assert body(state, "inventory")["tls_mode"] == "enabled"


def test_disabled_database(demo: Workspace):
    result = body(demo.state, "cache")
    assert result["tls_mode"] == "disabled"
    assert result["authentication_ssl_client_certs"] == []


def test_encryption_without_client_authentication(demo: Workspace):
    state = change_tls(demo.state, "orders", TlsUpdate(enforce_client_auth=False))
    assert body(state, "orders")["enforce_client_authentication"] == "disabled"


def test_full_subject_sends_ou_as_an_array(demo: Workspace):
    subject = {"CN": "app1.example.com", "O": "Example", "OU": "Payments", "C": "GB"}
    state = change_tls(
        demo.state,
        "orders",
        TlsUpdate(subject_validation="full-subject", authorized_subjects=[subject]),
    )
    result = body(state, "orders")
    assert result["client_cert_subject_validation_type"] == "full_subject"
    assert result["authorized_subjects"] == [
        {"CN": "app1.example.com", "O": "Example", "OU": ["Payments"], "C": "GB"}
    ]


def test_full_export_order_cluster_first_then_databases_by_uid(demo: Workspace):
    export = rest_export(demo.state)
    assert [(r.method, r.path) for r in export.requests] == [
        ("PUT", "/v1/cluster/update_cert"),
        ("PUT", "/v1/cluster/update_cert"),
        ("PUT", "/v1/cluster"),
        ("PUT", "/v1/bdbs/1"),
        ("PUT", "/v1/bdbs/2"),
        ("PUT", "/v1/bdbs/3"),
        ("PUT", "/v1/bdbs/4"),
    ]
    proxy, syncer, cluster = export.requests[:3]
    assert proxy.body["name"] == "proxy" and syncer.body["name"] == "syncer"
    assert proxy.key_files == {"proxy": demo.state.cluster.proxy.key_file}
    assert "key" not in proxy.body
    assert cluster.body == {"min_data_TLS_version": "1.2"}


def test_one_database_only(demo: Workspace):
    export = rest_export(demo.state, "sessions")
    assert [r.path for r in export.requests] == ["/v1/bdbs/2"]


def test_unknown_database_is_one_clear_error(demo: Workspace):
    with pytest.raises(WizardError, match="no database named 'nope' \\(databases: orders"):
        rest_export(demo.state, "nope")


def test_placeholder_certificates_are_never_sent(demo: Workspace):
    state = demo.state.copy()
    ref = state.cluster.proxy
    state.cluster.proxy = ClusterCertificate(ref.certificate, f"keys/proxy{PLACEHOLDER_SUFFIX}")
    export = rest_export(state)
    assert [r.body.get("name") for r in export.requests[:1]] == ["syncer"]
    assert any("placeholder" in reason for reason in export.skipped)


def test_renderings_hold_no_private_key_and_no_password(demo: Workspace, monkeypatch):
    monkeypatch.setenv("TLS_WIZARD_PASSWORD", "do-not-render-me")
    export = rest_export(demo.state)
    for text in (render_curl(export), render_json(export)):
        assert "PRIVATE KEY" not in text
        assert "do-not-render-me" not in text


def test_curl_reads_the_password_and_key_at_run_time(demo: Workspace):
    text = render_curl(rest_export(demo.state))
    proxy_key = demo.state.cluster.proxy.key_file
    assert proxy_key.startswith("keys/proxy-")
    assert '--user "$TLS_WIZARD_USER:$TLS_WIZARD_PASSWORD"' in text
    assert f"jq --rawfile proxy {proxy_key} '. + {{key: $ARGS.named[.name]}}'" in text
    assert '"$TLS_WIZARD_URL/v1/bdbs/1"' in text
    assert "--cacert" in text and "--insecure" not in text and " -k " not in text


def test_curl_dry_run_on_cluster_and_database_requests_only(demo: Workspace):
    text = render_curl(rest_export(demo.state), dry_run=True)
    assert '"$TLS_WIZARD_URL/v1/bdbs/1?dry_run"' in text
    assert '"$TLS_WIZARD_URL/v1/cluster?dry_run"' in text
    assert '"$TLS_WIZARD_URL/v1/cluster/update_cert"' in text


def test_json_rendering_is_the_bodies(demo: Workspace):
    document = json.loads(render_json(rest_export(demo.state)))
    first = document["requests"][0]
    assert first["path"] == "/v1/cluster/update_cert"
    assert first["keys_from_files"] == {"proxy": demo.state.cluster.proxy.key_file}
    bdb = document["requests"][3]
    assert bdb["body"] == body(demo.state, "orders")


def test_cli_export_rest(cli, demo_path, monkeypatch):
    result = cli("--state", str(demo_path), "export", "rest", "orders", "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert [r["path"] for r in document["requests"]] == ["/v1/bdbs/1"]
    result = cli("--state", str(demo_path), "export", "rest")
    assert result.code == 0 and result.out.startswith("# Redis Enterprise REST requests")
    result = cli("--state", str(demo_path), "export", "rest", "missing")
    assert result.code == 1 and "no database named 'missing'" in result.err


def test_certificates_endpoint_sends_both_in_one_request(demo: Workspace):
    export = rest_export(demo.state, bulk_certificates=True)
    first = export.requests[0]
    assert (first.method, first.path) == ("PUT", "/v1/cluster/certificates")
    assert [c["name"] for c in first.body["certificates"]] == ["proxy", "syncer"]
    assert all(set(c) == {"name", "certificate"} for c in first.body["certificates"])
    proxy_key, syncer_key = demo.state.cluster.proxy.key_file, demo.state.cluster.syncer.key_file
    assert first.key_files == {"proxy": proxy_key, "syncer": syncer_key}
    assert [r.path for r in export.requests[1:3]] == ["/v1/cluster", "/v1/bdbs/1"]
    text = render_curl(export)
    assert f"--rawfile proxy {proxy_key} --rawfile syncer {syncer_key}" in text
    assert "/v1/cluster/update_cert" not in text


def test_with_keys_fills_each_certificate():
    single = with_keys({"name": "proxy", "certificate": "C"}, {"proxy": "K"})
    assert single == {"name": "proxy", "certificate": "C", "key": "K"}
    bulk = with_keys(
        {
            "certificates": [
                {"name": "proxy", "certificate": "C"},
                {"name": "syncer", "certificate": "D"},
            ]
        },
        {"proxy": "K", "syncer": "L"},
    )
    assert [c["key"] for c in bulk["certificates"]] == ["K", "L"]
