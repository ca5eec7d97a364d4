"""A new database's or participant's name: spaces at either end dropped, an empty name a
mistake to correct, a name the cluster would reject refused with its reason."""

from __future__ import annotations

import pytest

from state.errors import RefusedError, WizardError
from state.model import Cluster, State
from state.transitions import add_participant, create_database


def empty_state() -> State:
    return State(cluster=Cluster(name="c1.example.com", fqdn="c1.example.com"))


def test_a_database_name_is_trimmed_and_kept() -> None:
    state = create_database(empty_state(), "  orders ", 12000)
    assert [d.name for d in state.databases] == ["orders"]


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_asks_for_one(name: str) -> None:
    with pytest.raises(WizardError, match=r"^a database needs a name$"):
        create_database(empty_state(), name, 12000)
    with pytest.raises(WizardError, match=r"^a participating cluster needs a name$"):
        add_participant(empty_state(), name, [])


def test_a_name_the_cluster_rejects_is_refused_with_its_reason() -> None:
    with pytest.raises(RefusedError, match=r"^refused, nothing saved: .*not a valid database"):
        create_database(empty_state(), "no/slash", 12000)
    with pytest.raises(RefusedError, match=r"^refused, nothing saved: "):
        add_participant(empty_state(), "bad_cluster!", [])
