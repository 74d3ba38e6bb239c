"""Text from people, made safe for where it is shown: terminals and spreadsheets.

A note, an operator name or a protocol title can hold terminal control sequences (ESC,
OSC title changes, clear-screen, a bare CR that overwrites the line) and a CSV cell can hold
a formula that a spreadsheet runs when the file is opened.  Both are shown as text instead:
control characters other than newline and tab are written as ``\\u001b``-style escapes, and
a cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP's rule
for CSV injection), except a plain number such as ``-0.5``.
"""

from __future__ import annotations

import math
import re

__all__ = ["FORMULA_PREFIXES", "one_line", "printable", "safe_cell", "unsafe_cell"]

# C0 and C1 controls, and the invisible characters that reorder or break what is shown
# (bidirectional overrides and isolates, line and paragraph separators).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """``text`` with every control character but newline and tab shown as an escape."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """``text`` for a single-line field (a note, a reason, a value): control characters and
    newlines shown as escapes, so user text cannot start a line that looks like elab's own
    (a forged ``signed approved by ...`` line in ``runs status``)."""
    return printable(text).replace("\n", "\\n")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def safe_cell(value: object) -> str:
    """A CSV cell no spreadsheet will run: formulas get a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    return text


def unsafe_cell(text: str) -> str:
    """The cell as it was before :func:`safe_cell` (reading back elab's own CSV files)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text
