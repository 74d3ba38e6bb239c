"""The quantity language of protocol files: from ``600 uL`` or ``12-48 h`` to a QRange.

Protocol files are written by people at a bench, so a quantity is a short string: ``600 uL``,
``5e4 cells``, ``14000 x g``, ``12-48 h``, ``>= 1 h``, ``overnight``.  This module decides
which strings are allowed in front of pint: a plain number (no expressions), a unit made of
unit names, and the bench words mapped to documented ranges.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from elab.errors import DimensionError, QuantityError
from elab.units.facts import unit_facts
from elab.units.kinds import check_kind
from elab.units.qrange import QRange

__all__ = ["BENCH_WORDS", "parse_quantity", "parse_unit"]

# Bench words and the explicit ranges they stand for (documented in the README).
BENCH_WORDS: dict[str, tuple[float, float, str]] = {
    "overnight": (12.0, 18.0, "hour"),
    "rt": (20.0, 25.0, "degree_Celsius"),
    "room temperature": (20.0, 25.0, "degree_Celsius"),
    "room temp": (20.0, 25.0, "degree_Celsius"),
    "on ice": (0.0, 4.0, "degree_Celsius"),
    "ice": (0.0, 4.0, "degree_Celsius"),
}

_MAX_TEXT = 80
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_UNIT_CHARS = re.compile(r"^[A-Za-z_µμΩ°%/^·*. 0-9()-]*$")
_RANGE_RE = re.compile(
    rf"^(?P<lo>{_NUMBER})\s*(?:-|–|—|to)\s*(?P<hi>[+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{{1,3}})?)"
    r"\s*(?P<unit>.*)$"
)
_SINGLE_RE = re.compile(rf"^(?P<num>{_NUMBER})\s*(?P<unit>.*)$")
_LOWER_RE = re.compile(r"^(?:>=|≥|at least|min(?:imum)?\.?|>)\s*(?P<rest>.+)$", re.IGNORECASE)
_UPPER_RE = re.compile(r"^(?:<=|≤|at most|up to|max(?:imum)?\.?|<)\s*(?P<rest>.+)$", re.IGNORECASE)
_APPROX_RE = re.compile(r"^(?:~|≈|about|approx\.?|ca\.?)\s*(?P<rest>.+)$", re.IGNORECASE)


def _normalise_unit_text(text: str) -> str:
    unit = text.strip()
    unit = unit.replace("μ", "u").replace("µ", "u")
    unit = unit.replace("·", "*").replace("×", "x").replace("²", "^2").replace("³", "^3")
    unit = re.sub(r"^x\s*g$", "rcf", unit)
    unit = re.sub(r"^(?:x|X)$", "magnification", unit)
    unit = re.sub(r"%\s*\(?\s*w\s*/\s*v\s*\)?", "percent_wv", unit)
    unit = re.sub(r"%\s*\(?\s*v\s*/\s*v\s*\)?", "percent_vv", unit)
    unit = re.sub(r"%\s*\(?\s*w\s*/\s*w\s*\)?", "percent_ww", unit)
    unit = unit.replace("%", "percent")
    unit = re.sub(r"°\s*C\b", "degC", unit)
    unit = re.sub(r"\bcells?\s*/\s*well\b", "cell/well", unit)
    return unit


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> str:
    """A unit string checked by pint and returned in pint's canonical spelling.

    Refuses anything that is not a product of unit names and integer powers, so that a
    protocol cannot smuggle an expression (``2**1000``) into pint's parser.
    """
    unit = _normalise_unit_text(text)
    if unit in ("", "1"):
        return ""
    if re.fullmatch(r"C", unit):
        raise QuantityError("bare 'C' is coulomb, not a temperature: write °C or degC")
    if not _UNIT_CHARS.match(unit) or re.search(r"\*\*|\d\s*[*/]\s*\d|^[\d*/^.]", unit):
        raise QuantityError(f"{text!r} is not a unit")
    try:
        return unit_facts(unit).canonical
    except QuantityError as exc:
        raise QuantityError(str(exc).replace(repr(unit.strip()), repr(text.strip()))) from None


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > 1e300:
        raise QuantityError(f"{text!r} is too large")
    return value


def _bench_word(text: str) -> QRange | None:
    key = text.strip().lower()
    if key in BENCH_WORDS:
        lo, hi, unit = BENCH_WORDS[key]
        nominal = 16.0 if key == "overnight" else None
        return QRange(lo, hi, unit, text.strip(), nominal)
    return None


def _parse_raw(text: str) -> QRange:
    stripped = text.strip().replace("−", "-")
    if not stripped:
        raise QuantityError("empty quantity")
    if len(stripped) > _MAX_TEXT:
        raise QuantityError(f"quantity is longer than {_MAX_TEXT} characters")
    bench = _bench_word(stripped)
    if bench is not None:
        return bench
    if m := _LOWER_RE.match(stripped):
        inner = _parse_raw(m["rest"])
        return QRange(inner.low, None, inner.unit, stripped)
    if m := _UPPER_RE.match(stripped):
        inner = _parse_raw(m["rest"])
        return QRange(None, inner.high, inner.unit, stripped)
    if m := _APPROX_RE.match(stripped):
        inner = _parse_raw(m["rest"])
        return QRange(inner.low, inner.high, inner.unit, stripped, inner.nominal)
    if m := _RANGE_RE.match(stripped):
        lo_text, hi_text = m["lo"], m["hi"]
        # "3-5e3 cells" means 3e3 to 5e3: the exponent written once applies to both ends.
        if re.search(r"[eE]", hi_text) and not re.search(r"[eE]", lo_text):
            lo_text += hi_text[re.search(r"[eE]", hi_text).start() :]  # type: ignore[union-attr]
        unit = parse_unit(m["unit"])
        lo, hi = _number(lo_text), _number(hi_text)
        if lo > hi:
            raise QuantityError(f"range {stripped!r} runs backwards: {lo_text} is above {hi_text}")
        return QRange(lo, hi, unit, stripped)
    if m := _SINGLE_RE.match(stripped):
        unit = parse_unit(m["unit"])
        value = _number(m["num"])
        return QRange(value, value, unit, stripped)
    raise QuantityError(f"{stripped!r} is not a quantity (expected a number and a unit)")


def parse_quantity(text: Any, kind: str | None = None, *, negative: bool = False) -> QRange:
    """Parse a protocol quantity, optionally requiring a kind (``volume``, ``time``...).

    Raises :class:`QuantityError` for text that is not a quantity and
    :class:`DimensionError` for a quantity of the wrong kind.  Negative values are refused
    unless ``negative`` (temperatures allow them whatever it says).
    """
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise QuantityError(f"expected a quantity string, got {type(text).__name__}")
    if isinstance(text, int | float):
        if kind not in (None, "dimensionless", "count", "dose", "concentration", "amount"):
            raise QuantityError(f"{text!r} has no unit (expected {kind.replace('_', ' ')})")
        value = _number(str(text))
        result = QRange(value, value, "", str(text))
    else:
        result = _parse_raw(text)
    if kind is not None:
        if kind == "temperature" and result.unit == "coulomb":
            raise DimensionError("bare 'C' is coulomb, not a temperature: write °C or degC")
        check_kind(result, kind)
    allow_negative = negative or kind == "temperature" or "degree" in result.unit
    if not allow_negative and any(v is not None and v < 0 for v in (result.low, result.high)):
        raise QuantityError(f"{result.text!r} cannot be negative")
    return result
