"""The one clock of the core, so snapshots, screenshots and tests can fix the time.

`TLS_WIZARD_NOW` (ISO 8601, e.g. 2026-12-01T12:00:00Z) fixes it for a whole process and
its children; tests may also call `set_now`.
"""

from __future__ import annotations

import datetime as dt
import os

_fixed: dt.datetime | None = None


def _parse(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def now() -> dt.datetime:
    """The current time, tz-aware UTC: fixed by set_now or TLS_WIZARD_NOW, else the real one."""
    if _fixed is not None:
        return _fixed
    text = os.environ.get("TLS_WIZARD_NOW")
    if text:
        return _parse(text)
    return dt.datetime.now(dt.UTC)


def set_now(value: dt.datetime | str | None) -> None:
    global _fixed
    _fixed = _parse(value) if isinstance(value, str) else value


def is_fixed() -> bool:
    return _fixed is not None or bool(os.environ.get("TLS_WIZARD_NOW"))


def short_time(text: str) -> str:
    """A saved ISO timestamp as people read it, "2026-11-30 14:05": in the local time zone,
    or in UTC while the clock is fixed (so snapshots do not depend on the machine's zone).
    Text that is not a timestamp is returned as it is."""
    try:
        moment = _parse(text)
    except ValueError:
        return text
    shown = moment.astimezone(dt.UTC) if is_fixed() else moment.astimezone()
    return f"{shown:%Y-%m-%d %H:%M}"
