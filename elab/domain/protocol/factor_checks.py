"""The design's factors against each other: names that collide and conditions given twice.

Levels within one factor are checked where they are written (:mod:`.levels`).  Across
factors, equal levels are no mistake by themselves: a combination matrix doses two drugs
from 0 (``0 uM`` of defactinib beside ``0 nM`` of paclitaxel), and a pretreatment and a
treatment may share their durations; each condition is named by its levels in factor
order (``0 uM / 0 nM``), so its name stays its own.  What does go wrong is this:

- **one drug dosed by two factors**: ``design.dosing`` giving defactinib by ``dose`` and
  by ``conc`` crosses the drug with itself, so a well is asked for ``160 nM / 0.16 uM`` (or
  ``160 nM / 1 uM``) of the same drug: conditions no well can be given, counted in every
  amount;
- **condition names that collide**: a level holding ``/`` joins into another condition's
  name (``vehicle/TGFb`` then ``SB`` against ``vehicle`` then ``TGFb/SB``), and readings,
  the layout and the record name a sample by its condition (case and spaces ignored);
- **factor names that collide**: with each other once case and spaces are ignored (``time``
  and ``Time``), or with a column every layout file has (``condition``, ``replicate``...):
  the layout CSV gets two columns of one name and reads back wrong.

Each is a located error of the file as written; a run's stored copy reopens without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elab.domain.protocol.design_model import Design
from elab.domain.protocol.samples import sample_key
from elab.domain.protocol.yamlsource import locate
from elab.errors import ElabError, Location, ProtocolError

__all__ = ["LAYOUT_COLUMNS", "check_factors"]

#: The columns of every layout file (`elab plate layout -o`) besides the factors' own.
LAYOUT_COLUMNS = ("plate", "well", "condition", "replicate", "control", "code")


def check_factors(design: Design | None, tree: Mapping[str, Any],
                  file: str) -> list[ProtocolError]:
    """Located errors for factors that collide by name, a drug dosed by two factors, and
    treated conditions whose names a reading could not tell apart."""
    if design is None:
        return []

    def at(*path: str | int) -> Location:
        return locate(tree, list(path)) or Location(file, 1, 1)

    return [*_names(design, at), *_dosed_twice(design, at), *_conditions(design, at)]


def _names(design: Design, at: Any) -> list[ProtocolError]:
    errors = []
    seen: dict[str, str] = {}
    for index, factor in enumerate(design.factors):
        key = sample_key(factor.name)
        where = at("design", "factors", index, "name")
        if key in LAYOUT_COLUMNS:
            errors.append(ProtocolError(
                f"factor {factor.name!r} is named like the layout file's column {key!r} "
                f"(every layout file has {', '.join(LAYOUT_COLUMNS[:-1])} and "
                f"{LAYOUT_COLUMNS[-1]} beside a column per factor); "
                "give the factor another name", where))
        elif key in seen and seen[key] != factor.name:  # the same name twice is reported
            errors.append(ProtocolError(
                f"factor {factor.name!r} is factor {seen[key]!r} once case and spaces are "
                "ignored; the layout names a column after each factor, so give each factor "
                "a name of its own", where))
        seen.setdefault(key, factor.name)
    return errors


def _dosed_twice(design: Design, at: Any) -> list[ProtocolError]:
    errors = []
    first: dict[str, str] = {}
    for index, dosing in enumerate(design.dosing):
        other = first.setdefault(dosing.material, dosing.factor)
        if other != dosing.factor:
            errors.append(ProtocolError(
                f"dosing: {dosing.material} is dosed by factor {other!r} already; dosed by "
                f"{dosing.factor!r} too, the design crosses the drug with itself and asks "
                f"each well for two concentrations of it ({_example(design, other, dosing)}); "
                "one factor gives all of a drug's concentrations", at("design", "dosing", index,
                                                              "factor")))
    return errors


def _example(design: Design, one: str, dosing: Any) -> str:
    """A condition of the crossing, as the layout would name it (``160 nM / 0.16 uM``)."""
    levels = {f.name: f.levels for f in design.factors}
    a, b = levels.get(one) or ["?"], levels.get(dosing.factor) or ["?"]
    return f"'{a[0]} / {b[-1]}'"


def _conditions(design: Design, at: Any) -> list[ProtocolError]:
    from elab.domain.plate import spec_from_design

    try:
        spec = spec_from_design(design, plate=design.plate or 96)
    except ElabError:
        return []  # a design the layout cannot read is reported by its own checks
    seen: dict[str, tuple[tuple[str, str], ...]] = {}
    for condition in spec.sample_conditions():
        earlier = seen.setdefault(sample_key(condition.name), condition.levels)
        if earlier == condition.levels:
            continue
        factor, level = _culprit(condition.levels, earlier)
        index = [f.name for f in spec.factors].index(factor)
        return [ProtocolError(
            f"level {level!r} of factor {factor!r}: condition {condition.name!r} is named "
            f"as condition {' / '.join(v for _, v in earlier)!r} once case and spaces are "
            "ignored (a condition's levels are joined by '/'); readings and the layout name "
            "a sample by its condition, so write the level without '/'",
            at("design", "factors", index, "levels", spec.factors[index].levels.index(level)))]
    return []


def _culprit(one: tuple[tuple[str, str], ...],
             two: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """(factor, level) to point at: a level holding '/' where the two conditions differ."""
    differing = [pair for a, b in zip(one, two, strict=True) if a != b for pair in (a, b)]
    return next((p for p in differing if "/" in p[1]), differing[0])
