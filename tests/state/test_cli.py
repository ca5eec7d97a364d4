"""Every command through `tls-wizard`'s entry point: success, refusal, file unchanged."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from state import store
from state.certificates import describe_pem
from state.certificates.issue import (
    SubjectFields,
    certificate_authority,
    create_key_and_csr,
    issue_certificate,
    self_signed_cluster_certificate,
    sign_csr,
)


@pytest.fixture
def unchanged(initialized: Path):
    """Assert that the state file is byte-for-byte what it was when the test took it."""
    before = initialized.read_bytes()
    yield
    assert initialized.read_bytes() == before


def test_init_and_refusal_to_overwrite(cli, state_path: Path):
    result = cli("init", "--name", "cluster1.example.com")
    assert result.code == 0, result.err
    assert "created" in result.out
    before = state_path.read_bytes()
    again = cli("init", "--name", "other")
    assert again.code == 1
    assert again.err.startswith("tls-wizard: ") and "already exists" in again.err
    assert "Traceback" not in again.err
    assert state_path.read_bytes() == before


def test_commands_on_a_missing_state_say_what_to_do(cli):
    result = cli("db", "list")
    assert result.code == 1
    assert "no state file here; create one with `tls-wizard init" in result.err


def test_usage_errors_exit_2(cli, initialized):
    assert cli("db", "create", "x").code == 2
    assert cli("cluster", "config", "min_data_TLS_version", "1.4").code == 2
    assert cli("db", "tls", "x", "--enable", "--disable").code == 2


def test_db_create_with_tls_and_two_certs_and_san(
    cli, initialized, client_ca, client_certs, pem_file
):
    """Subject validation with a leaf in the trusted list is refused (the product would
    skip it); with the CA alone it is kept."""
    certs = pem_file(client_certs[0].pem, client_certs[1].pem)
    san = ("--san", "app1.example.com, app2.example.com,app1.example.com")
    create = ("db", "create", "orders", "--port", "12000", "--enable", "--add-cert", str(certs))
    refused = cli(*create, *san)
    assert refused.code == 1 and "leaf-skips-subject-checks" in refused.err
    assert "CN=app1.example.com" in refused.err
    assert cli(*create).code == 0
    assert "leaf-skips-subject-checks" in cli("db", "tls", "orders", *san).err
    leaves = json.loads(cli("db", "show", "orders", "--json").out)["tls"]["certificates"]
    ca = pem_file(client_ca.pem, name="ca.pem")
    result = cli(
        "db", "tls", "orders", "--remove-cert", leaves[0], "--remove-cert", leaves[1],
        "--add-cert", str(ca), *san,
    )  # fmt: skip
    assert result.code == 0, result.err
    listed = json.loads(cli("db", "list", "--json").out)
    assert [d["name"] for d in listed] == ["orders"]
    db = listed[0]
    assert set(db) == {
        "uid",
        "name",
        "port",
        "type",
        "replica_clusters",
        "replica_of",
        "participants",
        "tls",
    }
    assert db["tls"]["enabled"] is True and db["tls"]["mode"] == "all"
    assert db["tls"]["enforce_client_auth"] is True
    assert len(db["tls"]["certificates"]) == 1 and len(db["tls"]["certificates"][0]) == 64
    assert db["tls"]["subject_validation"] == "san"
    assert db["tls"]["authorized_names"] == ["app1.example.com", "app2.example.com"]
    assert store.load(initialized).database("orders").created_with_tls is True
    shown = json.loads(cli("db", "show", "orders", "--json").out)
    assert shown == db


def test_db_tls_enable_without_certs_is_refused(cli, initialized):
    assert cli("db", "create", "orders", "--port", "12000").code == 0
    before = initialized.read_bytes()
    result = cli("db", "tls", "orders", "--enable")
    assert result.code == 1
    assert "client-auth-without-certs" in result.err
    assert initialized.read_bytes() == before
    ok = cli("db", "tls", "orders", "--enable", "--no-enforce-client-auth")
    assert ok.code == 0, ok.err


def test_private_key_file_refused(cli, initialized, client_certs, pem_file):
    assert cli("db", "create", "orders", "--port", "12000").code == 0
    before = initialized.read_bytes()
    key = pem_file(client_certs[0].key_pem, name="key.pem")
    result = cli("db", "tls", "orders", "--enable", "--add-cert", str(key))
    assert result.code == 1
    assert "private key" in result.err
    assert "PRIVATE KEY-----" not in result.err
    assert client_certs[0].key_pem.decode().splitlines()[1] not in result.err
    assert initialized.read_bytes() == before
    assert "PRIVATE KEY" not in initialized.read_text()


def test_missing_cert_file(cli, initialized):
    cli("db", "create", "orders", "--port", "12000")
    result = cli("db", "tls", "orders", "--add-cert", "/nonexistent/cert.pem")
    assert result.code == 1 and "/nonexistent/cert.pem" in result.err


def test_duplicated_cert_is_refused(cli, initialized, client_certs, pem_file):
    cert = pem_file(client_certs[0].pem)
    assert (
        cli("db", "create", "orders", "--port", "12000", "--enable", "--add-cert", str(cert)).code
        == 0
    )
    before = initialized.read_bytes()
    result = cli("db", "tls", "orders", "--add-cert", str(cert))
    assert result.code == 1 and "duplicated_certs" in result.err
    assert initialized.read_bytes() == before


def test_remove_cert_and_bad_names(cli, initialized, client_certs, pem_file):
    cert = pem_file(client_certs[0].pem, client_certs[1].pem)
    cli("db", "create", "orders", "--port", "12000", "--enable", "--add-cert", str(cert))
    shas = json.loads(cli("db", "show", "orders", "--json").out)["tls"]["certificates"]
    assert cli("db", "tls", "orders", "--remove-cert", shas[0][:12]).code == 0
    assert json.loads(cli("db", "show", "orders", "--json").out)["tls"]["certificates"] == shas[1:]
    before = initialized.read_bytes()
    bad = cli("db", "tls", "orders", "--san", "good.example.com,bad..name")
    assert bad.code == 1 and "bad-name" in bad.err
    assert initialized.read_bytes() == before
    assert cli("db", "tls", "orders", "--no-san").code == 0


def test_create_refusals(cli, initialized):
    cli("db", "create", "orders", "--port", "12000")
    before = initialized.read_bytes()
    for args, message in [
        (("db", "create", "orders", "--port", "12001"), "already exists"),
        (("db", "create", "other", "--port", "12000"), "already used"),
        (("db", "create", "other", "--port", "0"), "not a port"),
        (("db", "create", "other", "--port", "12001", "--replica-of", "nohost"), "not host:port"),
        (
            (
                "db",
                "create",
                "other",
                "--port",
                "12001",
                "--enable",
                "--mode",
                "crdb",
                "--no-enforce-client-auth",
            ),
            "crdb-needs-active-active",
        ),
    ]:
        result = cli(*args)
        assert result.code == 1, args
        assert message in result.err, (args, result.err)
        assert initialized.read_bytes() == before


def test_active_active_with_participants(cli, initialized, syncer_certs, pem_file):
    for name, issued in syncer_certs.items():
        assert (
            cli(
                "cluster", "participant", "add", name, "--syncer-cert", str(pem_file(issued.pem))
            ).code
            == 0
        )
    participants = json.loads(cli("cluster", "participant", "list", "--json").out)
    assert [p["name"] for p in participants] == list(syncer_certs)
    names = list(syncer_certs)
    refused = cli(
        "db",
        "create",
        "aa",
        "--port",
        "12000",
        "--type",
        "active-active",
        "--participant",
        names[0],
        "--participant",
        names[1],
        "--enable",
        "--mode",
        "crdb",
    )
    assert refused.code == 1 and "missing-syncer-cert" in refused.err
    both = [str(pem_file(syncer_certs[n].pem)) for n in names]
    ok = cli(
        "db",
        "create",
        "aa",
        "--port",
        "12000",
        "--type",
        "active-active",
        "--participant",
        names[0],
        "--participant",
        names[1],
        "--enable",
        "--mode",
        "crdb",
        "--add-cert",
        both[0],
        "--add-cert",
        both[1],
    )
    assert ok.code == 0, ok.err
    assert cli("cluster", "config", "version", "7.4.2").code == 0
    toggle = cli("db", "tls", "aa", "--disable")
    assert toggle.code == 1 and "aa-tls-toggle" in toggle.err and "7.4.2" in toggle.err
    change = cli("db", "tls", "aa", "--no-enforce-client-auth")
    assert change.code == 0, change.err
    in_use = cli("cluster", "participant", "remove", names[0])
    assert in_use.code == 1 and "still participates" in in_use.err


def test_a_source_names_its_replica_clusters_and_must_trust_their_syncers(
    cli, initialized, syncer_certs, pem_file
):
    name = "cluster2.example.com"
    syncer = pem_file(syncer_certs[name].pem)
    unknown = cli("db", "create", "orders", "--port", "12000", "--replica-cluster", name)
    assert unknown.code == 1 and "cluster participant add" in unknown.err
    cli("cluster", "participant", "add", name, "--syncer-cert", str(syncer))
    args = ("db", "create", "orders", "--port", "12000", "--replica-cluster", name)
    refused = cli(*args, "--enable", "--mode", "replica-of")
    assert refused.code == 1 and "missing-syncer-cert" in refused.err and name in refused.err
    ok = cli(*args, "--enable", "--mode", "replica-of", "--add-cert", str(syncer))
    assert ok.code == 0, ok.err
    shown = json.loads(cli("db", "show", "orders", "--json").out)
    assert shown["replica_clusters"] == [name] and shown["replica_of"] == []
    assert cli("db", "replicas", "orders", "--remove", name).code == 0
    assert json.loads(cli("db", "show", "orders", "--json").out)["replica_clusters"] == []
    assert cli("db", "replicas", "orders", "--remove", name).code == 1
    assert cli("db", "replicas", "orders").code == 1
    readded = cli("db", "replicas", "orders", "--add", name)
    assert readded.code == 0 and name in readded.out
    assert cli("cluster", "participant", "remove", name).code == 1


def test_a_replica_names_its_source_with_encryption_and_the_source_proxy_certificate(
    cli, initialized, syncer_certs, pem_file
):
    proxy = syncer_certs["cluster2.example.com"]
    proxy_file = pem_file(proxy.pem)
    first, second = "redis-1.cluster2.example.com:12000", "redis-2.cluster3.example.com:12001"
    created = cli(
        "db",
        "create",
        "copy",
        "--port",
        "12000",
        "--replica-of",
        first,
        "--source-encryption",
        "--source-cert",
        str(proxy_file),
        "--source-sni",
        "redis-1.cluster2.example.com",
        "--replica-of",
        second,
    )
    assert created.code == 0, created.err
    shown = json.loads(cli("db", "show", "copy", "--json").out)
    sha = describe_pem(proxy.pem.decode()).sha256
    assert shown["replica_of"] == [
        {
            "uri": first,
            "encryption": True,
            "server_cert": sha,
            "sni": "redis-1.cluster2.example.com",
        },
        {"uri": second, "encryption": False, "server_cert": None, "sni": None},
    ]
    no_cert = cli("db", "source", "copy", second, "--encryption")
    assert no_cert.code == 1 and "replica-source-without-cert" in no_cert.err
    changed = cli("db", "source", "copy", second, "--encryption", "--server-cert", str(proxy_file))
    assert changed.code == 0, changed.err
    assert json.loads(cli("db", "show", "copy", "--json").out)["replica_of"][1]["encryption"]
    assert cli("db", "source", "copy", "nowhere.example.com:1", "--encryption").code == 1
    assert cli("db", "source", "copy", second).code == 1
    text = cli("db", "show", "copy").out
    assert f"Replica Of {first}: encryption, server cert {sha[:16]}" in text


def test_source_options_apply_to_the_source_just_named(cli, initialized):
    early = cli("db", "create", "copy", "--port", "12000", "--source-encryption")
    assert early.code == 2 and "--replica-of HOST:PORT before it" in early.err


def test_db_remove(cli, initialized):
    cli("db", "create", "orders", "--port", "12000")
    assert cli("db", "remove", "orders").code == 0
    assert json.loads(cli("db", "list", "--json").out) == []
    before = initialized.read_bytes()
    assert cli("db", "remove", "orders").code == 1
    assert initialized.read_bytes() == before


def test_cluster_show_json(cli, initialized):
    data = json.loads(cli("cluster", "show", "--json").out)
    assert set(data) == {
        "name", "fqdn", "version", "min_data_tls_version", "proxy", "syncer", "participants",
    }  # fmt: skip
    assert data["min_data_tls_version"] == "1.2" and data["version"] is None
    assert cli("cluster", "config", "version", "7.22.2-14").code == 0
    assert json.loads(cli("cluster", "show", "--json").out)["version"] == "7.22.2"
    assert set(data["proxy"]) == {"sha256", "not_after", "key_file"}
    assert data["proxy"]["not_after"].endswith("Z")


def test_cluster_config_min_tls(cli, initialized):
    result = cli("cluster", "config", "min_data_TLS_version", "1.1")
    assert result.code == 0
    assert "weak-min-tls" in result.err
    assert "supervisorctl restart sentinel_service" in result.out
    assert store.load(initialized).cluster.min_data_tls_version == "1.1"


def test_certificate_show_prints_the_syncer_pem(cli, initialized):
    out = cli("cluster", "certificate", "show", "syncer").out
    state = store.load(initialized)
    assert out == state.certificates[state.cluster.syncer.certificate]


def test_certificate_request_then_set(cli, initialized, tmp_path):
    out = tmp_path / "csr"
    result = cli(
        "cluster",
        "certificate",
        "request",
        "proxy",
        "--out",
        str(out),
        "--org",
        "Example",
        "--country",
        "US",
    )
    assert result.code == 0, result.err
    key = out / "proxy.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    ca = certificate_authority("Test Server CA")
    signed = sign_csr(ca, (out / "proxy.csr").read_bytes())
    chain = tmp_path / "chain.pem"
    chain.write_bytes(signed + ca.pem)
    installed = cli(
        "cluster",
        "certificate",
        "set",
        "proxy",
        "certificate_file",
        str(chain),
        "key_file",
        str(key),
    )
    assert installed.code == 0, installed.err
    state = store.load(initialized)
    assert state.cluster.proxy.chain and state.cluster.proxy.key_file.startswith("keys/proxy-")
    stored_key = initialized.parent / state.cluster.proxy.key_file
    assert stat.S_IMODE(stored_key.stat().st_mode) == 0o600
    assert stored_key.read_bytes() == key.read_bytes()


def test_certificate_set_refuses_a_key_that_does_not_match(cli, initialized, tmp_path, pem_file):
    other = self_signed_cluster_certificate("cluster1.example.com")
    cert = pem_file(self_signed_cluster_certificate("cluster1.example.com").pem)
    key = pem_file(other.key_pem, name="other.key")
    before = initialized.read_bytes()
    result = cli(
        "cluster",
        "certificate",
        "set",
        "proxy",
        "certificate_file",
        str(cert),
        "key_file",
        str(key),
    )
    assert result.code == 1 and "does not belong to" in result.err
    assert initialized.read_bytes() == before


def test_certificate_set_refuses_an_expired_certificate(cli, initialized, pem_file):
    import datetime as dt

    old = self_signed_cluster_certificate(
        "cluster1.example.com", days=10, not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    )
    before = initialized.read_bytes()
    result = cli(
        "cluster",
        "certificate",
        "set",
        "syncer",
        "certificate_file",
        str(pem_file(old.pem)),
        "key_file",
        str(pem_file(old.key_pem, name="k.key")),
    )
    assert result.code == 1 and "expired" in result.err
    assert initialized.read_bytes() == before


def test_certificate_set_refuses_a_file_with_no_certificate(cli, initialized, pem_file):
    made = create_key_and_csr("cluster1.example.com")
    before = initialized.read_bytes()
    result = cli(
        "cluster",
        "certificate",
        "set",
        "proxy",
        "certificate_file",
        str(pem_file(made.pem)),
        "key_file",
        str(pem_file(made.key_pem, name="k.key")),
    )
    assert result.code == 1
    assert "CSR" in result.err or "certificate signing request" in result.err.lower()
    assert initialized.read_bytes() == before


def test_check_exit_codes_and_json(cli, initialized):
    result = cli("check", "--json")
    assert result.code == 0
    findings = json.loads(result.out)
    assert all(set(f) == {"severity", "code", "message", "where"} for f in findings)
    text = initialized.read_text().replace(
        'name = "cluster1.example.com"\n', 'name = "cluster1.example.com"\n', 1
    )
    initialized.write_text(text)
    cli("db", "create", "orders", "--port", "12000", "--enable", "--no-enforce-client-auth")
    # Hand-edit an error into the file: crdb on a standard database.
    initialized.write_text(initialized.read_text().replace('mode = "all"', 'mode = "crdb"'))
    bad = cli("check", "--json")
    assert bad.code == 1
    assert "crdb-needs-active-active" in {f["code"] for f in json.loads(bad.out)}


def test_history_and_rollback_commands(cli, initialized):
    cli("cluster", "config", "min_data_TLS_version", "1.3")
    cli("cluster", "config", "min_data_TLS_version", "1.1")
    listed = json.loads(cli("history", "--json").out)
    assert [r["revision"] for r in listed] == [1, 2, 3]
    assert listed[-1]["current"] and listed[1]["change"] == "min_data_TLS_version 1.3"
    assert cli("rollback", "2").code == 0
    assert store.load(initialized).cluster.min_data_tls_version == "1.3"
    assert store.load(initialized).revision == 4
    assert cli("rollback", "99").code == 1


def test_corrupt_state_is_reported_and_never_overwritten(cli, initialized):
    initialized.write_text(
        initialized.read_text().replace('mode = "', 'mode = "', 1) + "\ngarbage = = 1\n"
    )
    before = initialized.read_bytes()
    for args in (("db", "list"), ("db", "create", "x", "--port", "1"), ("check",)):
        result = cli(*args)
        assert result.code == 1
        assert "not valid TOML" in result.err and "line" in result.err
        assert "Traceback" not in result.err
    assert initialized.read_bytes() == before


def test_demo_state_is_clean(cli, tmp_path):
    from state.demo import build_demo

    path = build_demo(tmp_path / "demo")
    result = cli("check", state=path)
    assert result.code == 0, result.out
    names = [d["name"] for d in json.loads(cli("db", "list", "--json", state=path).out)]
    assert names == ["orders", "sessions", "inventory", "cache"]


def test_state_env_variable(monkeypatch, initialized, capsys):
    from state.cli import main

    monkeypatch.setenv("TLS_WIZARD_STATE", str(initialized))
    assert main(["cluster", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "cluster1.example.com"


def test_issue_certificate_helper_makes_client_certs(client_ca):
    made = issue_certificate(client_ca, SubjectFields(cn="x"))
    assert b"BEGIN CERTIFICATE" in made.pem


def test_a_stale_certificate_set_leaves_no_key_behind(initialized, tmp_path):
    from state.errors import StaleStateError
    from state.transitions import set_min_tls_version
    from state.workspace import Workspace

    issued = self_signed_cluster_certificate("cluster1.example.com")
    from state.certificates import read_certificates

    stale = Workspace.open(initialized)
    Workspace.open(initialized).update(lambda s: set_min_tls_version(s, "1.3"), "other writer")
    keys_before = sorted(p.name for p in (initialized.parent / "keys").iterdir())
    with pytest.raises(StaleStateError):
        stale.set_cluster_certificate("proxy", read_certificates(issued.pem), issued.key_pem)
    assert sorted(p.name for p in (initialized.parent / "keys").iterdir()) == keys_before
