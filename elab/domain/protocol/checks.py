"""Checks that need the whole protocol: references, the step graph, the design.

Each check returns located errors rather than raising, so a file reports everything wrong
with it in one go.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from elab.domain.protocol.counting import check_per
from elab.domain.protocol.derive import check_derived
from elab.domain.protocol.design_checks import check_design_values
from elab.domain.protocol.factor_checks import check_factors
from elab.domain.protocol.graph import find_cycle
from elab.domain.protocol.levels import check_levels
from elab.domain.protocol.model import Protocol
from elab.domain.protocol.samples import check_sample_names
from elab.domain.protocol.yamlsource import locate
from elab.errors import Location, ProtocolError, QuantityError, did_you_mean
from elab.units import check_kind, parse_quantity, parse_unit

__all__ = ["check_protocol", "check_references"]


def check_protocol(protocol: Protocol, tree: Mapping[str, Any], file: str,
                   *, authored: bool = True) -> list[ProtocolError]:
    """Every typed error (records, parameters, design) in a validated protocol.

    ``authored``: the file as written, so also what only its author can fix and a run
    started from it would carry into its amounts: ``per:`` words the design cannot count,
    levels of another dimension, names of levels it does not have.  A run's stored copy is
    read without these (the run happened as written and must reopen).
    """
    checker = _Checker(tree, file)
    checker.records(protocol)
    checker.parameters(protocol)
    checker.design(protocol)
    if authored:
        checker.regimens(protocol)
    authoring = _authoring(protocol, tree, file) if authored else []
    return [*checker.errors, *authoring, *check_derived(protocol, tree, file)]


def _authoring(protocol: Protocol, tree: Mapping[str, Any], file: str) -> list[ProtocolError]:
    """The checks of a file as written.  Sample names are built from the levels, so they
    are checked once the levels are right (a bad level is one line, not two)."""
    levels = check_levels(protocol, tree, file)
    names = [] if levels else [*check_sample_names(protocol.design, tree, file),
                               *check_factors(protocol.design, tree, file)]
    return [*check_per(protocol, tree, file), *levels,
            *check_design_values(protocol, tree, file), *names]


def check_references(tree: Mapping[str, Any], file: str) -> list[ProtocolError]:
    """Ids, references and the step graph, read from the document itself.

    These run on the raw document so that a file with shape errors still reports its
    unknown materials and broken ``after:`` ids in the same pass.
    """
    checker = _Checker(tree, file)
    checker.duplicate_ids()
    checker.references()
    checker.graph()
    checker.panel()
    return checker.errors


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ref_name(ref: Any) -> str | None:
    if isinstance(ref, str):
        return ref
    if isinstance(ref, Mapping) and isinstance(ref.get("step"), str):
        return str(ref["step"])
    return None


class _Checker:
    def __init__(self, tree: Mapping[str, Any], file: str) -> None:
        self.tree = tree
        self.file = file
        self.errors: list[ProtocolError] = []
        self.steps = [s for s in _list(tree.get("steps"))]
        self.materials = _dict(tree.get("materials"))
        self.equipment = _dict(tree.get("equipment"))
        self.variants = _dict(tree.get("variants"))

    def at(self, *path: str | int, key: bool = False) -> Location:
        return locate(self.tree, list(path), key=key) or Location(self.file, 1, 1)

    def error(self, message: str, *path: str | int, key: bool = False) -> None:
        self.errors.append(ProtocolError(message, self.at(*path, key=key)))

    def step_ids(self) -> list[str]:
        return [str(s.get("id")) for s in self.steps if isinstance(s, Mapping) and "id" in s]

    def duplicate_ids(self) -> None:
        seen: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            if not isinstance(step, Mapping) or "id" not in step:
                continue
            sid = str(step["id"])
            if sid in seen:
                self.error(
                    f"duplicate step id {sid!r} (first used by step {seen[sid] + 1})",
                    "steps",
                    index,
                    "id",
                )
            else:
                seen[sid] = index

    def _unknown(self, kind: str, name: str, known: Mapping[str, Any], *path: str | int) -> None:
        hint = did_you_mean(name, known)
        declared = "" if known else f" (the protocol declares no {kind})"
        self.error(
            f"undeclared {kind} {name!r}" + (f" (did you mean {hint}?)" if hint else declared),
            *path,
        )

    def references(self) -> None:
        for i, step in enumerate(self.steps):
            if not isinstance(step, Mapping):
                continue
            for j, use in enumerate(_list(step.get("uses"))):
                name = _dict(use).get("material")
                if isinstance(name, str) and name not in self.materials:
                    self._unknown(
                        "material", name, self.materials, "steps", i, "uses", j, "material"
                    )
            for j, name in enumerate(_list(step.get("equipment"))):
                if isinstance(name, str) and name not in self.equipment:
                    self._unknown("equipment", name, self.equipment, "steps", i, "equipment", j)
            for key in ("incubate", "wait", "centrifuge"):
                name = _dict(step.get(key)).get("equipment")
                if isinstance(name, str) and name not in self.equipment:
                    self._unknown("equipment", name, self.equipment, "steps", i, key, "equipment")
            variant = step.get("variant")
            if isinstance(variant, str) and variant not in self.variants:
                hint = did_you_mean(variant, self.variants)
                self.error(
                    f"unknown variant {variant!r}; declare it under variants:"
                    + (f" (did you mean {hint}?)" if hint else ""),
                    "steps",
                    i,
                    "variant",
                )
        vehicle = _dict(_dict(self.tree.get("design")).get("vehicle")).get("material")
        if isinstance(vehicle, str) and vehicle not in self.materials:
            self._unknown("material", vehicle, self.materials, "design", "vehicle", "material")

    def graph(self) -> None:
        ids = self.step_ids()
        preds: dict[str, list[str]] = {}
        previous: str | None = None
        for i, step in enumerate(self.steps):
            if not isinstance(step, Mapping) or "id" not in step:
                continue
            sid = str(step["id"])
            names: list[str] = []
            after = step.get("after")
            if after is None:
                names = [previous] if previous is not None else []
            else:
                for j, ref in enumerate(_list(after)):
                    name = _ref_name(ref)
                    path: tuple[str | int, ...] = ("steps", i, "after", j)
                    if isinstance(ref, Mapping):
                        path = (*path, "step")
                    if name is None:
                        continue
                    if name not in ids:
                        hint = did_you_mean(name, ids)
                        self.error(
                            f"after: unknown step {name!r}"
                            + (f" (did you mean {hint}?)" if hint else ""),
                            *path,
                        )
                    elif name == sid:
                        self.error(f"step {name!r} cannot come after itself", *path)
                    else:
                        names.append(name)
            preds.setdefault(sid, []).extend(names)
            previous = sid
        cycle = find_cycle(ids, preds)
        if cycle:
            first = ids.index(cycle[0])
            index = next(i for i, s in enumerate(self.steps) if _dict(s).get("id") == ids[first])
            shown = " -> ".join(reversed(cycle))
            self.error(f"the step graph has a cycle: {shown}", "steps", index, "after")

    def panel(self) -> None:
        """Each fluorochrome once per panel: two antibodies in one channel cannot be told apart."""
        seen: dict[str, str] = {}
        for name, material in self.materials.items():
            fluor = _dict(material).get("fluorochrome")
            if not isinstance(fluor, str):
                continue
            key = fluor.strip().lower()
            if key in seen:
                self.error(
                    f"fluorochrome {fluor!r} is used twice in the panel"
                    f" ({seen[key]!r} and {name!r})",
                    "materials",
                    name,
                    "fluorochrome",
                )
            else:
                seen[key] = name

    def records(self, p: Protocol) -> None:
        for i, step in enumerate(p.steps):
            for name, spec in step.record.items():
                if spec.type != "quantity":
                    continue
                if spec.unit is None and spec.kind is None:
                    self.error(
                        f"record {name!r} needs a unit or a kind", "steps", i, "record", name
                    )
                    continue
                try:
                    unit = parse_unit(spec.unit) if spec.unit else None
                    if spec.range is not None and unit is not None:
                        spec.range.to(unit)
                    if spec.range is not None and spec.kind is not None:
                        check_kind(spec.range, spec.kind)
                except QuantityError as exc:
                    where = "range" if spec.range is not None and "convert" in str(exc) else "unit"
                    self.error(f"record {name!r}: {exc}", "steps", i, "record", name, where)

    def parameters(self, p: Protocol) -> None:
        for name, param in p.parameters.items():
            if param.range is None:
                continue
            try:
                ok = all(
                    param.range.contains(v, param.default.unit)
                    for v in (param.default.low, param.default.high)
                    if v is not None
                )
            except QuantityError as exc:
                self.error(f"parameter {name!r}: range {exc}", "parameters", name, "range")
                continue
            if not ok:
                self.error(
                    f"parameter {name!r}: default {param.default}"
                    f" is outside its range {param.range}",
                    "parameters",
                    name,
                    "default",
                )

    def regimens(self, p: Protocol) -> None:
        """A regimen on days of cycles counts the study's cycle days from cycle 1 day 1, so
        its ``start:`` skips whole cycles (an infusion from cycle 3): part of one would give
        "day 1" on another cycle day (a clinical schedule names the cycle day instead)."""
        for i, step in enumerate(p.steps):
            r = step.regimen
            if r is None or r.start is None or not r.cycle or not (r.days or r.on):
                continue
            start, cycle = (math.ceil(q.seconds()[0] / 86400) for q in (r.start, r.cycle))
            if cycle > 0 and start % cycle:
                self.error(f"regimen start {r.start} is not a whole number of {r.cycle} cycles: "
                           f"cycle days count from cycle 1 day 1 (say the day in days:, or "
                           f"start: {start // cycle * cycle or cycle} d to skip cycles)",
                           "steps", i, "regimen", "start")

    def design(self, p: Protocol) -> None:
        design = p.design
        if design is None:
            return
        names = [f.name for f in design.factors]
        for index, factor in enumerate(design.factors):
            if names.count(factor.name) > 1 and names.index(factor.name) != index:
                self.error(f"duplicate factor {factor.name!r}", "design", "factors", index, "name")
            for level_index, level in enumerate(factor.levels):
                if factor.unit is not None:
                    try:
                        parse_quantity(f"{level} {factor.unit}")
                    except QuantityError as exc:
                        self.error(str(exc), "design", "factors", index, "levels", level_index)
        known = dict.fromkeys(names)
        for index, control in enumerate(design.controls):
            for name in control.for_each:
                if name not in known:
                    self._unknown("factor", name, known, "design", "controls", index, "for_each")
        if design.plate_by is not None and design.plate_by not in known:
            self._unknown("factor", design.plate_by, known, "design", "plate_by")
