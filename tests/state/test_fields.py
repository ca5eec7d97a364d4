"""The one typed-field reader, as the state file (TOML) and the REST import (JSON) word it:
each error names the key path and says what was expected, in that format's words."""

from __future__ import annotations

import pytest

from state.enterprise.importer import JSON_FIELDS
from state.errors import StateFileError, WizardError
from state.fields import FieldReader
from state.schema import TOML


@pytest.mark.parametrize(
    ("dialect", "table", "key", "kind", "message"),
    [
        (TOML, {}, "port", int, "databases[0].port: is missing"),
        (
            TOML,
            {"port": True},
            "port",
            int,
            "databases[0].port: expected an integer, got a boolean",
        ),
        (
            TOML,
            {"port": "6379"},
            "port",
            int,
            "databases[0].port: expected an integer, got a string",
        ),
        (
            TOML,
            {" port": 1},
            " port",
            str,
            'databases[0]." port": expected a string, got an integer',
        ),
        (JSON_FIELDS, {"port": None}, "port", int, "databases[0].port: is missing"),
        (
            JSON_FIELDS,
            {"port": True},
            "port",
            int,
            "databases[0].port: expected a number, got a boolean",
        ),
        (JSON_FIELDS, {"port": "6379"}, "port", int, "databases[0].port: unexpected str '6379'"),
    ],
)
def test_a_wrong_field_is_one_line_naming_its_path(dialect, table, key, kind, message) -> None:
    reader = FieldReader(table, "databases[0]", dialect)
    with pytest.raises(WizardError) as raised:
        reader.get(key, kind)
    assert str(raised.value) == message
    assert type(raised.value) is dialect.error


def test_a_present_value_of_the_right_kind_is_returned_and_a_default_fills_a_gap() -> None:
    reader = FieldReader({"port": 6379, "mode": "enabled", "ssl": None}, "bdbs[0]", JSON_FIELDS)
    assert reader.get("port", int) == 6379
    assert reader.get("ssl", bool, False) is False, "JSON null counts as absent"
    assert reader.choice("mode", ("enabled", "disabled")) == "enabled"
    with pytest.raises(WizardError, match=r"bdbs\[0\]\.mode: 'enabled' is not one of on, off"):
        reader.choice("mode", ("on", "off"))
    toml = FieldReader({"ssl": None}, "", TOML)
    with pytest.raises(StateFileError, match="ssl: expected a boolean, got NoneType"):
        toml.get("ssl", bool, False)


def test_a_table_that_is_not_one_is_refused_in_each_format_s_words() -> None:
    with pytest.raises(StateFileError, match=r"^file: expected a table, got an array$"):
        FieldReader([], "", TOML)
    with pytest.raises(WizardError, match=r"^cluster: expected a JSON object, got list$"):
        FieldReader([], "cluster", JSON_FIELDS)
