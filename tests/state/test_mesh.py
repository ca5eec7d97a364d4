"""`check --mesh`: three clusters' state files checked together.

The example: cluster1, cluster2 and cluster3 share the active-active database `inventory`
(each trusts every other's syncer certificate), and cluster2 hosts `orders-copy`, a
replica of cluster1's `orders` (cluster1 trusts cluster2's syncer; the replica holds
cluster1's proxy certificate). Each test breaks it in one way and checks that exactly
the broken pairs are found, naming both clusters and the current fingerprint.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from state import store
from state.certificates import describe_pem
from state.certificates.issue import self_signed_cluster_certificate
from state.cli import main
from state.mesh import check_mesh
from state.model import Participant
from state.transitions import (
    SourceUpdate,
    TlsUpdate,
    add_participant_syncer,
    change_source,
    change_tls,
    create_database,
)
from state.workspace import Workspace, init_state

CLUSTERS = ("cluster1.example.com", "cluster2.example.com", "cluster3.example.com")
SOURCE_URI = "redis-12000.cluster1.example.com:12000"


def _syncer(ws: Workspace) -> str:
    return ws.state.cluster.syncer.certificate


def _proxy(ws: Workspace) -> str:
    return ws.state.cluster.proxy.certificate


def _meet(ws: Workspace, others: list[Workspace]) -> None:
    """Every other cluster becomes a participant with its current syncer certificate."""
    state = ws.state.copy()
    for other in others:
        sha = _syncer(other)
        state.certificates[sha] = other.state.certificates[sha]
        state.participants.append(Participant(other.state.cluster.name, sha))
    ws.commit(state, "meet the others")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mesh")
    spaces = []
    for name in CLUSTERS:
        (folder / name).mkdir()
        spaces.append(init_state(folder / name / "tls-wizard.toml", name))
    for ws in spaces:
        _meet(ws, [o for o in spaces if o is not ws])
    c1, c2, _c3 = spaces
    for ws in spaces:
        others = [n for n in CLUSTERS if n != ws.state.cluster.name]
        state = create_database(
            ws.state,
            "inventory",
            12002,
            type="active-active",
            participants=others,
            tls=TlsUpdate(enabled=True, mode="crdb"),
        )
        for cluster in [*others, ws.state.cluster.name]:
            state = add_participant_syncer(state, "inventory", cluster)
        ws.commit(state, "inventory")
    proxy1 = describe_pem(c1.state.certificates[_proxy(c1)])
    state = create_database(
        c1.state,
        "orders",
        12000,
        replica_clusters=[CLUSTERS[1]],
        tls=TlsUpdate(enabled=True, mode="replica-of"),
    )
    c1.commit(add_participant_syncer(state, "orders", CLUSTERS[1]), "orders")
    c2.update(
        lambda s: create_database(
            s,
            "orders-copy",
            12000,
            sources=[SourceUpdate(SOURCE_URI, encryption=True, server_certificate=proxy1)],
        ),
        "orders-copy",
    )
    return folder


@pytest.fixture
def mesh(template: Path, tmp_path: Path) -> list[Workspace]:
    shutil.copytree(template, tmp_path / "mesh")
    return [Workspace.open(tmp_path / "mesh" / n / "tls-wizard.toml") for n in CLUSTERS]


def _run(capsys, mesh: list[Workspace], *extra: str) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = main(["check", "--mesh", *(str(ws.path) for ws in mesh), "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def _drift(ws: Workspace, state) -> None:
    """Save without the rules, as a hand edit or a change made elsewhere would: one state
    file cannot see what the mesh check sees, so the break has to get in somehow."""
    store.save(ws.path, state, base_revision=ws.state.revision, change="drift")
    ws.reload()


def _rotate(ws: Workspace, role: str) -> str:
    """Replace the proxy or syncer certificate, as `cluster certificate set` does."""
    issued = self_signed_cluster_certificate(ws.state.cluster.fqdn)
    ws.set_cluster_certificate(role, [describe_pem(issued.pem.decode())], issued.key_pem)
    return ws.state.cluster.certificate(role).certificate


def test_the_consistent_mesh_passes(mesh, capsys):
    code, problems = _run(capsys, mesh)
    assert (code, problems) == (0, [])
    report = check_mesh([ws.state for ws in mesh])
    assert (CLUSTERS[1], CLUSTERS[0]) in report.pairs and (CLUSTERS[2], CLUSTERS[1]) in report.pairs


def test_one_broken_pair_of_each_kind_is_found_then_repaired(mesh, capsys):
    c1, c2, c3 = mesh
    # Active-active: cluster3's inventory no longer trusts cluster1's syncer certificate.
    _drift(c3, change_tls(c3.state, "inventory", TlsUpdate(remove_certificates=[_syncer(c1)])))
    # Replica Of: cluster1 replaced its proxy certificate; cluster2's replica holds the old.
    old_proxy = _proxy(c1)
    new_proxy = _rotate(c1, "proxy")
    code, problems = _run(capsys, mesh)
    assert code == 1
    assert [(p["kind"], p["database"], p["cluster"], p["peer"], p["sha256"]) for p in problems] == [
        ("active-active", "inventory", CLUSTERS[2], CLUSTERS[0], _syncer(c1)),
        ("replica-of", "orders -> orders-copy", CLUSTERS[1], CLUSTERS[0], new_proxy),
    ]
    assert "does not trust cluster1.example.com's syncer certificate" in problems[0]["problem"]
    # The links the check looked at, each marked broken only where a problem was found.
    report = check_mesh([ws.state for ws in mesh])
    broken = {
        (link.kind, link.database, link.cluster, link.peer)
        for link in report.links
        if report.broken(link)
    }
    assert broken == {
        ("active-active", "inventory", CLUSTERS[2], CLUSTERS[0]),
        ("replica-of", "orders -> orders-copy", CLUSTERS[1], CLUSTERS[0]),
    }
    assert len(report.links) > len(broken), "the links that hold are listed too"
    assert f"({old_proxy[:12]}…)" in problems[1]["problem"]
    assert "stale" in problems[1]["problem"]
    # Repair both: the database trusts the syncer again, the replica gets the new proxy.
    c3.commit(add_participant_syncer(c3.state, "inventory", CLUSTERS[0]), "repair")
    new_pem = describe_pem(c1.state.certificates[new_proxy])
    c2.commit(
        change_source(
            c2.state, "orders-copy", SourceUpdate(SOURCE_URI, server_certificate=new_pem)
        ),
        "repair",
    )
    assert _run(capsys, mesh) == (0, [])


def test_a_rotated_syncer_certificate_is_stale_everywhere_it_was_copied(mesh, capsys):
    _c1, c2, _c3 = mesh
    new_syncer = _rotate(c2, "syncer")
    code, problems = _run(capsys, mesh)
    assert code == 1
    found = {(p["kind"], p["cluster"], p["peer"], p["sha256"]) for p in problems}
    assert found == {
        ("active-active", CLUSTERS[0], CLUSTERS[1], new_syncer),
        ("active-active", CLUSTERS[2], CLUSTERS[1], new_syncer),
        ("replica-of", CLUSTERS[0], CLUSTERS[1], new_syncer),
    }
    assert all("stale copy" in p["problem"] for p in problems)


def test_a_replica_without_encryption_and_a_source_not_trusting_its_replica(mesh, capsys):
    c1, c2, _c3 = mesh
    c2.commit(
        change_source(c2.state, "orders-copy", SourceUpdate(SOURCE_URI, encryption=False)),
        "plain",
    )
    _drift(c1, change_tls(c1.state, "orders", TlsUpdate(remove_certificates=[_syncer(c2)])))
    code, problems = _run(capsys, mesh)
    assert code == 1
    assert [(p["cluster"], p["peer"]) for p in problems] == [
        (CLUSTERS[1], CLUSTERS[0]),
        (CLUSTERS[0], CLUSTERS[1]),
    ]
    assert "without encryption" in problems[0]["problem"]
    assert problems[1]["sha256"] == _syncer(c2)


def test_text_output_names_both_clusters_and_a_bad_file_is_one_line(mesh, capsys, tmp_path):
    c1, _c2, c3 = mesh
    _drift(c3, change_tls(c3.state, "inventory", TlsUpdate(remove_certificates=[_syncer(c1)])))
    capsys.readouterr()
    assert main(["check", "--mesh", *(str(ws.path) for ws in mesh)]) == 1
    out = capsys.readouterr().out
    assert f"✗ active-active inventory: {CLUSTERS[2]} -> {CLUSTERS[0]}" in out
    assert "1 broken pair(s)" in out
    missing = tmp_path / "nope.toml"
    code = main(["check", "--mesh", str(mesh[0].path), str(missing)])
    captured = capsys.readouterr()
    assert code == 1 and "no state file here" in captured.err and "Traceback" not in captured.err
