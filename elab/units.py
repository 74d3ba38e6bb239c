"""The process's one pint registry and the quantity language of protocol files.

Protocol files are written by people at a bench, so a quantity is a short string: ``600 uL``,
``5e4 cells``, ``14000 x g``, ``12-48 h``, ``>= 1 h``, ``overnight``.  Everything here turns
such a string into a :class:`QRange` (a magnitude range in one unit) or refuses it with a
sentence that says why.  Pint does the unit algebra; this module only decides which strings
are allowed in front of pint: a plain number (no expressions), a unit made of unit names, and
the bench words mapped to documented ranges.  Unit definitions are never read from protocol
files: the lab units below are the only additions to pint's defaults.

Stored quantities are magnitude plus unit string, so nothing outside this module holds a
pint object for long.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from elab.errors import DimensionError, QuantityError

__all__ = [
    "BENCH_WORDS",
    "KINDS",
    "QRange",
    "Ratio",
    "UnitFacts",
    "check_kind",
    "configure_unit_cache",
    "convert",
    "format_duration",
    "format_magnitude",
    "format_quantity",
    "format_range",
    "format_unit",
    "parse_quantity",
    "parse_ratio",
    "parse_unit",
    "rcf_from_rpm",
    "registry",
    "rpm_from_rcf",
    "unit_facts",
]

_LAB_UNITS = """
cell = [cells] = cells
well = [wells] = wells
rcf = 9.80665 meter / second ** 2 = x_g = xg
magnification = [magnification] = mag
OD = [optical_density] = od = OD_unit
RLU = [luminescence_signal] = rlu
RFU = [fluorescence_signal] = rfu
percent_wv = 10 gram / liter = pct_wv
percent_vv = 0.01 = pct_vv
percent_ww = 0.01 = pct_ww
@alias week = wk = wks
"""


@lru_cache(maxsize=1)
def registry() -> Any:
    """The process's one pint UnitRegistry (built on first call)."""
    return _registry()


@lru_cache(maxsize=1)
def _registry() -> Any:
    import pint

    registry: Any = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, on_redefinition="raise")
    for line in _LAB_UNITS.strip().splitlines():
        registry.define(line)
    return registry


def __getattr__(name: str) -> Any:
    # ``ureg`` is built on first use: pint costs half a second, and validating a protocol
    # whose units are all in the facts cache below never needs it.
    if name == "ureg":
        return _registry()
    raise AttributeError(name)


@dataclass(frozen=True)
class UnitFacts:
    """What elab needs of a unit: pint's spelling, its dimension and its map to SI.

    ``si = magnitude * factor + offset`` (the offset is non-zero only for °C and °F).
    """

    canonical: str
    dimensionality: str
    factor: float
    offset: float


class _FactsCache:
    """Pint's answers about unit strings, remembered across processes.

    A JSON file in the user cache directory, keyed by pint's version and the lab
    definitions, like pint's own definition cache; a miss asks pint and is written back.
    """

    def __init__(self) -> None:
        self.entries: dict[str, UnitFacts] | None = None
        self.dirty = False
        self.directory: Path | None = None
        self.configured = False

    def configure(self, directory: Path | None) -> None:
        self.directory, self.configured, self.entries = directory, True, None

    def path(self) -> Path | None:
        if not self.configured:  # no shell said where: the process's settings do
            from elab.settings import Settings

            settings = Settings.from_env()
            self.configure(settings.user_cache_dir() if settings.unit_cache else None)
        if self.directory is None:
            return None
        import hashlib
        from importlib.metadata import version

        key = f"{version('pint')}-{hashlib.sha256(_LAB_UNITS.encode()).hexdigest()[:12]}"
        return self.directory / f"unit-facts-{key}.json"

    def load(self) -> dict[str, UnitFacts]:
        if self.entries is None:
            self.entries = {}
            path = self.path()
            try:
                raw = json.loads(path.read_text(encoding="utf-8")) if path else {}
                self.entries = {k: UnitFacts(*v) for k, v in raw.items()}
            except (OSError, ValueError, TypeError):
                self.entries = {}
        return self.entries

    def get(self, unit: str) -> UnitFacts:
        entries = self.load()
        found = entries.get(unit)
        if found is None:
            found = _ask_pint(unit)
            entries[unit] = found
            self.save()
        return found

    def save(self) -> None:
        path = self.path()
        if path is None or self.entries is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            data = {
                k: [v.canonical, v.dimensionality, v.factor, v.offset]
                for k, v in self.entries.items()
            }
            tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache directory only costs speed


_FACTS = _FactsCache()


def configure_unit_cache(directory: Path | None) -> None:
    """Keep pint's answers in ``directory`` across processes, or (None) in memory only.

    The shells call this with their settings; without it the process's settings decide.
    """
    _FACTS.configure(directory)


def _ask_pint(unit: str) -> UnitFacts:
    import pint

    registry = _registry()
    try:
        units = registry.parse_units(unit)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as exc:
        raise QuantityError(f"unknown unit {unit.strip()!r}") from exc
    except Exception as exc:  # pint's parser raises assorted errors on junk
        raise QuantityError(f"{unit!r} is not a unit") from exc
    canonical = str(units)
    dims = units.dimensionality
    zero = float(registry.Quantity(0.0, canonical).to_base_units().magnitude)
    one = float(registry.Quantity(1.0, canonical).to_base_units().magnitude)
    return UnitFacts(canonical, "" if not dims else str(dims), one - zero, zero)


def unit_facts(unit: str) -> UnitFacts:
    """Facts about a (normalised) unit string, from the cache or from pint."""
    if not unit:
        return UnitFacts("", "", 1.0, 0.0)
    if unit not in _PINT_FREE:
        _PINT_FREE[unit] = _FACTS.get(unit)
    return _PINT_FREE[unit]


_PINT_FREE: dict[str, UnitFacts] = {}

# Named kinds a protocol field can require, each as the dimensionalities it accepts.
KINDS: dict[str, tuple[str, ...]] = {
    "time": ("[time]",),
    "volume": ("[length] ** 3",),
    "mass": ("[mass]",),
    "length": ("[length]",),
    "area": ("[length] ** 2",),
    "temperature": ("[temperature]",),
    "count": ("[cells]", ""),
    "cells": ("[cells]",),
    "cell_density": ("[cells] / [length] ** 3",),
    "cells_per_well": ("[cells] / [wells]", "[cells]"),
    "molar": ("[substance] / [length] ** 3",),
    "concentration": ("[substance] / [length] ** 3", "[mass] / [length] ** 3", ""),
    "amount": (
        "[length] ** 3",
        "[mass]",
        "[substance]",
        "[cells]",
        "",
        "[cells] / [wells]",
        "[length] ** 3 / [wells]",
        "[mass] / [length] ** 3",
        "[substance] / [length] ** 3",
    ),
    "acceleration": ("[length] / [time] ** 2",),
    "speed": ("1 / [time]",),
    "dose": ("",),
    "dose_bsa": ("[mass] / [length] ** 2",),
    "dimensionless": ("",),
    "magnification": ("[magnification]",),
    "optical_density": ("[optical_density]",),
    "wavelength": ("[length]",),
}

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
_NUM_RE = re.compile(rf"^({_NUMBER})$")
_UNIT_CHARS = re.compile(r"^[A-Za-z_µμΩ°%/^·*. 0-9()-]*$")
_RANGE_RE = re.compile(
    rf"^(?P<lo>{_NUMBER})\s*(?:-|–|—|to)\s*(?P<hi>[+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{{1,3}})?)"
    r"\s*(?P<unit>.*)$"
)
_SINGLE_RE = re.compile(rf"^(?P<num>{_NUMBER})\s*(?P<unit>.*)$")
_LOWER_RE = re.compile(r"^(?:>=|≥|at least|min(?:imum)?\.?|>)\s*(?P<rest>.+)$", re.IGNORECASE)
_UPPER_RE = re.compile(r"^(?:<=|≤|at most|up to|max(?:imum)?\.?|<)\s*(?P<rest>.+)$", re.IGNORECASE)
_APPROX_RE = re.compile(r"^(?:~|≈|about|approx\.?|ca\.?)\s*(?P<rest>.+)$", re.IGNORECASE)
_RATIO_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class QRange:
    """A quantity or a range of one, as magnitudes in one unit.

    ``low == high`` is an exact value; ``low is None`` or ``high is None`` is an open end
    (``>= 1 h``).  ``nominal`` is the value to plan with when a range is given (its middle,
    or what a bench word usually means).  ``text`` keeps what the person wrote.
    """

    low: float | None
    high: float | None
    unit: str
    text: str = ""
    nominal: float | None = None

    @property
    def is_exact(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def planned(self) -> float:
        """The magnitude to plan with: nominal, else the middle, else the closed end."""
        if self.nominal is not None:
            return self.nominal
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        value = self.low if self.low is not None else self.high
        return value if value is not None else 0.0

    def quantity(self, which: str = "planned") -> Any:
        """A pint quantity for ``low``, ``high`` or ``planned``."""
        value = {"low": self.low, "high": self.high, "planned": self.planned}[which]
        if value is None:
            raise QuantityError(f"{self.text or self.unit!r} has no {which} end")
        return _registry().Quantity(value, self.unit)

    def to(self, unit: str) -> QRange:
        """The same range in another unit of the same dimension."""
        return QRange(
            low=convert(self.low, self.unit, unit),
            high=convert(self.high, self.unit, unit),
            unit=unit,
            text=self.text,
            nominal=convert(self.nominal, self.unit, unit),
        )

    def contains(self, value: float, unit: str) -> bool:
        """Whether ``value unit`` lies within this range (ends included)."""
        mag = convert(value, unit, self.unit)
        assert mag is not None
        scale = max(abs(self.low or 0.0), abs(self.high or 0.0), 1e-300)
        eps = 1e-9 * scale
        if self.low is not None and mag < self.low - eps:
            return False
        return not (self.high is not None and mag > self.high + eps)

    def scaled(self, factor: float) -> QRange:
        """This range times a plain number (a repeat count, a number of wells)."""

        def mul(x: float | None) -> float | None:
            return None if x is None else x * factor

        return QRange(mul(self.low), mul(self.high), self.unit, self.text, mul(self.nominal))

    def seconds(self) -> tuple[float, float | None]:
        """A duration's (min, max) in seconds; an open low end counts as 0."""
        lo = convert(self.low, self.unit, "second") if self.low is not None else 0.0
        hi = convert(self.high, self.unit, "second")
        return (lo or 0.0, hi)

    def __str__(self) -> str:
        return format_range(self)


@dataclass(frozen=True)
class Ratio:
    """A dilution or mixing ratio such as ``1:1000`` (antibody) or ``1:1`` (medium:Matrigel)."""

    first: float
    second: float
    text: str = ""

    @property
    def dilution_factor(self) -> float:
        """``1:1000`` read as a dilution: the final volume is 1000 parts."""
        return self.second / self.first

    @property
    def fraction_first(self) -> float:
        """``1:1`` read as a mix: the share of the first part in the whole."""
        return self.first / (self.first + self.second)

    def __str__(self) -> str:
        return self.text or f"{format_magnitude(self.first)}:{format_magnitude(self.second)}"


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


def convert(value: float | None, from_unit: str, to_unit: str) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (None passes through)."""
    if value is None:
        return None
    if from_unit == to_unit or math.isnan(value):
        return value  # NaN is a missing cell in an analysis table: it stays missing
    source, target = unit_facts(from_unit), unit_facts(to_unit)
    if source.dimensionality != target.dimensionality:
        raise DimensionError(
            f"cannot convert {from_unit or 'a plain number'} to {to_unit or 'a plain number'}"
        )
    result = (value * source.factor + source.offset - target.offset) / target.factor
    if not math.isfinite(result) or abs(result) > 1e300:
        raise QuantityError(
            f"{format_magnitude(value)} {from_unit} is out of range in {to_unit or 'plain numbers'}"
        )
    return float(f"{result:.12g}")  # drop the float noise of going through SI


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


def check_kind(value: QRange, kind: str) -> QRange:
    """``value`` if its unit is of the named kind, else a :class:`DimensionError`."""
    accepted = KINDS.get(kind)
    if accepted is None:
        raise QuantityError(f"unknown kind {kind!r}")
    dim = _dimensionality(value.unit)
    if dim in accepted:
        return value
    if kind == "temperature" and value.unit == "coulomb":
        raise DimensionError("bare 'C' is coulomb, not a temperature: write °C or degC")
    shown = value.text or value.unit
    raise DimensionError(f"{shown!r} is not a {kind.replace('_', ' ')} ({_describe(dim)})")


@lru_cache(maxsize=1024)
def _dimensionality(unit: str) -> str:
    return unit_facts(unit).dimensionality


def _describe(dim: str) -> str:
    names = {
        "[length] ** 3": "a volume",
        "[mass]": "a mass",
        "[time]": "a duration",
        "[temperature]": "a temperature",
        "[length]": "a length",
        "": "a plain number",
        "[current] * [time]": "an electric charge",
        "[cells]": "a cell count",
    }
    return names.get(dim, f"dimension {dim}")


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


def parse_ratio(text: str) -> Ratio:
    """``1:1000`` → Ratio(1, 1000); refuses zero parts and anything else."""
    m = _RATIO_RE.match(text)
    if not m:
        raise QuantityError(f"{text!r} is not a ratio like 1:1000")
    first, second = _number(m[1]), _number(m[2])
    if first <= 0 or second <= 0:
        raise QuantityError(f"ratio {text!r} has a zero part")
    return Ratio(first, second, text.strip())


_SHOWN_UNITS = {
    "degree_Celsius": "°C",
    "rcf": "× g",
    "microliter": "µL",
    "milliliter": "mL",
    "liter": "L",
    "nanoliter": "nL",
    "magnification": "×",
    "percent": "%",
    "percent_wv": "% w/v",
    "percent_vv": "% v/v",
    "percent_ww": "% w/w",
    "cell": "cells",
    "cell / well": "cells/well",
    "cell / milliliter": "cells/mL",
    "cell / microliter": "cells/µL",
    "revolutions_per_minute": "rpm",
    "hour": "h",
    "minute": "min",
    "second": "s",
    "day": "d",
    "week": "wk",
}


@lru_cache(maxsize=1024)
def _shown_unit(unit: str) -> str:
    if unit in _SHOWN_UNITS:
        return _SHOWN_UNITS[unit]
    if not unit:
        return ""
    text = format(_registry().Unit(unit), "~P")
    text = re.sub(r"(?<![A-Za-z])([pnµumcd]?)l(?![A-Za-z])", r"\1L", text)
    return text.replace("od", "OD") if text == "od" else text


def format_magnitude(value: float) -> str:
    """A number as a scientist writes it: no trailing zeros, 4 significant figures."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e6 or abs(value) < 1e-3:
        mantissa, exponent = f"{value:.3e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    if abs(value) >= 1e4:
        return f"{value:.0f}" if value == round(value) else f"{value:.1f}"
    return f"{value:.4g}"


def format_quantity(value: float, unit: str) -> str:
    """``600 µL``, ``14000 × g``, ``37 °C``."""
    shown = _shown_unit(unit)
    number = format_magnitude(value)
    if not shown:
        return number
    sep = "" if shown in ("%", "×") else " "
    return f"{number}{sep}{shown}"


def format_unit(unit: str) -> str:
    """A unit as a scientist writes it after a number: ``%``, ``µL``, ``cells/mL``, ``× g``.

    Messages that name a declared unit use this, never a quantity of one (``1%``).
    """
    return _shown_unit(unit)


def format_range(value: QRange) -> str:
    """A range as written back for people: ``12–48 h``, ``≥ 1 h``, ``600 µL``."""
    if value.low is not None and value.high is not None:
        if value.low == value.high:
            return format_quantity(value.low, value.unit)
        return f"{format_magnitude(value.low)}–{format_quantity(value.high, value.unit)}"
    if value.low is not None:
        return f"≥ {format_quantity(value.low, value.unit)}"
    if value.high is not None:
        return f"≤ {format_quantity(value.high, value.unit)}"
    return "any"


def rcf_from_rpm(rpm: float, radius_cm: float) -> float:
    """Relative centrifugal force (× g) from speed and rotor radius: 1.118e-5 · r · rpm²."""
    if radius_cm <= 0:
        raise QuantityError("rotor radius must be positive")
    return 1.118e-5 * radius_cm * rpm**2


def rpm_from_rcf(rcf: float, radius_cm: float) -> float:
    """Rotor speed for a relative centrifugal force; needs the rotor radius."""
    if radius_cm <= 0:
        raise QuantityError("rotor radius must be positive")
    return math.sqrt(rcf / (1.118e-5 * radius_cm))


def format_duration(seconds: float | None) -> str:
    """``1 h 30 min``, ``2 d 4 h``, ``45 s``; None is an open end (``open``)."""
    if seconds is None:
        return "open"
    if seconds == 0:
        return "0 min"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes >= 2 * 24 * 60:
        days, hours = divmod(round(minutes / 60), 24)
        return f"{days} d {hours} h" if hours else f"{days} d"
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    return " ".join(parts) or "0 min"
