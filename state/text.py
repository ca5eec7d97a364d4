"""One way out for untrusted text: control characters are shown, never sent to a terminal.

Names, subjects, SANs, issuers, reasons and error messages come from certificates, state
files and clusters that an attacker may have written. A raw ESC in them retitles the
terminal or sets the clipboard (OSC 0/2/52), moves the cursor or forges lines (CR, LF,
CSI), and a bidirectional override (U+202E) makes text read differently from what it is.

`visible(value)` is for one untrusted value: every such character becomes a readable
escape (``\\x1b``, ``\\n``, ``U+202E``). `visible_lines(text)` is for whole lines the tool
built itself: it keeps the tool's own newlines and tabs. `OutputGuard` wraps stdout and
stderr at CLI entry and passes everything through `visible_lines`, so a line that forgot
to escape a value still cannot reach the terminal with a raw control character.

The characters: Unicode categories Cc (C0, DEL, C1), Cf (format: bidi embeddings,
overrides and isolates, zero-width characters, BOM, tags), Zl and Zp (line and paragraph
separators) and Cs (lone surrogates, as `surrogateescape` decoding leaves them). The
class below is a superset of those categories; tests check it against `unicodedata`.
"""

from __future__ import annotations

import io
import re
from typing import TextIO

_UNSAFE_CLASS = (
    "\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
# The class above with \t (0x09) and \n (0x0a) left out: the tool's own layout characters.
_UNSAFE_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f" + _UNSAFE_CLASS.removeprefix("\x00-\x1f") + "]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

STYLE_SEQUENCES = frozenset(f"\x1b[{code}m" for code in ("0", "1", "2", "31", "32", "33", "36"))
"""The SGR colour sequences the tool itself writes (the inspector's report on a terminal)."""
_STYLE = re.compile(r"\x1b\[[0-9]{1,2}m")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"U+{code:04X}"


def visible(value: object) -> str:
    """`value` as text with every control, format and separator character made visible.

    For one untrusted value (a name, a subject, a SAN, a reason): newlines, carriage
    returns and tabs are escaped too, so a value can never start a line of its own.
    """
    return _UNSAFE.sub(_escape, str(value))


def visible_lines(text: str) -> str:
    """`text` built by the tool, with its own newlines and tabs kept and every other
    control character made visible (the last line of defence for a value not escaped)."""
    return _UNSAFE_IN_LINES.sub(_escape, text)


def has_unsafe(text: str) -> bool:
    """True when `text` holds a character `visible` would escape."""
    return _UNSAFE.search(text) is not None


class OutputGuard(io.TextIOBase):
    """A text stream in front of stdout or stderr that makes control characters visible.

    Installed once at CLI entry, so every print of every command, including ones added
    later that forget `visible`, goes through it. Everything else (isatty, fileno,
    encoding, buffer) is the wrapped stream's.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.wrapped = stream

    def write(self, text: str) -> int:
        self.wrapped.write(visible_lines(text))
        return len(text)

    def write_styled(self, text: str) -> int:
        """Write the tool's own coloured text: the SGR sequences in STYLE_SEQUENCES pass,
        any other control character is made visible as in `write`."""
        pieces = []
        position = 0
        for match in _STYLE.finditer(text):
            pieces.append(visible_lines(text[position : match.start()]))
            sequence = match.group()
            pieces.append(sequence if sequence in STYLE_SEQUENCES else visible_lines(sequence))
            position = match.end()
        pieces.append(visible_lines(text[position:]))
        self.wrapped.write("".join(pieces))
        return len(text)

    def flush(self) -> None:
        self.wrapped.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.wrapped.isatty()

    def fileno(self) -> int:
        return self.wrapped.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # typeshed: an attribute; io: read-only
        return self.wrapped.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]  # typeshed: an attribute; io: read-only
        return self.wrapped.errors

    def __getattr__(self, name: str):
        return getattr(self.wrapped, name)


def write_styled(stream: TextIO, text: str) -> None:
    """Write the tool's coloured text to `stream`: through its guard when it has one,
    otherwise with every control character except the known colours made visible."""
    if isinstance(stream, OutputGuard):
        stream.write_styled(text)
    else:
        OutputGuard(stream).write_styled(text)
