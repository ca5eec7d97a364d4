"""Properties of the REST import: any JSON is a state or one WizardError, and TLS settings
survive export -> import -> export whatever their combination."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from state.enterprise.importer import import_rest
from state.enterprise.rest import database_body
from state.errors import WizardError
from state.model import State
from state.workspace import Workspace

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)

BDB_KEYS = (
    "uid",
    "name",
    "port",
    "crdt",
    "ssl",
    "tls_mode",
    "enforce_client_authentication",
    "authentication_ssl_client_certs",
    "authentication_ssl_crdt_certs",
    "client_cert_subject_validation_type",
    "authorized_names",
    "authorized_subjects",
    "replica_sources",
    "endpoints",
)

bdb_like = st.dictionaries(st.sampled_from(BDB_KEYS), json_values, max_size=8)
CLUSTER_KEYS = ("name", "min_data_TLS_version", "proxy_certificate", "syncer_cert", "proxy_key")
cluster_like = st.dictionaries(st.sampled_from(CLUSTER_KEYS), json_values, max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    bdbs=st.one_of(json_values, st.lists(bdb_like, max_size=3)),
    cluster=st.one_of(json_values, cluster_like),
)
def test_any_json_is_a_state_or_one_clear_error(bdbs, cluster):
    try:
        import_rest(bdbs, cluster, placeholders=False)
    except WizardError as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message


subjects = st.lists(
    st.fixed_dictionaries(
        {"CN": st.from_regex(r"[a-z]{1,8}\.example\.com", fullmatch=True)},
        optional={
            key: st.from_regex(r"[A-Za-z][A-Za-z ]{0,10}", fullmatch=True)
            for key in ("O", "OU", "L", "ST", "C")
        },
    ),
    max_size=3,
)


@pytest.fixture(scope="module")
def template(demo_template):
    return Workspace.open(demo_template / "tls-wizard.toml").state


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    enabled=st.booleans(),
    mode=st.sampled_from(("all", "replica-of")),
    enforce=st.booleans(),
    validation=st.sampled_from(("none", "san", "full-subject")),
    names=st.lists(
        st.from_regex(r"[a-z]{1,8}\.example\.com", fullmatch=True), max_size=3, unique=True
    ),
    full=subjects,
)
def test_tls_settings_survive_the_round_trip(
    template: State, enabled, mode, enforce, validation, names, full
):
    state = template.copy()
    orders = state.database("orders")
    orders.tls.enabled, orders.tls.mode, orders.tls.enforce_client_auth = enabled, mode, enforce
    orders.tls.subject_validation = validation
    orders.tls.authorized_names = names if validation == "san" else []
    orders.tls.authorized_subjects = full if validation == "full-subject" else []
    expected = database_body(state, orders)
    bdb = {"uid": orders.uid, "name": orders.name, "port": orders.port, **expected}
    imported = import_rest([bdb], {"name": state.cluster.name}, placeholders=False).state
    assert database_body(imported, imported.database("orders")) == expected
