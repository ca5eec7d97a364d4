"""One diff of two TLS settings (`TlsSettings.changed_fields`), rendered three ways: the
wizard's `change_tls` update, the plan's Review rows and the history line."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from state import store
from state.model import TlsSettings
from state.plan import diff_database, tls_fields
from state.tls_form import TlsForm
from state.vocabulary import SubjectValidation, TlsMode

DEMO = Path(__file__).parent.parent / "fixtures" / "demo" / "tls-wizard.toml"
OTHER_VALUE = {
    "enabled": True,
    "mode": TlsMode.REPLICA_OF,
    "enforce_client_auth": False,
    "certificates": ["e" * 64],
    "subject_validation": SubjectValidation.SAN,
    "authorized_names": ["app1.example.com"],
    "authorized_subjects": [{"CN": "app1"}],
}


def test_the_field_list_is_the_dataclass() -> None:
    assert TlsSettings.field_names() == tuple(f.name for f in fields(TlsSettings))
    assert set(OTHER_VALUE) == set(TlsSettings.field_names())


@pytest.mark.parametrize("name", TlsSettings.field_names())
def test_each_field_is_one_difference_and_one_plan_row(name: str) -> None:
    before = TlsSettings()
    after = TlsSettings(**{name: OTHER_VALUE[name]})
    assert before.changed_fields(after) == (name,)
    assert after.changed_fields(after) == ()
    rows_before, rows_after = tls_fields(before), tls_fields(after)
    assert [key for key in rows_after if rows_after[key] != rows_before[key]] == [f"tls.{name}"]


def test_the_three_renderings_name_the_same_fields() -> None:
    state = store.load(DEMO)
    name = "orders"
    saved = state.database(name)
    assert saved is not None and saved.tls.enabled
    form = TlsForm.from_state(state, name)
    form.mode = TlsMode.REPLICA_OF
    form.enforce_client_auth = not saved.tls.enforce_client_auth
    pending = form.pending_tls(saved.tls)
    assert saved.tls.changed_fields(pending) == ("mode", "enforce_client_auth")

    change = form.change(state)
    assert (change.mode, change.enforce_client_auth) == (
        TlsMode.REPLICA_OF,
        not saved.tls.enforce_client_auth,
    )
    assert change.enabled is None and change.subject_validation is None
    assert not change.add_certificates and not change.remove_certificates

    rows = diff_database(state, form.apply(state), name)
    assert [row.field for row in rows] == ["tls.mode", "tls.enforce_client_auth"]
    assert rows[0].after == TlsMode.REPLICA_OF.label

    auth = "on" if form.enforce_client_auth else "off"
    assert form.describe(state) == f"db tls {name}: mode replica-of, client auth {auth}"
