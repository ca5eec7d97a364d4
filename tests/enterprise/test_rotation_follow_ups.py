"""After the proxy or syncer certificate is replaced: what else must happen, in every
rendering (updating-certificates: `crdb-cli crdb update --crdb-guid <GUID> --force` for each
Active-Active database; the replicas need the new proxy certificate)."""

from __future__ import annotations

from state.certificates.issue import self_signed_cluster_certificate
from state.enterprise.rest import render_curl, rest_export
from state.enterprise.rladmin import render_rladmin
from state.rotation import follow_ups
from state.workspace import Workspace

GUID = "1f0c0003-5e6d-4c3b-9a21-0123456789ab"


def _with_guid(demo: Workspace, guid: str = GUID):
    state = demo.state.copy()
    state.database("inventory").crdb_guid = guid
    return state


def test_a_new_proxy_certificate_names_the_crdb_update_and_the_replica_clusters(demo: Workspace):
    steps = follow_ups(_with_guid(demo), "proxy")
    assert steps.commands == [f"crdb-cli crdb update --crdb-guid {GUID} --force"]
    [replicas] = steps.steps
    assert "cluster3.example.com" in replicas and "sessions" in replicas
    assert "new proxy certificate" in replicas


def test_a_new_syncer_certificate_names_the_sources_and_the_peers(demo: Workspace):
    steps = follow_ups(_with_guid(demo), "syncer")
    assert steps.commands == [f"crdb-cli crdb update --crdb-guid {GUID} --force"]
    text = "\n".join(steps.steps)
    assert (
        "cluster2.example.com must trust the new syncer certificate in the source of sessions"
        in text
    )
    assert "cluster2.example.com, cluster3.example.com must trust the new syncer" in text


def test_without_a_guid_the_command_is_a_step_never_a_broken_command(demo: Workspace):
    steps = follow_ups(demo.state, "proxy")
    assert steps.commands == []
    assert any("crdb-cli crdb list" in step for step in steps.steps)
    hostile = follow_ups(_with_guid(demo, "x; rm -rf /"), "proxy")
    assert hostile.commands == ["crdb-cli crdb update --crdb-guid 'x; rm -rf /' --force"]


def test_rladmin_runs_crdb_update_right_after_the_certificates(demo: Workspace):
    lines = render_rladmin(_with_guid(demo)).splitlines()
    crdb = lines.index(f"crdb-cli crdb update --crdb-guid {GUID} --force")
    assert crdb > lines.index(
        "rladmin cluster certificate set syncer certificate_file syncer.pem key_file syncer.key"
    )
    assert any(line.startswith("#   give cluster3.example.com the new proxy") for line in lines)
    assert not any(line.startswith("crdb-cli") for line in render_rladmin(demo.state).splitlines())


def test_rladmin_names_the_replica_side_it_cannot_set(demo: Workspace):
    text = render_rladmin(demo.state, "sessions")
    sha = demo.state.database("sessions").replica_sources[0].server_certificate
    assert (
        f"#     replica_sources redis-12001.cluster2.example.com:12001: encryption true, "
        f"server_cert {sha[:12]}" in text
    )
    assert "clusters hosting its replicas" in render_rladmin(demo.state, "sessions")


def test_rest_export_notes_the_follow_ups_of_the_certificates_it_sends(demo: Workspace):
    export = rest_export(_with_guid(demo))
    assert f"after the proxy certificate: crdb-cli crdb update --crdb-guid {GUID} --force" in (
        export.notes
    )
    assert "# note: after the proxy certificate: give cluster3.example.com" in render_curl(export)
    assert not any("after the" in n for n in rest_export(demo.state, "orders").notes)


def test_cluster_certificate_set_prints_the_follow_ups(cli, demo: Workspace, tmp_path):
    issued = self_signed_cluster_certificate(demo.state.cluster.fqdn)
    cert, key = tmp_path / "proxy.pem", tmp_path / "proxy.key"
    cert.write_bytes(issued.pem)
    key.write_bytes(issued.key_pem)
    key.chmod(0o600)
    result = cli(
        "--state",
        str(demo.path),
        "cluster",
        "certificate",
        "set",
        "proxy",
        "certificate_file",
        str(cert),
        "key_file",
        str(key),
    )
    assert result.code == 0, result.err
    assert "after replacing the proxy certificate:" in result.out
    assert "give cluster3.example.com the new proxy certificate" in result.out
