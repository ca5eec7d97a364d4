"""No global id style hits two screens: an id in tui/app.tcss names a widget of one module,
or its selector starts with the screen it is meant for (`ClusterCertificatesScreen
#participants`). A global `#participants { height: 1fr }` once hid the New database
form's list of the same id."""

from __future__ import annotations

import re
from pathlib import Path

TUI = Path(__file__).resolve().parents[2] / "tui"


def selectors(css: str) -> list[str]:
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    heads = re.findall(r"([^{}]+)\{", without_comments)
    return [part.strip() for head in heads for part in head.split(",") if part.strip()]


def modules_with_id(widget_id: str) -> set[Path]:
    pattern = re.compile(r"""id=["']""" + re.escape(widget_id) + r"""["']""")
    return {path for path in TUI.rglob("*.py") if pattern.search(path.read_text())}


def test_every_global_id_style_names_one_screen_widget() -> None:
    unscoped = []
    for selector in selectors((TUI / "app.tcss").read_text()):
        first = selector.split()[0]
        scoped = first[0].isupper()  # a type selector: the screen (or widget) it is for
        for widget_id in re.findall(r"#([A-Za-z_][\w-]*)", selector):
            if not scoped and len(modules_with_id(widget_id)) > 1:
                unscoped.append(f"{selector}: #{widget_id} is an id in several modules")
    assert unscoped == []


def test_the_check_sees_a_shared_id() -> None:
    assert len(modules_with_id("participants")) > 1
    assert selectors("#participants { height: 1fr; }\nA #b, #c { x: 1 }") == [
        "#participants",
        "A #b",
        "#c",
    ]
