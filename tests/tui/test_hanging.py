"""Wrapped lines hang under their text: a finding's second line starts under its message,
a bullet's under the word after the bullet, never back at the left edge."""

from __future__ import annotations

from textual.content import Content

from tui.widgets.hanging import hanging_lines

FINDING = (
    "! warning tls.subject_validation: subject validation has no effect while client auth is off"
)


def plain(lines: list[Content]) -> list[str]:
    return [line.plain for line in lines]


def test_a_findings_wrapped_lines_start_under_its_message() -> None:
    lines = plain(hanging_lines(Content(FINDING), 40))
    assert len(lines) > 2 and all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("! warning tls.")
    assert all(line.startswith(" " * 10) and line[10] != " " for line in lines[1:])
    assert " ".join(part.strip() for part in lines) == FINDING


def test_bullets_and_indented_lines_hang_under_their_first_word() -> None:
    bullet = plain(hanging_lines(Content("• Values are encrypted before they leave the app"), 24))
    assert bullet[0].startswith("• Values") and len(bullet) > 1
    assert all(line.startswith("  ") and line[2] != " " for line in bullet[1:])
    indented = plain(hanging_lines(Content("    issued by itself (self-signed) here"), 20))
    assert len(indented) > 1
    assert all(line.startswith("    ") and line[4] != " " for line in indented)


def test_short_lines_and_plain_text_are_unchanged() -> None:
    assert plain(hanging_lines(Content("short\n\nlines"), 40)) == ["short", "", "lines"]
    wrapped = plain(hanging_lines(Content("plain words that wrap at the edge"), 12))
    assert all(not line.startswith(" ") for line in wrapped)


def test_a_marker_as_wide_as_half_the_column_does_not_hang() -> None:
    lines = plain(hanging_lines(Content("! warning " + "word " * 6), 16))
    assert all(not line.startswith(" ") for line in lines[1:])
