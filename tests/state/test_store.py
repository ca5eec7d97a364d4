"""The state file: validation with key paths, atomic saves, revisions, history and rollback."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path

import pytest

from state import store
from state.errors import StaleStateError, StateFileError
from state.model import FORMAT
from state.rules import check_state
from state.transitions import create_database, set_min_tls_version
from state.workspace import Workspace, init_state


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_a_loadable_state_with_keys_0600(initialized: Path):
    state = store.load(initialized)
    assert state.revision == 1
    assert state.cluster.name == "cluster1.example.com"
    assert _mode(initialized) == 0o600
    for role in ("proxy", "syncer"):
        ref = state.cluster.certificate(role)
        assert ref is not None and ref.certificate in state.certificates
        key = initialized.parent / ref.key_file
        assert _mode(key) == 0o600
        assert b"PRIVATE KEY" in key.read_bytes()
    assert "PRIVATE KEY" not in initialized.read_text()


def test_round_trip_keeps_every_field(initialized: Path):
    ws = Workspace.open(initialized)
    ws.update(lambda s: create_database(s, "orders", 12000, replica_of=["a.example.com:1"]), "db")
    again = store.parse(store.dumps(ws.state))
    assert store.dumps(again) == store.dumps(ws.state)
    assert again.database("orders").replica_of == ["a.example.com:1"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('mode = "all"', 'mode = "everything"'),
            "databases[0].tls.mode: 'everything' is not one of all, replica-of, crdb",
        ),
        (("port = 12000", "port = 70000"), "databases[0].port: 70000 is not a port (1-65535)"),
        (
            ("port = 12000", 'port = "12000"'),
            "databases[0].port: expected an integer, got a string",
        ),
        (
            ("enabled = false", "enabled = 1"),
            "databases[0].tls.enabled: expected a boolean, got an integer",
        ),
        (
            ('type = "standard"', 'type = "sharded"'),
            "databases[0].type: 'sharded' is not one of standard, active-active",
        ),
        (
            ('min_data_tls_version = "1.2"', 'min_data_tls_version = "1.4"'),
            "cluster.min_data_tls_version: '1.4' is not one of 1, 1.1, 1.2, 1.3",
        ),
        (
            ('subject_validation = "none"', 'subject_validation = "cn"'),
            "databases[0].tls.subject_validation: 'cn' is not one of none, san, full-subject",
        ),
        (("uid = 1", "uid = 0"), "databases[0].uid: 0 is not a positive integer"),
        (
            ("created_with_tls = false", "created_with_tls = false\ncolour = 1"),
            "databases[0].colour: is not a known key",
        ),
    ],
)
def test_a_broken_field_is_reported_with_its_key_path(initialized: Path, edit, message):
    ws = Workspace.open(initialized)
    ws.update(lambda s: create_database(s, "orders", 12000), "db")
    text = initialized.read_text()
    old, new = edit
    assert old in text
    initialized.write_text(text.replace(old, new, 1))
    before = initialized.read_bytes()
    with pytest.raises(StateFileError) as error:
        store.load(initialized)
    assert message in str(error.value)
    assert initialized.read_bytes() == before


def test_invalid_toml_names_the_line(initialized: Path):
    initialized.write_text(initialized.read_text() + "\n[cluster\n")
    with pytest.raises(StateFileError, match=r"not valid TOML: .*line \d+"):
        store.load(initialized)


def test_a_certificate_reference_must_resolve(initialized: Path):
    text = initialized.read_text()
    doc = tomllib.loads(text)
    sha = doc["cluster"]["proxy"]["certificate"]
    initialized.write_text(text.replace(f"[certificates.{sha}]", f"[certificates.{'0' * 64}]"))
    with pytest.raises(
        StateFileError,
        match=r"cluster.proxy.certificate: certificate .* is not in \[certificates\]",
    ):
        store.load(initialized)


def test_a_private_key_inline_is_refused(initialized: Path):
    text = initialized.read_text().replace(
        "-----BEGIN CERTIFICATE-----",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----",
        1,
    )
    initialized.write_text(text)
    with pytest.raises(StateFileError, match="holds a private key"):
        store.load(initialized)


def test_duplicate_names_and_ports_are_refused(initialized: Path):
    ws = Workspace.open(initialized)
    ws.update(lambda s: create_database(s, "orders", 12000), "db")
    ws.update(lambda s: create_database(s, "cache", 12001), "db")
    initialized.write_text(initialized.read_text().replace("port = 12001", "port = 12000"))
    with pytest.raises(
        StateFileError, match=r"databases\[1\].port: 12000 is already used by databases\[0\]"
    ):
        store.load(initialized)


def test_a_newer_format_is_refused(initialized: Path):
    initialized.write_text(initialized.read_text().replace("format = 2", "format = 3", 1))
    with pytest.raises(StateFileError, match="format 3, newer than this tls-wizard understands"):
        store.load(initialized)


def test_an_older_format_is_migrated_in_memory(initialized: Path):
    text = initialized.read_text()
    ws = Workspace.open(initialized)
    ws.update(lambda s: create_database(s, "orders", 12000), "db")
    text = initialized.read_text().replace("format = 2\n", "", 1)
    text = text.replace('subject_validation = "none"', "enforce_san = false")
    initialized.write_text(text)
    state = store.load(initialized)
    assert state.format == FORMAT
    assert state.database("orders").tls.subject_validation == "none"
    assert "enforce_san" in initialized.read_text()


def test_missing_file_and_folder_and_binary(tmp_path: Path):
    with pytest.raises(StateFileError, match="no state file here"):
        store.load(tmp_path / "nope.toml")
    with pytest.raises(StateFileError, match="is a folder"):
        store.load(tmp_path)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(StateFileError, match="not UTF-8"):
        store.load(binary)


def test_save_bumps_the_revision_and_keeps_the_mode(initialized: Path):
    os.chmod(initialized, 0o640)
    ws = Workspace.open(initialized)
    saved = ws.update(lambda s: set_min_tls_version(s, "1.3"), "tls 1.3")
    assert saved.revision == 2
    assert store.load(initialized).cluster.min_data_tls_version == "1.3"
    assert _mode(initialized) == 0o640


def test_stale_revision_is_refused_and_nothing_written(initialized: Path):
    first = Workspace.open(initialized)
    second = Workspace.open(initialized)
    first.update(lambda s: set_min_tls_version(s, "1.3"), "one")
    before = initialized.read_bytes()
    with pytest.raises(
        StaleStateError, match=r"changed on disk since you opened it \(revision 1 -> 2\)"
    ):
        second.update(lambda s: set_min_tls_version(s, "1.1"), "two")
    assert initialized.read_bytes() == before


def test_a_failure_before_the_rename_leaves_the_old_file(initialized: Path, monkeypatch):
    before = initialized.read_bytes()
    ws = Workspace.open(initialized)

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    with pytest.raises(OSError):
        ws.update(lambda s: set_min_tls_version(s, "1.3"), "tls")
    monkeypatch.undo()
    assert initialized.read_bytes() == before
    assert store.load(initialized).revision == 1
    leftovers = [p.name for p in initialized.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_history_keeps_ten_and_rollback_restores_as_new_revision(initialized: Path):
    ws = Workspace.open(initialized)
    versions = ["1", "1.1", "1.2", "1.3"] * 4
    for version in versions:
        ws.update(lambda s, v=version: set_min_tls_version(s, v), f"min {version}")
    revisions = store.history(initialized)
    assert revisions[-1].current and revisions[-1].revision == 17
    kept = [r.revision for r in revisions if not r.current]
    assert kept == list(range(7, 17))
    assert revisions[-2].change == f"min {versions[-2]}"
    restored = store.rollback(initialized, 8)
    assert restored.revision == 18
    assert restored.change == "rollback to revision 8"
    assert (
        restored.cluster.min_data_tls_version
        == store.load_revision(initialized, 8).cluster.min_data_tls_version
    )
    with pytest.raises(StateFileError, match="revision 2 is not kept"):
        store.rollback(initialized, 2)


def test_init_refuses_to_overwrite(initialized: Path):
    before = initialized.read_bytes()
    from state.workspace import init_state

    with pytest.raises(StateFileError, match="already exists"):
        init_state(initialized, "other")
    assert initialized.read_bytes() == before


def test_a_save_removes_temporaries_left_by_a_writer_that_died(initialized: Path):
    orphan = initialized.parent / f".{initialized.name}.abc123.tmp"
    orphan.write_text("half a file")
    history = store.history_folder(initialized)
    history.mkdir(parents=True, exist_ok=True)
    history_orphan = history / f".{initialized.stem}-000001.toml.xyz.tmp"
    history_orphan.write_text("half a copy")
    unrelated = initialized.parent / ".other.toml.abc.tmp"
    unrelated.write_text("another state's")
    Workspace.open(initialized).update(lambda s: set_min_tls_version(s, "1.3"), "tls")
    assert not orphan.exists() and not history_orphan.exists()
    assert unrelated.exists()


def test_a_format_1_replica_of_string_becomes_a_source_without_encryption(initialized: Path):
    """Format 1 kept each Replica Of source as "host:port": it loads as a source without
    encryption, nothing else lost, and the rules say what to add."""
    ws = Workspace.open(initialized)
    ws.update(lambda s: create_database(s, "orders", 12000), "db")
    text = initialized.read_text().replace("format = 2\n", "format = 1\n", 1)
    text = text.replace("replica_of = []", 'replica_of = [ "redis-1.cluster2.example.com:12000" ]')
    text = text.replace("replica_clusters = []\n", "")
    initialized.write_text(text)
    state = store.load(initialized)
    database = state.database("orders")
    assert [(s.uri, s.encryption, s.server_certificate) for s in database.replica_sources] == [
        ("redis-1.cluster2.example.com:12000", False, None)
    ]
    notes = [f for f in check_state(state) if f.code == "replica-source-plaintext"]
    assert [f.severity for f in notes] == ["info"]
    assert "db source orders redis-1.cluster2.example.com:12000 --encryption" in notes[0].message
    saved = Workspace.open(initialized).update(lambda s: s, "migrate")
    written = tomllib.loads(initialized.read_text())["databases"][0]["replica_of"]
    assert written == [{"uri": "redis-1.cluster2.example.com:12000", "encryption": False}]
    assert (
        store.load(initialized).database("orders").replica_of == saved.database("orders").replica_of
    )


def test_a_format_2_source_must_be_a_table(initialized: Path):
    ws = Workspace.open(initialized)
    ws.update(lambda s: create_database(s, "orders", 12000), "db")
    text = initialized.read_text().replace("replica_of = []", 'replica_of = [ "a.example.com:1" ]')
    initialized.write_text(text)
    with pytest.raises(StateFileError, match=r"databases\[0\]\.replica_of\[0\]: expected a table"):
        store.load(initialized)


def _save_n(path: Path, count: int) -> None:
    ws = Workspace.open(path)
    for index in range(count):
        version = ("1.2", "1.3")[index % 2]
        ws.update(lambda s, v=version: set_min_tls_version(s, v), f"tls {index}")


def test_history_is_matched_exactly_to_its_own_state(tmp_path: Path):
    """prod.toml's saves never list, prune or clean prod-eu.toml's history."""
    prod, prod_eu = tmp_path / "prod.toml", tmp_path / "prod-eu.toml"
    init_state(prod, "prod.example.com")
    init_state(prod_eu, "prod-eu.example.com")
    _save_n(prod_eu, 3)
    eu_files = sorted(p.name for p in store.history_folder(prod).iterdir())
    eu_temporary = store.history_folder(prod) / ".prod-eu-000002.toml.abc.tmp"
    eu_temporary.write_text("prod-eu's writer is busy")
    _save_n(prod, 14)
    names = sorted(p.name for p in store.history_folder(prod).iterdir())
    assert [n for n in names if n.startswith("prod-eu-")] == eu_files
    assert eu_temporary.exists()
    assert len([n for n in names if re.fullmatch(r"prod-\d{6}\.toml", n)]) == store.HISTORY_KEEP
    assert [r.revision for r in store.history(prod_eu)] == [1, 2, 3, 4]
    assert [r.revision for r in store.history(prod)][-1] == 15
    assert all(r.change.startswith(("init prod.example", "tls")) for r in store.history(prod))


def test_the_lock_never_follows_a_planted_symlink(initialized: Path, tmp_path: Path):
    victim = tmp_path / "elsewhere" / "created-by-the-tool"
    victim.parent.mkdir()
    lock = initialized.with_name(initialized.name + ".lock")
    lock.unlink(missing_ok=True)
    lock.symlink_to(victim)
    with pytest.raises(StateFileError, match="lock file is a symbolic link"):
        Workspace.open(initialized).update(lambda s: set_min_tls_version(s, "1.3"), "tls")
    assert not victim.exists()
    assert store.load(initialized).revision == 1


def test_a_symlinked_state_is_written_through_to_its_target(tmp_path: Path):
    real = tmp_path / "real" / "cluster.toml"
    real.parent.mkdir()
    init_state(real, "cluster1.example.com")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    Workspace.open(link).update(lambda s: set_min_tls_version(s, "1.3"), "tls")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert store.load(real).cluster.min_data_tls_version == "1.3"
    assert store.load(real).revision == 2
    assert [r.revision for r in store.history(link)] == [1, 2]
    assert not (tmp_path / ".tls-wizard").exists()  # history lives beside the target


@pytest.mark.parametrize(
    "forgery", ["group-writable", "other-owner", "other-cluster", "renumbered"]
)
def test_a_planted_history_file_is_ignored_and_never_restored(initialized: Path, forgery: str):
    _save_n(initialized, 2)
    planted = store.history_folder(initialized) / "tls-wizard-000002.toml"
    text = planted.read_text()
    if forgery == "other-cluster":
        planted.write_text(text.replace('"cluster1.example.com"', '"evil.example.com"', 1))
    elif forgery == "renumbered":
        planted.write_text(text.replace("revision = 2", "revision = 1", 1))
    elif forgery == "group-writable":
        planted.chmod(0o664)
    else:
        if os.geteuid() != 0:
            pytest.skip("changing a file's owner needs root")
        os.chown(planted, 4242, -1)
    history = store.history_with_notes(initialized)
    revisions, notes = history.revisions, history.notes
    assert 2 not in [r.revision for r in revisions if not r.current]
    assert len(notes) == 1 and "it is ignored" in notes[0]
    with pytest.raises(StateFileError, match="revision 2 cannot be restored"):
        store.rollback(initialized, 2)
    assert store.load(initialized).revision == 3


def test_umask_000_still_makes_private_folders_and_keys(tmp_path: Path):
    old = os.umask(0)
    try:
        path = tmp_path / "tls-wizard.toml"
        ws = init_state(path, "cluster1.example.com")
        ws.update(lambda s: set_min_tls_version(s, "1.3"), "tls")
    finally:
        os.umask(old)
    for folder in (tmp_path / "keys", tmp_path / ".tls-wizard", store.history_folder(path)):
        assert _mode(folder) == 0o700, folder
    for file in [*(tmp_path / "keys").iterdir(), path, *store.history_folder(path).iterdir()]:
        assert _mode(file) == 0o600, file


def test_deep_nesting_is_one_line(tmp_path: Path):
    path = tmp_path / "deep.toml"
    path.write_text("format = 1\nx = " + "[" * 1000 + "]" * 1000 + "\n")
    with pytest.raises(StateFileError, match="nested more than"):
        store.load(path)
    path.write_text("format = 1\nx = " + "[" * 40 + "]" * 40 + "\n")
    with pytest.raises(StateFileError, match="nested more than"):
        store.load(path)


def test_a_second_state_in_the_same_folder_leaves_the_first_keys(tmp_path: Path):
    first = init_state(tmp_path / "a.toml", "a.example.com")
    before = {p.name: p.read_bytes() for p in (tmp_path / "keys").iterdir()}
    second = init_state(tmp_path / "b.toml", "b.example.com")
    after = {p.name: p.read_bytes() for p in (tmp_path / "keys").iterdir()}
    assert {k: after[k] for k in before} == before and len(after) == 4
    for ws in (Workspace.open(first.path), Workspace.open(second.path)):
        assert ws.key_findings() == []
        assert ws.read_key("proxy") != ws.read_key("syncer")
