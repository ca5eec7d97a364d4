"""The plan: field-by-field differences between two states."""

from __future__ import annotations

from state.model import Cluster, Database, State
from state.plan import diff_database, diff_states, render_diff


def base() -> State:
    return State(cluster=Cluster("c1", "c1.example.com"), databases=[Database(1, "orders", 12000)])


def test_no_changes():
    assert diff_states(base(), base()) == []
    assert render_diff([]) == "no changes"


def test_changed_fields_show_before_and_after():
    after = base()
    after.databases[0].tls.enabled = True
    after.databases[0].tls.mode = "replica-of"
    after.cluster.min_data_tls_version = "1.3"
    changes = diff_states(base(), after)
    rendered = render_diff(changes)
    assert "~ min_data_tls_version: 1.2 -> 1.3" in rendered
    assert "~ tls.enabled: no -> yes" in rendered
    assert (
        "~ tls.mode: Require TLS for All Communications -> Require TLS for Replica Of Only"
        in rendered
    )
    assert [c.field for c in diff_database(base(), after, "orders")] == ["tls.enabled", "tls.mode"]


def test_added_and_removed_databases():
    after = base()
    after.databases = [Database(2, "cache", 12001)]
    changes = diff_states(base(), after)
    kinds = {(c.object, c.kind) for c in changes}
    assert ("databases.cache", "added") in kinds
    assert ("databases.orders", "removed") in kinds
