"""A run's derived values: the protocol's ``derive:`` filled in with what was recorded.

Shown at the step that declares them (the run screen) and in the record.  A value whose
inputs are not recorded yet is not a number but a request: "needs protein_conc".  With
``per:`` the expression is computed once per reading (one loading volume per lysate); a
range on the derived value flags the lysates outside it (too dilute to load the protein in
the sample volume).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from elab.domain.protocol.derive import Source, antibody_volumes, derive_sources
from elab.domain.protocol.expression import evaluate, parse_expression
from elab.domain.protocol.loader import parse_overrides
from elab.domain.protocol.model import Derive, Protocol
from elab.domain.runs.state import RunState
from elab.errors import ElabError
from elab.units import QRange, format_magnitude, format_quantity

__all__ = ["DerivedValue", "derived_for_run", "derived_values", "step_derived_lines"]

Readings = Mapping[str, Sequence[tuple[float | str, str]]]


@dataclass(frozen=True)
class DerivedValue:
    """One derived value at one step: its numbers, or what it still needs."""

    step: str
    name: str
    expr: str
    unit: str
    per: str | None
    values: tuple[float, ...] = ()
    outside: tuple[int, ...] = ()  # 0-based indices of values outside ``range``
    needs: tuple[str, ...] = ()  # inputs with no reading yet
    missing: int = 0  # per-sample values still waiting for readings
    problem: str = ""  # a computation that failed (division by zero)
    range: str = ""
    description: str = ""
    given: tuple[str, ...] = ()  # the parameters used, as run: ``protein_per_lane = 20 µg``

    def text(self) -> str:
        """``10, 12.5, 8 µL per lysate (needs protein_conc for 42 more lysates)``."""
        if self.problem:
            return f"cannot compute: {self.problem}"
        if self.needs and not self.values:
            return "needs " + ", ".join(self.needs)
        shown = [format_magnitude(v) for v in self.values]
        if shown:
            last = format_quantity(self.values[-1], self.unit)
            shown[-1] = last
        text = ", ".join(shown)
        if self.per:
            text += f" per {self.per}"
            if len(self.values) > 1:
                text = f"{text} ({self.per}s 1–{len(self.values)} in recorded order)"
        if self.outside:
            which = ", ".join(str(i + 1) for i in self.outside)
            text += f"; outside {self.range}: {self.per or 'value'} {which}"
        if self.missing:
            text += (f" (needs {', '.join(self.needs)} for {self.missing} more "
                     f"{self.per or 'value'}{'s' if self.missing > 1 else ''})")
        return text

    def line(self) -> str:
        """``loading_volume = protein_per_lane / protein_conc: 10, 12.5, 8 µL per lysate``."""
        given = f" (with {', '.join(self.given)})" if self.given else ""
        return f"{self.name} = {self.expr.strip()}{given}: {self.text()}"


def derived_values(protocol: Protocol, parameters: Mapping[str, QRange],
                   readings: Readings) -> dict[str, list[DerivedValue]]:
    """Every step's derived values, from parameter values and readings by value name."""
    if not any(step.derive for step in protocol.steps):
        return {}  # pint is imported only for protocols that compute something
    from elab.units import registry

    quantity = registry().Quantity
    sources = derive_sources(protocol)
    known: dict[str, list[Any]] = {}
    waiting: dict[str, tuple[str, ...]] = {}  # a partly computed value: what it waits for
    out: dict[str, list[DerivedValue]] = {}
    for step in protocol.steps:
        for name, spec in step.derive.items():
            value = _one(step.id, name, spec, sources, parameters, readings, known, quantity)
            value = replace(value, needs=tuple(dict.fromkeys(
                n for need in value.needs for n in waiting.get(need, (need,)))))
            out.setdefault(step.id, []).append(value)
            waiting[name] = value.needs
            if value.values and not value.problem:
                known[name] = [quantity(v, value.unit) for v in value.values]
    return out


def _inputs(
    names: Sequence[str], sources: Mapping[str, list[Source]],
    parameters: Mapping[str, QRange], readings: Readings, known: Mapping[str, list[Any]],
    quantity: Any,
) -> tuple[dict[str, list[Any]], list[str], dict[str, int], list[str]]:
    """Each name's values (a list: one per reading), the names with none, expected counts."""
    values: dict[str, list[Any]] = {}
    needs: list[str] = []
    expected: dict[str, int] = {}
    given: list[str] = []
    for used in names:
        found = sources.get(used) or []
        source = found[0] if found else None
        if source is None:
            needs.append(used)
        elif source.kind == "parameter":
            param = parameters.get(used)
            if param is None:
                needs.append(used)
            else:
                values[used] = [quantity(param.planned, param.unit)]
                given.append(f"{used} = {format_quantity(param.planned, param.unit)}")
        elif source.kind == "record":
            got = [quantity(float(v), u) for v, u in readings.get(used, ())
                   if not isinstance(v, str)]
            expected[used] = source.count
            if got:
                values[used] = got
            else:
                needs.append(used)
        elif used in known:
            values[used] = list(known[used])
            expected[used] = source.count
        else:
            needs.append(used)
    return values, needs, expected, given


def _one(
    step: str, name: str, spec: Derive, sources: Mapping[str, list[Source]],
    parameters: Mapping[str, QRange], readings: Readings, known: Mapping[str, list[Any]],
    quantity: Any,
) -> DerivedValue:
    from elab.units import parse_unit

    base: dict[str, Any] = {"step": step, "name": name, "expr": spec.expr, "per": spec.per,
            "range": str(spec.range) if spec.range is not None else "",
            "description": spec.description or ""}
    try:
        expression = parse_expression(spec.expr)
        unit = parse_unit(spec.unit)
    except ElabError as exc:  # refused at load; a stored run keeps its own protocol
        return DerivedValue(unit="", problem=str(exc), **base)
    values, needs, expected, given = _inputs(expression.names, sources, parameters, readings, known,
                                      quantity)
    base["given"] = tuple(given)
    if needs:
        return DerivedValue(unit=unit, needs=tuple(needs), **base)
    if spec.per is None:
        rows = [{n: _mean(v) for n, v in values.items()}]
        missing = 0
    else:
        many = {n: v for n, v in values.items() if len(v) > 1 or expected.get(n, 1) > 1}
        count = min((len(v) for v in many.values()), default=1)
        rows = [{n: (v[i] if n in many else v[0]) for n, v in values.items()}
                for i in range(count)]
        missing = max((expected.get(n, 1) - len(v) for n, v in many.items()), default=0)
        if missing > 0:
            needs = [n for n, v in many.items() if len(v) < expected.get(n, 1)]
    results: list[float] = []
    try:
        for row in rows:
            result = evaluate(expression, row)
            results.append(float(result.to(unit).magnitude if hasattr(result, "to")
                                 else result))
    except (ElabError, TypeError) as exc:  # pint's DimensionalityError is a TypeError
        return DerivedValue(unit=unit, problem=str(exc), **base)
    outside = tuple(i for i, v in enumerate(results)
                    if spec.range is not None and not spec.range.to(unit).contains(v, unit))
    return DerivedValue(unit=unit, values=tuple(results), outside=outside,
                        needs=tuple(needs) if missing > 0 else (), missing=max(missing, 0),
                        **base)


def _mean(values: list[Any]) -> Any:
    if len(values) == 1:
        return values[0]
    unit = values[0].units
    try:
        mean = statistics.fmean(v.to(unit).magnitude for v in values)
    except OverflowError:
        mean = math.inf  # refused as "does not give a finite number" when evaluated
    return values[0].__class__(mean, unit)


def derived_for_run(state: RunState) -> dict[str, list[DerivedValue]]:
    """The run's derived values: its parameters as run and its current readings."""
    try:
        parameters = parse_overrides(state.content, state.params)
    except ElabError:
        parameters = {n: p.default for n, p in state.protocol.parameters.items()}
    readings: dict[str, list[tuple[float | str, str]]] = {}
    for value in state.current_values():
        readings.setdefault(value.name, []).append((value.value, value.unit))
    return derived_values(state.protocol, parameters, readings)


def step_derived_lines(protocol: Protocol, step_id: str,
                       derived: Mapping[str, list[DerivedValue]]) -> list[str]:
    """What a step shows of derived values and antibody volumes, one line each."""
    lines = [v.line() for v in derived.get(step_id, [])]
    step = protocol.step(step_id)
    lines += [a.line() for a in antibody_volumes(step, protocol)]
    return lines
