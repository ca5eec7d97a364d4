"""The hostile text corpus: what an attacker writes into names, certificates and state files
to reach the terminal (escape sequences, forged lines, bidi reordering) or the screens
(Rich/Textual markup, links, actions).

Built as families, not examples: each family is a character class or a sequence kind, and
`payloads()` crosses every family with where it sits in the value (alone, leading, inside,
trailing). Tests cross these payloads with fields (CN, O, OU, SANs, names) and commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

C0 = [chr(c) for c in range(0x20) if chr(c) not in "\n\t"]
C1 = [chr(c) for c in range(0x80, 0xA0)]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI += ["\u200e", "\u200f", "\u061c"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u2028", "\u2029", "\U000e0041"]

SEQUENCES = {
    "osc-title": "\x1b]2;PWNED-TITLE\x07",
    "osc-title-st": "\x1b]0;PWNED-TITLE\x1b\\",
    "osc-52-clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "osc-8-link": "\x1b]8;;https://e.com/x\x1b\\click\x1b]8;;\x1b\\",
    "csi-erase-line": "\r\x1b[2K",
    "csi-colour": "\x1b[31;1m",
    "csi-cursor-up": "\x1b[1A",
    "c1-csi": "\x9b2J",
    "c1-osc": "\x9d2;PWNED-TITLE\x9c",
    "forged-line": "\nerror: forged line",
    "forged-cr": "\rOK",
    "dcs": "\x1bP+q544e\x1b\\",
    "bell-backspace": "\x07\x08\x08",
    "del": "\x7f",
    "nul": "\x00",
}
MARKUP = {
    "rich-style-link": "[bold red]x[/] [link=https://e.com]y[/link]",
    "close-tag": "crash[/]",
    "lone-close": "[/]",
    "action": "[@click=app.quit]q[/]",
    "variable": "[$text-error]v",
    "bad-tag": "[not a tag",
    "nested": "[b][i]z[/i]",
    "escaped": "\\[b]literal",
}
PATHS = {
    "traversal": "../../../tmp/x",
    "absolute": "/etc/passwd",
    "backslash": "a\\b",
    "dot-dot": "..",
    "space": "a b",
    "slash": "a/",
    "dot": ".",
    "long": "x" * 300,
}


@dataclass(frozen=True)
class Payload:
    family: str
    text: str

    @property
    def id(self) -> str:
        return self.family


def _controls() -> list[Payload]:
    found = [Payload(f"c0-{ord(c):02x}", c) for c in C0]
    found += [Payload("c0-lf", "\n"), Payload("c0-tab", "\t")]
    found += [Payload(f"c1-{ord(c):02x}", c) for c in C1]
    found += [Payload(f"bidi-{ord(c):04x}", c) for c in BIDI]
    found += [Payload(f"invisible-{ord(c):04x}", c) for c in INVISIBLE]
    found += [Payload(name, text) for name, text in SEQUENCES.items()]
    return found


def control_payloads() -> list[Payload]:
    """Every control family, each in every position inside a plausible value."""
    found = []
    for payload in _controls():
        text = payload.text
        for where, value in (
            ("alone", text),
            ("lead", f"{text}app"),
            ("inside", f"app{text}x"),
            ("trail", f"app{text}"),
        ):
            found.append(Payload(f"{payload.family}-{where}", value))
    return found


def markup_payloads() -> list[Payload]:
    return [Payload(f"markup-{name}", text) for name, text in MARKUP.items()]


def path_payloads() -> list[Payload]:
    return [Payload(f"path-{name}", text) for name, text in PATHS.items()]


def payloads() -> list[Payload]:
    return control_payloads() + markup_payloads() + path_payloads()


def sample(found: list[Payload], every: int) -> list[Payload]:
    """Every `every`-th payload, but always at least one of each top-level family."""
    chosen = found[::every]
    kinds = {p.family.split("-")[0] for p in chosen}
    for payload in found:
        kind = payload.family.split("-")[0]
        if kind not in kinds:
            chosen.append(payload)
            kinds.add(kind)
    return chosen


_RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\U000e0000-\U000e007f]"
)


def raw_controls(output: str) -> list[str]:
    """The control characters in `output` other than the tool's own newline and tab:
    each one is a byte the terminal would act on."""
    return sorted({f"U+{ord(c):04X}" for c in _RAW.findall(output)})
