"""The wizard's pending form (state/tls_form.py), without a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from state import store
from state.certificates import read_certificate_file
from state.demo import PARTICIPANTS
from state.errors import WizardError
from state.rules import findings_by_database
from state.tls_form import (
    TlsForm,
    name_list_problems,
    name_list_warnings,
    parse_subject_list,
    subjects_text,
)


def test_a_fresh_form_changes_nothing(state_path: Path) -> None:
    state = store.load(state_path)
    for database in state.databases:
        form = TlsForm.from_state(state, database.name)
        assert form.change(state).is_empty()
        assert not form.is_dirty(state)
        assert form.apply(state).database(database.name) == database


def test_edits_become_one_change_and_a_history_line(state_path: Path, samples: Path) -> None:
    state = store.load(state_path)
    form = TlsForm.from_state(state, "cache")
    form.enabled = True
    app1, app2 = (read_certificate_file(samples / f)[0] for f in ("app1.pem", "app2.pem"))
    assert form.add_certificates([app1, app2, app1]) == [f"{app1.label} is already in the list"]
    form.subject_validation = "san"
    form.names_text = " app1.example.com, ,app2.example.com, app1.example.com"
    assert form.is_dirty(state)
    after = form.apply(state).database("cache")
    assert after.tls.enabled and after.tls.certificates == [app1.sha256, app2.sha256]
    assert after.tls.authorized_names == ["app1.example.com", "app2.example.com"]
    assert form.describe(state) == (
        "db tls cache: enable TLS, +2 certificates, subject validation san"
    )
    form.remove_certificate(app2.sha256)
    assert form.apply(state).database("cache").tls.certificates == [app1.sha256]


def test_syncer_checklist_and_adding_a_participants_syncer(state_path: Path) -> None:
    state = store.load(state_path)
    form = TlsForm.from_state(state, "inventory")
    assert form.syncer_checklist(state) == [(p, True, True) for p in PARTICIPANTS]
    for sha in list(form.certificates):
        form.remove_certificate(sha)
    assert form.syncer_checklist(state) == [(p, True, False) for p in PARTICIPANTS]
    form.add_syncer(state, PARTICIPANTS[0])
    after = form.apply(state)
    assert after.database("inventory").tls.certificates == [
        state.participant(PARTICIPANTS[0]).syncer_certificate
    ]
    with pytest.raises(WizardError, match="not a known participant"):
        form.add_syncer(state, "nowhere.example.com")


def test_rebase_keeps_another_writers_change_and_replays_ours(
    state_path: Path, samples: Path
) -> None:
    old = store.load(state_path)
    form = TlsForm.from_state(old, "orders")
    form.enforce_client_auth = False
    app2 = read_certificate_file(samples / "app2.pem")[0]
    form.add_certificates([app2])
    new = old.copy()
    kept = new.database("orders").tls.certificates.pop()  # the other writer removed one
    new.database("orders").tls.authorized_names = ["other.example.com"]
    rebased = form.rebase(old, new)
    assert rebased.enforce_client_auth is False
    assert kept not in rebased.certificates and app2.sha256 in rebased.certificates
    assert rebased.names_text == "other.example.com"


def test_name_and_subject_lists() -> None:
    assert name_list_problems("app1.example.com, *.example.com, 10.0.0.1") == []
    assert name_list_problems("good.example.com, bad name!") == [
        "'bad name!' is not a DNS name, IP address, e-mail address or URI"
    ]
    subjects, problems = parse_subject_list("cn=app1,O=Example; CN=app2 ;")
    assert subjects == [{"CN": "app1", "O": "Example"}, {"CN": "app2"}] and problems == []
    _, problems = parse_subject_list("O=Example; CN=x,Q=1")
    assert any("has no CN" in p for p in problems)
    assert any("'Q=1'" in p for p in problems)
    units, problems = parse_subject_list("CN=app1,OU=Ops,ou=Payments,O=Acme")
    assert units == [{"CN": "app1", "OU": ["Ops", "Payments"], "O": "Acme"}] and problems == []
    assert subjects_text(units) == "CN=app1,O=Acme,OU=Ops,OU=Payments"
    assert parse_subject_list(subjects_text(units))[0] == units
    _, problems = parse_subject_list("CN=a,CN=b")
    assert any("CN appears twice" in p for p in problems)
    assert name_list_warnings("app1.example.com, 10.0.0.1, *.example.com") == [
        "'10.0.0.1' is an IP address: SAN validation compares only DNS names and the CN",
        "'*.example.com' is a wildcard: SAN validation compares names as exact text, so it "
        "matches no client; list each client's name",
    ]


def test_names_table_judges_as_the_cluster_does(state_path: Path, samples: Path) -> None:
    """orders trusts the demo CA alone: no verdict on it; a pasted leaf stops every check."""
    state = store.load(state_path)
    form = TlsForm.from_state(state, "orders")
    ca = read_certificate_file(samples / "demo-ca.pem")[0]
    app1 = read_certificate_file(samples / "app1.pem")[0]
    rows = form.name_rows(state, [ca])
    assert [row[3] for row in rows] == ["CA: its clients are checked by their own names"]
    form.add_certificates([app1])
    verdicts = [row.verdict for row in form.name_rows(state, [ca, app1])]
    assert all(v.startswith("not checked: a leaf is trusted") for v in verdicts)
    form.enforce_client_auth = False
    assert form.name_rows(state, [app1])[0].verdict == "not checked: client authentication is off"


def test_a_single_ou_string_in_a_state_file_reads_as_a_list(state_path: Path) -> None:
    text = state_path.read_text().replace(
        'subject_validation = "san"\nauthorized_names = [\n    "app1.example.com",\n]',
        'subject_validation = "full-subject"\nauthorized_subjects = [{CN = "app1", OU = "Ops"}]',
        1,
    )
    assert "OU = " in text
    state_path.write_text(text)
    subject = store.load(state_path).database("orders").tls.authorized_subjects[0]
    assert subject == {"CN": "app1", "OU": ["Ops"]}


def test_findings_are_grouped_by_database_without_prefix_confusion(state_path: Path) -> None:
    state = store.load(state_path)
    state.database("orders").tls.authorized_names = []
    grouped = findings_by_database(state)
    assert [f.code for f in grouped["orders"]] == ["empty-san-list"]
    for name in ("sessions", "inventory", "cache"):
        assert all(f.severity == "info" for f in grouped[name])
        assert all(f.where.startswith(f"databases.{name}.") for f in grouped[name])
