"""The rladmin export: the documented commands, word for word, and the files they name."""

from __future__ import annotations

import stat

import pytest

from state.certificates import key_matches, load_private_key, read_certificates
from state.enterprise.rest import CLUSTER_HELD_SUFFIX
from state.enterprise.rladmin import render_rladmin, write_rladmin
from state.errors import WizardError
from state.model import ClusterCertificate
from state.transitions import set_min_tls_version
from state.workspace import Workspace


def test_commands_word_for_word(demo: Workspace):
    state = set_min_tls_version(demo.state, "1.3")
    lines = render_rladmin(state).splitlines()
    assert (
        "rladmin cluster certificate set proxy certificate_file proxy.pem key_file proxy.key"
        in lines
    )
    assert (
        "rladmin cluster certificate set syncer certificate_file syncer.pem key_file syncer.key"
        in lines
    )
    assert "rladmin cluster config min_data_TLS_version 1.3" in lines
    restart = lines.index("supervisorctl restart sentinel_service")
    assert restart > lines.index("rladmin cluster config min_data_TLS_version 1.3")


def test_databases_point_to_the_rest_export(demo: Workspace):
    text = render_rladmin(demo.state, "orders")
    assert "tls-wizard export rest orders" in text
    assert "export rest sessions" not in text
    assert "rladmin cluster config min_data_TLS_version 1.2" in text


def test_unknown_database(demo: Workspace):
    with pytest.raises(WizardError, match="no database named 'nope'"):
        render_rladmin(demo.state, "nope")


def test_cluster_held_certificate_is_skipped(demo: Workspace):
    state = demo.state.copy()
    ref = state.cluster.syncer
    state.cluster.syncer = ClusterCertificate(ref.certificate, f"keys/syncer{CLUSTER_HELD_SUFFIX}")
    text = render_rladmin(state)
    assert "certificate set syncer" not in text
    assert "# skipped: the syncer certificate was imported from the cluster without its key" in text


def test_out_writes_the_files_keys_0600(demo: Workspace, tmp_path):
    out = tmp_path / "rladmin"
    export, written = write_rladmin(demo, out)
    assert sorted(p.name for p in written) == ["proxy.key", "proxy.pem", "syncer.key", "syncer.pem"]
    assert stat.S_IMODE((out / "proxy.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "syncer.key").stat().st_mode) == 0o600
    assert (out / "proxy.pem").read_text() == demo.state.certificate_pem("proxy")
    certificate = read_certificates((out / "proxy.pem").read_bytes())[0]
    key = load_private_key((out / "proxy.key").read_bytes(), "proxy.key")
    assert key_matches(certificate, key)
    assert f"certificate_file {out}/proxy.pem key_file {out}/proxy.key" in export.text


def test_out_refuses_a_file(demo: Workspace, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(WizardError, match="is a file; --out needs a folder"):
        write_rladmin(demo, target)


def test_missing_key_writes_nothing(demo: Workspace, tmp_path):
    demo.key_path(demo.state.cluster.syncer.key_file).unlink()
    out = tmp_path / "rladmin"
    with pytest.raises(WizardError, match="syncer key file"):
        write_rladmin(demo, out)
    assert not out.exists() or not any(out.iterdir())


def test_cli_export_rladmin(cli, demo_path, tmp_path):
    result = cli("--state", str(demo_path), "export", "rladmin")
    assert result.code == 0
    assert "rladmin cluster config min_data_TLS_version 1.2" in result.out
    assert "PRIVATE KEY" not in result.out
    out = tmp_path / "out"
    result = cli("--state", str(demo_path), "export", "rladmin", "sessions", "--out", str(out))
    assert result.code == 0, result.err
    assert (out / "syncer.key").exists()
    assert f"wrote {out / 'proxy.key'}" in result.err
    assert "tls-wizard export rest sessions" in result.out
