"""Findings name their database and the field inside it as parts, not as a string to parse
back: grouping never confuses `orders` with `orders-2`, and the text stays as it was."""

from __future__ import annotations

from state.findings import Finding
from state.model import Cluster, Database, State, TlsSettings
from state.rules import check_state, database_findings, findings_by_database


def two_databases() -> State:
    """`orders` is fine; `orders-2` asks for CRDB only without being Active-Active."""
    state = State(cluster=Cluster("cluster1.example.com", "cluster1.example.com"))
    state.databases = [
        Database(1, "orders", 12000),
        Database(2, "orders-2", 12001, tls=TlsSettings(enabled=True, mode="crdb")),  # type: ignore[arg-type]
    ]
    return state


def test_a_rule_names_the_database_and_the_field_apart() -> None:
    [finding] = [f for f in check_state(two_databases()) if f.code == "crdb-needs-active-active"]
    assert (finding.database_name, finding.path) == ("orders-2", "tls.mode")
    assert finding.where == "databases.orders-2.tls.mode"
    assert str(finding).startswith("error: databases.orders-2.tls.mode: mode ")
    assert finding.as_dict()["where"] == "databases.orders-2.tls.mode"


def test_grouping_goes_by_the_database_part_not_by_a_prefix() -> None:
    state = two_databases()
    grouped = findings_by_database(state)
    assert "crdb-needs-active-active" in {f.code for f in grouped["orders-2"]}
    assert "crdb-needs-active-active" not in {f.code for f in grouped["orders"]}
    assert all(f.database_name == "orders" for f in database_findings(state, "orders"))
    assert all(f.database_name == "orders-2" for f in grouped["orders-2"])


def test_inside_its_database_a_finding_reads_as_the_field_alone() -> None:
    finding = Finding("warning", "x", "m", "replica_of[0].encryption", database_name="a")
    assert finding.where == "databases.a.replica_of[0].encryption"
    assert finding.within_database().where == "replica_of[0].encryption"
    assert Finding("error", "y", "m", "cluster.proxy").where == "cluster.proxy"
    assert Finding("error", "y", "m", database_name="a").where == "databases.a"
