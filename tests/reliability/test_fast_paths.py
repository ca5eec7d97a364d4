"""The speed fixes made for the benchmarks must not change what the user sees.

`findings_by_database` used to try every database name against every finding (quadratic:
seconds at 5,000 databases); a finding now names its database, so grouping is one look-up.
Here the grouping is checked on names made to be confusing: dots, brackets, one name the
prefix of another.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state.model import Cluster, Database, State, TlsSettings
from state.rules import findings_by_database

_NAME = st.text(alphabet="ab.[]-0", min_size=1, max_size=8)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@settings(max_examples=200, deadline=None, database=None)
@given(names=st.lists(_NAME, min_size=1, max_size=8, unique=True))
def test_grouping_findings_by_database_goes_by_the_name_itself(names):
    """Names that are prefixes of each other, or hold dots and brackets, never borrow each
    other's findings: a finding names its database as a part, not inside a string."""
    state = State(cluster=Cluster("c.example.com", "c.example.com"))
    state.databases = [
        Database(uid, name, 10000 + uid, tls=TlsSettings(enabled=True, mode="crdb"))
        for uid, name in enumerate(names, 1)
    ]
    grouped = findings_by_database(state)
    assert list(grouped) == names
    for name in names:
        crdb = [f for f in grouped[name] if f.code == "crdb-needs-active-active"]
        assert [f.database_name for f in crdb] == [name]
        assert crdb[0].where == f"databases.{name}.tls.mode"


@pytest.mark.anyio
async def test_the_databases_table_reaches_every_row_a_page_at_a_time(tmp_path):
    """The table adds rows a page at a time; moving down must still reach the last
    database, and a filter must still find a database that was never shown."""
    from textual.widgets import DataTable, Input

    from bench.states import write_state
    from tui.app import WizardApp
    from tui.screens.databases import ROWS_PAGE

    count = ROWS_PAGE * 2 + 37
    path = write_state(tmp_path / "tls-wizard.toml", count)
    app = WizardApp(path, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == ROWS_PAGE
        for _ in range(count):
            await pilot.press("down")
        await pilot.pause()
        assert table.row_count == count
        assert app.screen.selected_name() == f"db-{count - 1:05d}"
        filter_box = app.screen.query_one("#filter", Input)
        filter_box.value = f"db-{count - 2:05d}"
        await pilot.pause()
        assert [str(key.value) for key in table.rows] == [f"db-{count - 2:05d}"]
        filter_box.value = ""
        await pilot.pause()
        assert table.row_count >= ROWS_PAGE
        names = [str(key.value) for key in table.rows]
        assert names == [f"db-{i:05d}" for i in range(len(names))]
