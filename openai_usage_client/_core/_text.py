"""Text others control, shown as text: never as a terminal command or a spreadsheet formula.

Names (projects, keys, users, line items, models, teams) are set by anyone in an organization
or a config. Shown raw, an escape sequence in one clears the screen, recolours it, plants an
OSC 8 link or retitles the window, a newline forges a table row, and a bidi control reverses
what is read. So:

* ``visible(text)``: a name as one line of plain text: every C0 control (tab and newline
  too), DEL, every C1 control (U+0080 to U+009F), and the bidi and invisible format
  controls (U+200B to U+200F, U+202A to U+202E, U+2066 to U+2069) are written as escapes
  (``\\x1b``, ``\\n``, ``\\u202e``), and a backslash before one of those letters stays
  itself. Used for every label and table cell a person reads.
* ``terminal_safe(text)``: the same for whole lines of output, keeping the line breaks,
  tabs and carriage returns the tool itself writes (the CLI passes all it prints through it).
* ``json_safe(text)``: JSON text with those characters as ``\\u`` escapes (the parsed value
  is unchanged; ``json.dumps(..., ensure_ascii=False)`` leaves C1 and bidi controls raw).
* ``spreadsheet_safe(text)``: a CSV text cell that a spreadsheet would read as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading ``'``,
  as OWASP's CSV-injection guidance describes. Only text columns: numbers stay numbers.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CONTROL_CHARACTERS",
    "FORMULA_STARTS",
    "json_safe",
    "spreadsheet_safe",
    "terminal_safe",
    "visible",
]

#: DEL, C1, and the bidi and invisible format controls (a regex class).
_BEYOND_C0: Final = "\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069"
#: Every character a name must not carry raw onto a terminal (a regex class).
CONTROL_CHARACTERS: Final = "\x00-\x1f" + _BEYOND_C0
_NAMED: Final = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ANY: Final = re.compile(f"[{CONTROL_CHARACTERS}]")
#: What ``json.dumps`` leaves raw inside strings (it escapes C0 itself; a C0 character
#: outside a string is the document's own layout).
_JSON_RAW: Final = re.compile(f"[{_BEYOND_C0}]")
#: Kept by ``terminal_safe``: the layout the tool writes itself.
_LAYOUT: Final = frozenset("\t\n\r")
#: What a spreadsheet reads as the start of a formula.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` as one line of plain text (see the module docstring)."""
    if not _ANY.search(text):
        return text
    return _ANY.sub(lambda m: _escape(m.group()), text)


def terminal_safe(text: str) -> str:
    """Lines of output with every control character escaped but newlines, tabs and carriage
    returns (the tool's own layout)."""
    if not _ANY.search(text):
        return text
    return _ANY.sub(lambda m: m.group() if m.group() in _LAYOUT else _escape(m.group()), text)


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps``) with the control characters it leaves raw (DEL, C1,
    bidi and invisible format controls) as ``\\u`` escapes: the same parsed value."""
    if not _JSON_RAW.search(text):
        return text
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet will not run: a leading ``'`` before a formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
