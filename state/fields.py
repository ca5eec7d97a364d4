"""One reader of typed fields out of a parsed document (a TOML table, a JSON object).

The state file and the REST import both take untrusted nested dicts apart key by key,
and both must say, in one line, which key was wrong and why. `FieldReader` does the
walking and the type checks once; a `Dialect` holds what differs between the formats:
the error class and the words (a TOML "table" is a JSON "object"; JSON's `null` counts
as absent, since the API sends it for unset fields).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import WizardError


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one input format names its values in an error message."""

    error: type[WizardError]
    table_word: str
    """What a nested table is called: `a table`, `a JSON object`."""
    kind_word: Callable[[Any], str]
    """The words for a value's type in `expected ..., got <kind_word>`."""
    wrong_type: Callable[[Any, tuple[type, ...]], str]
    """The message after `key: ` when a value has the wrong type."""
    bool_as_int: str
    """The message after `key: ` when a boolean stands where an integer is expected."""
    key_text: Callable[[str], str] = str
    none_is_missing: bool = False
    top: str = "file"
    """What an error at the top of the document names as its location."""


class FieldReader:
    """Typed access to one table of a document, naming the key path in every error."""

    def __init__(self, table: Any, path: str, dialect: Dialect) -> None:
        if not isinstance(table, dict):
            raise dialect.error(
                f"{path or dialect.top}: expected {dialect.table_word}, "
                f"got {dialect.kind_word(table)}"
            )
        self.table = table
        self.path = path
        self.dialect = dialect

    def where(self, key: str) -> str:
        key = self.dialect.key_text(key)
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> WizardError:
        return self.dialect.error(f"{self.where(key)}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        """The value at `key`, checked to be of `kind`; `default` when absent (an error when
        no default is given). A boolean never passes for an integer."""
        absent = key not in self.table or (self.dialect.none_is_missing and self.table[key] is None)
        if absent:
            if default is ...:
                raise self.fail(key, "is missing")
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind is int:
            raise self.fail(key, self.dialect.bool_as_int)
        if not isinstance(value, kind):
            kinds = (kind,) if isinstance(kind, type) else kind
            raise self.fail(key, self.dialect.wrong_type(value, kinds))
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.get(key, str, default)
        if value not in choices:
            raise self.fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return value
