"""The design's factor levels, checked where they are written and where they are named.

A level is what every count of the design is built from, so a typo in one changes amounts
without a word: ``0.8 um`` (micrometre) among ``uM`` doses is no concentration, so the
dose factor is no dose series any more (the dilution plan, the vehicle and the design's
addition all drop out of ``elab show``), and ``exclude: [0.8 uM]`` names a level that is
no longer there, so the blank's medium is counted for the 0.8 um wells too.  So:

- the quantity levels of one factor share one dimension (each odd one is named with the
  unit the others have);
- a factor that ``design.dosing`` doses by has only concentrations for levels;
- each level is one value, written once: ``0.032-0.1 uM`` is no condition a well can be
  given, and ``0.16 uM`` twice (or ``1 nM`` beside ``1nM``, ``160 nM`` beside ``0.16 uM``)
  is one condition under two names, so the samples could not be told apart by name;
- ``exclude:`` names a level, a control or a control kind of the design, and a regimen's
  ``arms:`` name levels; anything else is located with a did-you-mean.  A level already
  reported is not reported again through an ``exclude:`` that named it as it should be.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elab.domain.protocol.model import Design, Factor, Protocol
from elab.domain.protocol.samples import sample_key
from elab.domain.protocol.yamlsource import locate
from elab.errors import Location, ProtocolError, QuantityError, did_you_mean
from elab.units import KINDS, QRange, convert, parse_quantity, unit_facts

__all__ = ["check_levels", "excluded_names", "level_names"]

_NUMBER = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")
_CONCENTRATION = frozenset(d for d in KINDS["concentration"] if d)
_DIMENSIONS = {
    "[substance] / [length] ** 3": ("a molar concentration", "molar concentrations"),
    "[mass] / [length] ** 3": ("a mass concentration", "mass concentrations"),
    "[length]": ("a length", "lengths"),
    "[length] ** 3": ("a volume", "volumes"),
    "[mass]": ("a mass", "masses"),
    "[substance]": ("an amount of substance", "amounts of substance"),
    "[time]": ("a duration", "durations"),
    "[temperature]": ("a temperature", "temperatures"),
    "[cells]": ("a cell count", "cell counts"),
    "": ("a plain number", "plain numbers"),
}


@dataclass(frozen=True)
class _Level:
    """One level as written, with its dimension when it is a quantity."""

    index: int
    text: str
    dimension: str | None  # None: a word (``vehicle``), not a quantity
    unit: str  # the unit as written (``uM``), "" for a word or a bare number
    quantity: QRange | None = None


def level_names(factor: Factor) -> list[str]:
    """The names a level goes by: as written, and a bare number with the factor's unit
    (``24`` and ``24 h``), as ``for_each`` copies write it."""
    names: list[str] = []
    for level, text in zip(factor.levels, _texts(factor), strict=True):
        names += dict.fromkeys((str(level), text))
    return names


def excluded_names(design: Design, names: set[str]) -> set[str]:
    """``names`` with each level also under the name the design's conditions give it, so
    ``exclude: [24 h]`` leaves out the level written ``24`` with ``unit: h``."""
    out = set(names)
    for factor in design.factors:
        for level, text in zip(factor.levels, _texts(factor), strict=True):
            if text in names:
                out.add(str(level))
    return out


def check_levels(protocol: Protocol, tree: Mapping[str, Any], file: str) -> list[ProtocolError]:
    """Levels of one dimension, concentrations where dosed, and every name of a level known."""
    design = protocol.design
    if design is None:
        return []

    def at(*path: str | int) -> Location:
        return locate(tree, list(path)) or Location(file, 1, 1)

    errors: list[ProtocolError] = []
    bad: list[str] = []
    dosed = {d.factor: d.material for d in design.dosing}
    for index, factor in enumerate(design.factors):
        levels = _levels(factor)
        where = ("design", "factors", index, "levels")
        expected = _expected(levels, dosed.get(factor.name) is not None)
        for level in levels:
            message = (_odd_level(factor, level, levels, expected, dosed.get(factor.name))
                       or _not_one_value(factor, level)
                       or _again(factor, level, levels))
            if message:
                errors.append(ProtocolError(message, at(*where, level.index)))
                bad.append(level.text)
    errors += _excludes(protocol, design, at, bad)
    errors += _regimen_arms(protocol, design, at)
    return errors


def _levels(factor: Factor) -> list[_Level]:
    out = []
    for index, (level, text) in enumerate(zip(factor.levels, _texts(factor), strict=True)):
        try:
            quantity = parse_quantity(text)
        except (QuantityError, ValueError):
            out.append(_Level(index, str(level), None, ""))
            continue
        written = _NUMBER.sub("", text, count=1).strip()
        out.append(_Level(index, text, unit_facts(quantity.unit).dimensionality, written,
                          quantity))
    return out


def _texts(factor: Factor) -> list[str]:
    """Each level as a quantity would be written: a bare number takes the factor's unit."""
    return [f"{v} {factor.unit}" if factor.unit and _bare(v) else str(v) for v in factor.levels]


def _bare(level: object) -> bool:
    """A number without a unit (levels are read as text, so ``24`` arrives as '24')."""
    try:
        float(str(level))
    except ValueError:
        return False
    return not isinstance(level, bool)


def _expected(levels: list[_Level], dosed: bool) -> _Level | None:
    """The level whose dimension the others should share: the commonest among the
    quantities (a concentration first when the factor is dosed), the first on a tie."""
    quantities = [lv for lv in levels if lv.dimension is not None]
    if dosed:
        quantities = [lv for lv in quantities if lv.dimension in _CONCENTRATION] or quantities
    if not quantities:
        return None
    counts = Counter(lv.dimension for lv in quantities)
    top = max(counts.values())
    return next(lv for lv in quantities if counts[lv.dimension] == top)


def _odd_level(factor: Factor, level: _Level, levels: list[_Level], expected: _Level | None,
               material: str | None) -> str | None:
    """The message for a level out of step with the others, or None."""
    if expected is not None and level.dimension is not None and (
            level.dimension != expected.dimension):
        others = [lv for lv in levels if lv.dimension == expected.dimension]
        what = _DIMENSIONS.get(level.dimension, (f"dimension {level.dimension}",))[0]
        unit = f" ({level.unit} is {_canonical(level.text)})" if level.unit else ""
        them = _plural(expected.dimension) if len(others) > 1 else _singular(expected.dimension)
        return (f"level {level.text!r} of factor {factor.name!r} is {what}{unit}; the other "
                f"levels are {them} in {expected.unit or 'no unit'}{_suggest(level, expected)}")
    if material is None or level.dimension in _CONCENTRATION:
        return None
    if level.dimension is None or expected is None or expected.dimension not in _CONCENTRATION:
        like = (f" in {expected.unit}, like the others" if expected is not None
                and expected.dimension in _CONCENTRATION else " (10 uM, 1 ug/mL)")
        return (f"level {level.text!r} of factor {factor.name!r} is not a concentration, but "
                f"design.dosing doses {material} by this factor: each level is a final "
                f"concentration{like}")
    return None


def _not_one_value(factor: Factor, level: _Level) -> str | None:
    """The message for a level written as a range (``0.032-0.1 uM``): no well gets one."""
    quantity = level.quantity
    if quantity is None or quantity.is_exact or quantity.low is None or (
            quantity.high is None):
        return None
    return (f"level {level.text!r} of factor {factor.name!r} is a range; a level is one "
            "value each sample is given (write each value as a level of its own)")


def _again(factor: Factor, level: _Level, levels: list[_Level]) -> str | None:
    """The message for a level that repeats an earlier one: the same text once case and
    spaces are ignored (``1nM``, ``1 nM``), or the same quantity (``160 nM``, ``0.16 uM``)."""
    for other in levels[: level.index]:
        if sample_key(other.text) == sample_key(level.text) or _equal(other, level):
            return (f"level {level.text!r} of factor {factor.name!r} is the same as level "
                    f"{other.text!r}; each level is one condition, written once")
    return None


def _equal(one: _Level, two: _Level) -> bool:
    """Both levels the same single quantity, in whatever units they are written."""
    a, b = one.quantity, two.quantity
    if a is None or b is None or not (a.is_exact and b.is_exact) or (
            one.dimension != two.dimension):
        return False
    try:
        there = convert(a.planned, a.unit, b.unit)
    except QuantityError:
        return False
    return there is not None and abs(there - b.planned) <= 1e-9 * max(abs(b.planned), 1e-300)


def _suggest(level: _Level, expected: _Level) -> str:
    """``(did you mean '0.8 uM'?)`` when the unit differs from the others' by case alone."""
    if level.unit and expected.unit and level.unit.lower() == expected.unit.lower():
        number = level.text[: len(level.text) - len(level.unit)].strip()
        return f" (did you mean '{number} {expected.unit}'?)"
    return ""


def _canonical(text: str) -> str:
    unit = parse_quantity(text).unit
    return unit if unit else "a plain number"


def _singular(dimension: str | None) -> str:
    return _DIMENSIONS.get(dimension or "", (f"of dimension {dimension}",))[0]


def _plural(dimension: str | None) -> str:
    found = _DIMENSIONS.get(dimension or "")
    return found[1] if found else f"of dimension {dimension}"


def _excludes(protocol: Protocol, design: Design, at: Any,
              bad: list[str]) -> list[ProtocolError]:
    """Each ``exclude:`` entry that names no level, control or control kind of the design.

    When a level is already reported (``bad``), an entry that names a level as it should
    be written (a quantity, or a name closest to the bad level) is that same mistake seen
    from the other end: it is left out, so one bad level is one line."""
    levels = [name for factor in design.factors for name in level_names(factor)]
    controls = [c.name for c in design.controls] + [c.kind for c in design.controls]
    known = [*levels, *controls]
    errors = []
    for i, step in enumerate(protocol.steps):
        for j, use in enumerate(step.uses):
            for k, name in enumerate(use.exclude):
                if name in known:
                    continue
                hint = did_you_mean(name, known, n=1)
                if bad and (_is_quantity(name) or hint in {repr(b) for b in bad}):
                    continue
                errors.append(ProtocolError(
                    f"exclude: {name!r} is no level, control or control kind of the design"
                    + (f" (did you mean {hint}?)" if hint else _listed(levels, controls)),
                    at("steps", i, "uses", j, "exclude", k)))
    return errors


def _is_quantity(text: str) -> bool:
    try:
        parse_quantity(text)
    except (QuantityError, ValueError):
        return False
    return True


def _listed(levels: list[str], controls: list[str]) -> str:
    parts = ([f"levels: {', '.join(levels)}"] if levels else []) + (
        [f"controls: {', '.join(dict.fromkeys(controls))}"] if controls else [])
    return f" ({'; '.join(parts)})" if parts else " (the design has no levels or controls)"


def _regimen_arms(protocol: Protocol, design: Design, at: Any) -> list[ProtocolError]:
    """Each arm a regimen names that is no level of a design factor."""
    levels = [name for factor in design.factors for name in level_names(factor)]
    errors = []
    for i, step in enumerate(protocol.steps):
        if step.regimen is None:
            continue
        for k, arm in enumerate(step.regimen.arms or []):
            if arm in levels:
                continue
            hint = did_you_mean(arm, levels)
            errors.append(ProtocolError(
                f"arms: {arm!r} is no level of a design factor"
                + (f" (did you mean {hint}?)" if hint else f" (levels: {', '.join(levels)})"
                   if levels else " (the design has no factors)"),
                at("steps", i, "regimen", "arms", k)))
    return errors
