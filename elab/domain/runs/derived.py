"""A run's derived values: the protocol's ``derive:`` filled in with what was recorded.

Shown at the step that declares them (the run screen) and in the record.  A value whose
inputs are not recorded yet is not a number but a request: "needs protein_conc".  With
``per:`` the expression is computed once per reading (one loading volume per lysate); a
range on the derived value flags the lysates outside it (too dilute to load the protein in
the sample volume).  When the readings are tied to the design's named samples (a record
with ``per:``, :mod:`elab.domain.runs.samples`), each value is computed for its sample from
that sample's reading alone: a sample without a reading has no value and says why, and the
others never move.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from elab.domain.protocol.derive import Source, antibody_volumes, derive_sources
from elab.domain.protocol.derive_order import derive_order
from elab.domain.protocol.expression import evaluate, parse_expression
from elab.domain.protocol.loader import parse_overrides
from elab.domain.protocol.model import Derive, Protocol
from elab.domain.runs.derived_samples import (
    Gap,
    SampleValue,
    sample_lines,
    sample_summary,
    values_by_sample,
)
from elab.domain.runs.state import RunState
from elab.errors import ElabError
from elab.units import QRange, format_magnitude, format_quantity, format_range

__all__ = ["DerivedValue", "ParameterUsed", "SampleValue", "derived_for_run", "derived_values",
           "magnitude_to_thousandths", "parameter_used", "sample_lines", "step_derived_lines"]

Readings = Mapping[str, Sequence[tuple[float | str, str]]]
# value name -> every sample of the design, in bench order -> its reading, or None
Named = Mapping[str, Mapping[str, tuple[float | str, str] | None]]


@dataclass(frozen=True)
class ParameterUsed:
    """A parameter as a computation used it: one number, even when the run gives a range
    (``protein_per_lane: 20-30 ug`` computes with 25 µg), and the range it came from so the
    number is never mistaken for what the protocol says."""

    name: str
    value: float
    unit: str
    declared: str = ""  # the range it was planned from (``20–30 µg``); "" for one value
    default: bool = True  # the protocol's default, not a value the run gave

    def text(self) -> str:
        """``protein_per_lane = 25 µg, planned from the default 20–30 µg``."""
        return f"{self.name} = {self.value_text()}"

    def value_text(self) -> str:
        """``25 µg, planned from the default 20–30 µg``, or ``24 µL``."""
        shown = format_quantity(self.value, self.unit)
        if not self.declared:
            return shown
        return f"{shown}, planned from {'the default ' if self.default else ''}{self.declared}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit,
                "range": self.declared or None, "default": self.default, "text": self.text()}


def parameter_used(name: str, value: QRange, default: QRange | None) -> ParameterUsed:
    """What a computation takes of a parameter: its planned value (a range's middle or
    nominal), with the range when it was one."""
    declared = "" if value.is_exact else format_range(value)
    same = default is not None and (default.low, default.high, default.unit) == (
        value.low, value.high, value.unit)
    return ParameterUsed(name, value.planned, value.unit, declared, same)


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
    used: tuple[ParameterUsed, ...] = ()  # the parameters it computed with, as run
    # one per named sample of the design, in bench order (``values`` are their numbers)
    samples: tuple[SampleValue, ...] = ()

    @property
    def given(self) -> tuple[str, ...]:
        """``protein_per_lane = 25 µg, planned from the default 20–30 µg``, one each."""
        return tuple(u.text() for u in self.used)

    def text(self) -> str:
        """``10, 12.5, 8 µL per lysate (needs protein_conc for 42 more lysates)``."""
        if self.problem:
            return f"cannot compute: {self.problem}"
        if self.needs and not self.values:
            return "needs " + ", ".join(self.needs)
        if self.samples:
            return self._sample_text()
        shown = [magnitude_to_thousandths(v) for v in self.values]
        if shown:
            last = self.values[-1]  # the unit after the last number, as format_quantity puts it
            shown[-1] += format_quantity(last, self.unit).removeprefix(format_magnitude(last))
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

    def _sample_text(self) -> str:
        return sample_summary(self.samples, self.per or "sample", self.range)

    def line(self) -> str:
        """``loading_volume = protein_per_lane / protein_conc: 10, 12.5, 8 µL per lysate``."""
        given = f" (with {'; '.join(self.given)})" if self.given else ""
        return f"{self.name} = {self.expr.strip()}{given}: {self.text()}"


def magnitude_to_thousandths(value: float) -> str:
    """A derived number exact to the thousandth, never with fewer figures than
    :func:`format_magnitude` gives: 15.625 µL of lysate and 8.375 µL of water are shown so
    that they visibly add up to the 24 µL sample (4 significant figures would say 15.62).
    Round-half-even keeps two parts of a whole that each end in a 5 adding up (7.812 +
    16.188)."""
    shown = format_magnitude(value)
    if "e" in shown or not math.isfinite(value):
        return shown
    fixed = f"{value:.3f}".rstrip("0").rstrip(".")
    decimals = len(shown.partition(".")[2])
    return fixed if len(fixed.partition(".")[2]) > decimals else shown


def derived_values(protocol: Protocol, parameters: Mapping[str, QRange],
                   readings: Readings, named: Named | None = None,
                   ) -> dict[str, list[DerivedValue]]:
    """Every step's derived values, from parameter values and readings by value name;
    ``named`` holds the readings of values read once per named sample, by sample."""
    if not any(step.derive for step in protocol.steps):
        return {}  # pint is imported only for protocols that compute something
    from elab.units import registry

    quantity = registry().Quantity
    order = derive_order(protocol)
    sources = derive_sources(protocol, order)
    defaults = {n: p.default for n, p in protocol.parameters.items()}
    known: dict[str, Any] = {}
    waiting: dict[str, tuple[str, ...]] = {}  # a partly computed value: what it waits for
    computed: dict[tuple[str, str], DerivedValue] = {}
    # computed each after the derived values it uses, whatever order the copy lists them in
    for declared in order.ordered:
        name = declared.name
        value = _one(declared.step, name, declared.spec, sources, (parameters, defaults),
                     (readings, named or {}), known, quantity)
        value = replace(value, needs=tuple(dict.fromkeys(
            n for need in value.needs for n in waiting.get(need, (need,)))))
        computed[declared.key] = value
        waiting[name] = value.needs
        if value.samples:
            known[name] = {s.sample: s.gap() or quantity(s.value, value.unit)
                           for s in value.samples}
        elif value.values and not value.problem:
            known[name] = [quantity(v, value.unit) for v in value.values]
    # shown at each step in the order the step declares them
    return {step.id: [computed[(step.id, name)] for name in step.derive]
            for step in protocol.steps if step.derive}


Parameters = tuple[Mapping[str, QRange], Mapping[str, QRange]]  # as run, the defaults


def _inputs(
    names: Sequence[str], sources: Mapping[str, list[Source]],
    params: Parameters, given_readings: tuple[Readings, Named], known: Mapping[str, Any],
    quantity: Any,
) -> tuple[dict[str, Any], list[str], dict[str, int], list[ParameterUsed]]:
    """Each name's values (a list: one per reading; for a value read per named sample, a
    mapping sample -> quantity, or the reason it has none), the names with none, expected
    counts."""
    parameters, defaults = params
    readings, named = given_readings
    values: dict[str, Any] = {}
    needs: list[str] = []
    expected: dict[str, int] = {}
    given: list[ParameterUsed] = []
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
                given.append(parameter_used(used, param, defaults.get(used)))
        elif source.kind == "record" and used in named:
            values[used] = {
                sample: (quantity(float(got[0]), got[1]) if got is not None
                         and not isinstance(got[0], str) else Gap(f"no {used} reading", (used,)))
                for sample, got in named[used].items()}
        elif source.kind == "record":
            got = [quantity(float(v), u) for v, u in readings.get(used, ())
                   if not isinstance(v, str)]
            expected[used] = source.count
            if got:
                values[used] = got
            else:
                needs.append(used)
        elif used in known:
            values[used] = (dict(known[used]) if isinstance(known[used], Mapping)
                            else list(known[used]))
            expected[used] = source.count
        else:
            needs.append(used)
    return values, needs, expected, given


def _one(
    step: str, name: str, spec: Derive, sources: Mapping[str, list[Source]],
    parameters: Parameters, readings: tuple[Readings, Named], known: Mapping[str, Any],
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
    base["used"] = tuple(given)
    if needs:
        return DerivedValue(unit=unit, needs=tuple(needs), **base)
    if spec.per is not None and any(isinstance(v, Mapping) for v in values.values()):
        return _by_sample(expression, spec, unit, values, sources, base)
    # without per: a named value counts with the readings it has (their mean)
    values = {n: ([q for q in v.values() if not isinstance(q, Gap)] if isinstance(v, Mapping)
                  else v) for n, v in values.items()}
    if empty := [n for n, v in values.items() if not v]:
        return DerivedValue(unit=unit, needs=tuple(empty), **base)
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


def _by_sample(expression: Any, spec: Derive, unit: str, values: Mapping[str, Any],
               sources: Mapping[str, list[Source]], base: dict[str, Any]) -> DerivedValue:
    """A per-sample value for each named sample, from that sample's inputs alone."""
    recorded = frozenset(n for n, v in values.items() if isinstance(v, Mapping)
                         and any(src.kind == "record" for src in sources.get(n, [])[:1]))
    inputs = {n: (v if isinstance(v, Mapping) else v[0]) for n, v in values.items()}
    samples = values_by_sample(expression, unit,
                               spec.range.to(unit) if spec.range is not None else None,
                               inputs, recorded)
    computed = [s for s in samples if s.value is not None]
    waiting = [s for s in samples if s.needs]
    return DerivedValue(
        unit=unit, values=tuple(s.value for s in computed if s.value is not None),
        outside=tuple(i for i, s in enumerate(computed) if s.outside),
        needs=tuple(dict.fromkeys(n for s in waiting for n in s.needs)),
        missing=len(waiting), samples=samples, **base)


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
    from elab.domain.runs.samples import by_sample, samples_of

    readings: dict[str, list[tuple[float | str, str]]] = {}
    named: dict[str, dict[str, tuple[float | str, str] | None]] = {}
    current = state.current_values()
    # a correction takes the place of the reading it corrects, never the end of the list
    for value in sorted(current, key=lambda v: v.corrects if v.corrects is not None else v.seq):
        readings.setdefault(value.name, []).append((value.value, value.unit))
    for step in state.protocol.steps:
        for name in step.record:
            names = samples_of(state.protocol, step.id, name)
            if names:
                found = by_sample(names, (v for v in current
                                          if v.step == step.id and v.name == name))
                named[name] = {n: ((found[n].value, found[n].unit) if n in found else None)
                               for n in names}
    return derived_values(state.protocol, parameters, readings, named)


def step_derived_lines(protocol: Protocol, step_id: str,
                       derived: Mapping[str, list[DerivedValue]]) -> list[str]:
    """What a step shows of derived values and antibody volumes, one line each."""
    here = derived.get(step_id, [])
    lines = [v.line() for v in here]
    lines += sample_lines(here)
    step = protocol.step(step_id)
    lines += [a.line() for a in antibody_volumes(step, protocol)]
    return lines

