"""Derived values and antibody volumes: what a protocol computes instead of writing down.

A western blot loads the same protein in every lane, so each lysate's loading volume is
``protein_per_lane / protein_conc`` from its BCA reading; a primary antibody at 1:1000 in
10 mL per membrane is 10 µL per membrane.  Writing such numbers by hand is where protocols
and benches disagree, so a step declares them (``derive:``, ``solution:``) and elab
computes them.  This module resolves the names an expression reads, checks at load time
that every name exists and that the units work out (pint, with each input in its declared
unit); the antibody volumes are computed in :mod:`.antibodies`, and the run's values are
filled in by :mod:`elab.domain.runs.derived`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from elab.domain.protocol.antibodies import (
    AntibodyVolume,
    antibody_volumes,
    check_solution,
    volume_text,
)
from elab.domain.protocol.derive_order import DeriveOrder, derive_order
from elab.domain.protocol.expression import Expression, evaluate, parse_expression, units_text
from elab.domain.protocol.model import Derive, Protocol, Step
from elab.domain.protocol.yamlsource import locate
from elab.errors import ElabError, Location, ProtocolError, QuantityError, did_you_mean
from elab.units import parse_unit, unit_facts

__all__ = [
    "AntibodyVolume",
    "Source",
    "antibody_volumes",
    "check_derived",
    "derive_sources",
    "volume_text",
]


@dataclass(frozen=True)
class Source:
    """Where a name in an expression gets its value from."""

    kind: Literal["record", "parameter", "derived"]
    name: str
    step: str | None
    unit: str
    count: int = 1  # readings a record expects, or values a per-sample derived value has
    per: bool = False  # one value per sample (a derived value with ``per:``)


def derive_sources(protocol: Protocol, order: DeriveOrder | None = None) -> dict[
        str, list[Source]]:
    """Every name an expression may read, with each place it could come from.

    Derived values are added in the order they are computed in (:mod:`.derive_order`), so
    a value read once per sample is known as such before a value that uses it is counted.
    """
    found: dict[str, list[Source]] = {}
    for name, param in protocol.parameters.items():
        found.setdefault(name, []).append(Source("parameter", name, None, param.default.unit))
    for step in protocol.steps:
        for name, record in step.record.items():
            unit: str | None = "text" if record.type == "text" else ""
            if record.type == "quantity":
                unit = _unit_or_none(record.unit) if record.unit else "?"
            found.setdefault(name, []).append(Source("record", name, step.id, unit or "",
                                                     record.count))
    for value in (order or derive_order(protocol)).ordered:
        derive = value.spec
        count = _derived_count(protocol, derive, found)
        found.setdefault(value.name, []).append(
            Source("derived", value.name, value.step, _unit_or_none(derive.unit) or "", count,
                   per=derive.per is not None))
    return found


def _unit_or_none(text: str) -> str | None:
    try:
        return parse_unit(text)
    except QuantityError:
        return None


def _derived_count(protocol: Protocol, spec: Derive, found: Mapping[str, list[Source]]) -> int:
    if spec.per is None:
        return 1
    try:
        names = parse_expression(spec.expr).names
    except QuantityError:
        return 1
    counts = [s.count for n in names for s in found.get(n, [])[:1] if s.kind != "parameter"]
    return max(counts, default=1)


# ----------------------------------------------------------------------------- checking


def check_derived(protocol: Protocol, tree: Mapping[str, Any], file: str) -> list[ProtocolError]:
    """Located errors for every ``derive:`` and ``solution:`` in the protocol."""
    errors: list[ProtocolError] = []

    def error(message: str, *path: str | int, key: bool = False) -> None:
        where = locate(tree, list(path), key=key) or Location(file, 1, 1)
        errors.append(ProtocolError(message, where))

    order = derive_order(protocol)
    sources = derive_sources(protocol, order)
    earlier: set[str] = set()  # derived names declared further up the file
    for index, step in enumerate(protocol.steps):
        for name, spec in step.derive.items():
            known = _Known(sources, order.circles.get((step.id, name)), name in earlier)
            for message, field in _check_one(protocol, step, name, spec, known):
                error(f"derive {name!r}: {message}", "steps", index, "derive", name,
                      *((field,) if field else ()), key=field is None)
            earlier.add(name)
        for message, path in check_solution(protocol, step):
            error(message, "steps", index, *path)
    return errors


@dataclass(frozen=True)
class _Known:
    """What checking one derived value needs to know of the others."""

    sources: Mapping[str, list[Source]]
    circle: tuple[str, ...] | None  # the names around the circle it is on
    declared_above: bool  # its name is derived further up the file too


def _check_one(
    protocol: Protocol, step: Step, name: str, spec: Derive, known: _Known
) -> list[tuple[str, str | None]]:
    """Problems with one derived value, each with the key it is about (None: its name)."""
    problems: list[tuple[str, str | None]] = []
    unit = _unit_or_none(spec.unit)
    if unit is None:
        try:
            parse_unit(spec.unit)
        except QuantityError as exc:
            problems.append((str(exc), "unit"))
    clash = _clash(known, step.id, name)
    if clash is not None:
        problems.append((f"the name is already a {clash.kind} "
                         f"{_where(clash)}; a derived value needs a name of its own", None))
    try:
        expression = parse_expression(spec.expr)
    except QuantityError as exc:
        at = getattr(exc, "offset", 0)
        return [*problems, (f"{exc} (at character {at + 1} of the expression)", "expr")]
    if known.circle is not None:
        return [*problems, (_circle_text(known.circle), "expr")]
    inputs = _resolve(expression, known.sources, problems)
    if inputs is None or unit is None:
        return problems
    problems += _check_units(expression, inputs, unit, spec)
    problems += _check_per(inputs, spec)
    return problems


def _clash(known: _Known, step: str, name: str) -> Source | None:
    """A parameter or recorded value of the same name, or the same name derived above."""
    found = known.sources.get(name, [])
    other = [s for s in found if s.kind != "derived"]
    if not other and known.declared_above:
        other = [s for s in found if s.step != step]
    return other[0] if other else None


def _circle_text(circle: tuple[str, ...]) -> str:
    if len(circle) == 2:
        return (f"{circle[0]!r} uses itself; a derived value is computed from parameters, "
                "recorded values and other derived values")
    return (f"derived values use each other in a circle ({' → '.join(circle)}); one of them "
            "must be computed from parameters or recorded values alone")


def _where(source: Source) -> str:
    return f"at step {source.step!r}" if source.step else "of the protocol"


def _resolve(
    expression: Expression, sources: Mapping[str, list[Source]],
    problems: list[tuple[str, str | None]],
) -> dict[str, Source] | None:
    inputs: dict[str, Source] = {}
    for used in expression.names:
        found = sources.get(used, [])
        if not found:
            hint = did_you_mean(used, sources)
            problems.append((f"unknown name {used!r} in {expression.text!r}"
                             + (f" (did you mean {hint}?)" if hint else
                                " (not a parameter, recorded value or derived value)"),
                             "expr"))
            continue
        if len(found) > 1:
            places = ", ".join(f"{s.kind} {_where(s)}" for s in found)
            problems.append((f"{used!r} is ambiguous: {places}", "expr"))
            continue
        source = found[0]
        if source.unit == "text":
            problems.append((f"{used!r} is recorded as text, not a quantity", "expr"))
        elif source.unit == "?":
            problems.append((f"{used!r} is recorded without a unit; give its record a unit: "
                             "to compute with it", "expr"))
        else:
            inputs[used] = source
    return inputs if len(inputs) == len(expression.names) else None


def _check_units(
    expression: Expression, inputs: Mapping[str, Source], unit: str, spec: Derive
) -> list[tuple[str, str | None]]:
    """Evaluate with one of each input's declared unit: the units must work out to ``unit``.

    The check runs on the dimensions pint gave each unit (kept in the unit-facts cache, so
    validating stays fast); only a protocol that fails it imports pint itself, to say in
    its units what the expression gives.
    """
    problems: list[tuple[str, str | None]] = []
    if not _dimensions_agree(expression, inputs, unit):
        problems = _unit_problem(expression, inputs, unit, spec)
    if not problems and spec.range is not None:
        try:
            spec.range.to(unit)
        except QuantityError as exc:
            problems = [(f"range {exc}", "range")]
    return problems


def _dimensions_agree(expression: Expression, inputs: Mapping[str, Source], unit: str) -> bool:
    try:
        result = evaluate(expression, {n: _Dims.of(s.unit) for n, s in inputs.items()})
    except ElabError:
        return False
    target = _Dims.of(unit)
    return (result.exponents if isinstance(result, _Dims) else ()) == target.exponents


def _unit_problem(
    expression: Expression, inputs: Mapping[str, Source], unit: str, spec: Derive
) -> list[tuple[str, str | None]]:
    from elab.units import registry

    quantity = registry().Quantity
    try:
        result = evaluate(expression, {n: quantity(1.0, s.unit) for n, s in inputs.items()})
    except ElabError as exc:
        return [(str(exc), "expr")]
    if _dimension(result) == _dimension(quantity(1.0, unit)):
        return []
    shown = ", ".join(f"{n} in {units_text(quantity(1.0, s.unit))}" for n, s in inputs.items())
    return [(f"{expression.text.strip()!r} gives {units_text(result)} ({shown}), which is "
             f"not convertible to {spec.unit}", "unit")]


@dataclass(frozen=True)
class _Dims:
    """A quantity's dimensions as base-dimension exponents: enough to check an expression.

    Built from the dimensionality pint reported for a unit (``[mass] / [length] ** 3``);
    ``+`` and ``-`` need equal dimensions, ``*`` and ``/`` add and subtract exponents.
    """

    exponents: tuple[tuple[str, float], ...] = ()
    magnitude: float = 1.0

    @classmethod
    def of(cls, unit: str) -> _Dims:
        text = unit_facts(unit).dimensionality if unit else ""
        found: dict[str, float] = {}
        parts = re.split(r" ([*/]) ", text) if text else []
        sign = 1.0
        for part in parts:
            if part in ("*", "/"):
                sign = 1.0 if part == "*" else -1.0
                continue
            name, _, power = part.partition(" ** ")
            if name != "1":
                found[name] = found.get(name, 0.0) + sign * float(power or 1)
        return cls._made(found)

    @classmethod
    def _made(cls, found: Mapping[str, float]) -> _Dims:
        return cls(tuple(sorted((k, v) for k, v in found.items() if v != 0)))

    def _combined(self, other: object, sign: float) -> _Dims:
        if not isinstance(other, _Dims):
            if sign < 0 and other == 0:
                raise ZeroDivisionError
            return self
        found = dict(self.exponents)
        for name, power in other.exponents:
            found[name] = found.get(name, 0.0) + sign * power
        return self._made(found)

    def _same(self, other: object) -> _Dims:
        mine = self.exponents
        theirs = other.exponents if isinstance(other, _Dims) else ()
        if mine != theirs:
            raise TypeError("unlike dimensions")
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = _same

    def __mul__(self, other: object) -> _Dims:
        return self._combined(other, 1.0)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> _Dims:
        return self._combined(other, -1.0)

    def __rtruediv__(self, other: object) -> _Dims:
        return self._made({name: -power for name, power in self.exponents})

    def __neg__(self) -> _Dims:
        return self

    def __pos__(self) -> _Dims:
        return self


def _dimension(value: Any) -> str:
    dims = getattr(value, "dimensionality", None)
    return str(dims) if dims else ""


def _check_per(inputs: Mapping[str, Source], spec: Derive) -> list[tuple[str, str | None]]:
    vectors = {n: s for n, s in inputs.items()
               if (s.kind == "record" and s.count > 1) or s.per}
    if spec.per is None:
        per = [n for n, s in vectors.items() if s.per]
        if per:
            return [(f"{', '.join(per)} has one value per sample; declare per: here too",
                     "expr")]
        return []
    counts = {s.count for s in vectors.values()}
    if len(counts) > 1:
        shown = ", ".join(f"{n} ({s.count})" for n, s in vectors.items())
        return [(f"per {spec.per}: the values used have different numbers of readings: "
                 f"{shown}", "per")]
    return []
