"""What an analysis hook is: its declared inputs, parameters, result and optional plot.

A hook is a plain frozen value so that a third-party package can build one without
subclassing anything: name, a one-line summary, the CSV columns it reads (with the unit it
wants each in), its parameters (with defaults and units), the function that analyses a
checked :class:`~elab.domain.analysis.table.Table`, and optionally a function that draws the
result as PNG.  :meth:`Hook.run` does the checking (columns present, units converted,
parameters typed) before the analysis function sees anything, so each hook only does maths.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from elab.errors import InputError, NotFoundError, QuantityError, UsageError
from elab.units import convert, parse_quantity, parse_unit

from .table import Table

__all__ = ["BOOTSTRAP_BOUNDS", "AnalysisResult", "Column", "Hook", "Param", "finite", "qty"]

ParamValue = float | int | str | bool | tuple[str, ...] | None


@dataclass(frozen=True)
class Column:
    """A CSV column a hook reads.

    ``unit`` is the unit the hook computes in: a header unit is converted to it, and a header
    without a unit is taken to be in it.  ``kind`` (a kind of :data:`elab.units.KINDS`)
    only checks the dimension and keeps the header's own unit, for results reported in the
    user's unit (an IC50 in the dose unit).  ``text`` columns are labels, never numbers.
    ``alternatives`` names other columns that can stand in for this one (``width`` for
    ``area``); the hook sees whichever is present.
    """

    name: str
    unit: str | None = None
    kind: str | None = None
    optional: bool = False
    text: bool = False
    alternatives: tuple[str, ...] = ()
    help: str = ""

    def describe(self) -> dict[str, Any]:
        """The column as shown by ``elab analyze --list --json``."""
        return {
            "name": self.name,
            "unit": self.unit,
            "kind": self.kind,
            "optional": self.optional,
            "text": self.text,
            "alternatives": list(self.alternatives),
            "help": self.help,
        }


# Bootstrap redraws a hook takes: fewer than 100 cannot place a 2.5 % tail (Efron &
# Tibshirani 1993 ask 1000 or more for a percentile interval); more than 100,000 adds nothing
# to the interval and, past that, runs for minutes.
BOOTSTRAP_BOUNDS = (100.0, 100_000.0)


@dataclass(frozen=True)
class Param:
    """A hook parameter given as ``--param name=value``.

    ``type`` is ``number``, ``int``, ``text``, ``bool``, ``choice`` (one of ``choices``) or
    ``list`` (comma-separated names).  A number with a ``unit`` accepts a quantity string
    (``50 nM``) and is converted to that unit; a bare number is taken to be in it.
    """

    name: str
    default: ParamValue
    type: str = "number"
    unit: str | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    bounds: tuple[float, float] | None = None  # the values a number or int takes, inclusive

    def parse(self, raw: Any) -> ParamValue:
        """The typed value of ``raw`` (a string from the command line or a typed value)."""
        if raw is None:
            return None
        try:
            value = self._parse(raw)
        except (ValueError, TypeError) as exc:
            if isinstance(exc, QuantityError):
                raise InputError(f"parameter {self.name}: {exc}") from exc
            raise InputError(f"parameter {self.name}: {raw!r} is not a valid {self.type}") from exc
        self._check_bounds(value)
        return value

    def _check_bounds(self, value: ParamValue) -> None:
        """A value outside ``bounds`` is a usage error (exit 2): below the least it is
        meaningless (``bootstrap=0`` redraws), above the most it runs for hours."""
        if self.bounds is None or not isinstance(value, int | float) or isinstance(value, bool):
            return
        low, high = self.bounds
        if not low <= value <= high:
            raise UsageError(f"parameter {self.name} takes {low:.15g} to {high:.15g}, "
                             f"not {value:.15g}")

    def _parse(self, raw: Any) -> ParamValue:
        if self.type == "list":
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            names = tuple(str(i).strip() for i in items if str(i).strip())
            if not names:
                raise InputError(f"parameter {self.name} needs at least one name")
            return names
        if self.type == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError(raw)
            return text in ("true", "yes", "1")
        if self.type == "choice":
            text = str(raw).strip().lower()
            if text not in self.choices:
                raise NotFoundError(f"value for {self.name}", text, self.choices)
            return text
        if self.type == "text":
            return str(raw).strip()
        if self.type == "int":
            return int(str(raw).strip())
        return self._number(raw)

    def _number(self, raw: Any) -> float:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            value = float(raw)
        else:
            q = parse_quantity(str(raw), negative=True)
            value = q.planned
            if q.unit and self.unit is not None:
                value = convert(value, q.unit, parse_unit(self.unit)) or 0.0
            elif q.unit:
                raise InputError(f"parameter {self.name} takes a plain number, not {raw!r}")
        if not math.isfinite(value):
            raise InputError(f"parameter {self.name} must be a finite number")
        return value

    def describe(self) -> dict[str, Any]:
        """The parameter as shown by ``elab analyze --list --json``."""
        default = list(self.default) if isinstance(self.default, tuple) else self.default
        return {
            "name": self.name,
            "type": self.type,
            "default": default,
            "unit": self.unit,
            "choices": list(self.choices),
            "help": self.help,
            **({"bounds": list(self.bounds)} if self.bounds else {}),
        }


def qty(value: float | None, unit: str) -> dict[str, Any]:
    """A result quantity as scripts read it: ``{"value": 12.3, "unit": "nM"}``.

    NaN and infinities become ``None``: JSON has no NaN, and a missing answer is honest.
    """
    if value is None or not math.isfinite(float(value)):
        return {"value": None, "unit": unit}
    return {"value": float(value), "unit": unit}


def finite(value: float | None) -> float | None:
    """A plain float, or None for NaN/infinity (JSON cannot hold them)."""
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class AnalysisResult:
    """What a hook returns: the method in a sentence, one result per curve/group, warnings.

    ``headline`` is the few sentences a reader needs first (IC50 with its CI, fold change
    with its CI), computed here so the finish screen and the record only print them.
    ``plot_data`` holds what the plot needs beyond the JSON (fitted curves, raw points); it is
    not part of :meth:`to_json`.
    """

    hook: str
    method: str
    results: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    plot_data: Any = field(default=None, compare=False, repr=False)
    headline: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The result object of ``elab analyze HOOK --json`` (keys scripts rely on).

        NaN and infinities anywhere in the results become ``None`` (JSON has neither).
        """
        return {
            "hook": self.hook,
            "method": self.method,
            "results": _json_safe(self.results),
            "warnings": list(self.warnings),
            "headline": list(self.headline),
        }


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _json_safe(value.item())
    return value


Analyse = Callable[[Table, dict[str, Any]], AnalysisResult]
Draw = Callable[[AnalysisResult], bytes]


@dataclass(frozen=True)
class Hook:
    """An analysis hook: declared inputs and parameters, the analysis, an optional plot."""

    name: str
    summary: str
    inputs: tuple[Column, ...]
    params: tuple[Param, ...]
    analyse: Analyse
    draw: Draw | None = None
    result_keys: tuple[str, ...] = ()

    def parse_params(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Typed parameters with defaults filled in; an unknown name is a did-you-mean."""
        known = {p.name: p for p in self.params}
        values: dict[str, Any] = {p.name: p.default for p in self.params}
        for key, value in (raw or {}).items():
            name = key.strip().replace("-", "_")
            if name not in known:
                raise NotFoundError(f"parameter of {self.name}", name, known)
            values[name] = known[name].parse(value)
        return values

    def run(self, table: Table, params: Mapping[str, Any] | None = None) -> AnalysisResult:
        """Check ``table`` against the declared inputs, then analyse it."""
        checked = table.checked(self.inputs, hook=self.name)
        return self.analyse(checked, self.parse_params(params))

    def plot(self, result: AnalysisResult) -> bytes:
        """The result drawn as PNG bytes; a hook without a plot says so."""
        if self.draw is None:
            raise InputError(f"analysis hook {self.name!r} has no plot")
        return self.draw(result)

    def describe(self) -> dict[str, Any]:
        """Name, summary, inputs, parameters and result keys, for ``--list --json``."""
        return {
            "name": self.name,
            "summary": self.summary,
            "inputs": [c.describe() for c in self.inputs],
            "params": [p.describe() for p in self.params],
            "result_keys": list(self.result_keys),
            "plot": self.draw is not None,
        }
