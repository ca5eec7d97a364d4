"""The short timestamps of the History screen: 16 columns, the minute, one zone."""

from __future__ import annotations

import datetime as dt

import pytest

from state import clock


@pytest.fixture
def fixed_clock():
    clock.set_now("2026-12-01T12:00:00Z")
    yield
    clock.set_now(None)


def test_a_saved_timestamp_is_shown_to_the_minute_in_utc_while_the_clock_is_fixed(fixed_clock):
    assert clock.short_time("2026-11-30T14:05:59+00:00") == "2026-11-30 14:05"
    assert clock.short_time("2026-11-30T16:05:00+02:00") == "2026-11-30 14:05"


def test_unfixed_the_local_zone_is_used(monkeypatch) -> None:
    monkeypatch.delenv("TLS_WIZARD_NOW", raising=False)
    clock.set_now(None)
    moment = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)
    assert clock.short_time(moment.isoformat()) == f"{moment.astimezone():%Y-%m-%d %H:%M}"


def test_text_that_is_not_a_timestamp_is_kept() -> None:
    assert clock.short_time("yesterday") == "yesterday"
