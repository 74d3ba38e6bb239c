"""The design's dosing, vehicle and expected values: what they name, and their kind.

These numbers and names feed every computed amount, so a mistake in one used to pass
without a word or crash the science checks:

- ``dosing: material:`` and ``step:`` must name a declared material and a step: a typo
  (``defactinb``) made the drug's total vanish from ``elab show`` while the file validated;
- ``addition:`` is the volume of a series point pipetted into each well: 0 µL doses
  nothing, and every fraction of the vehicle and the drug is computed by dividing by it;
- ``working_volume:`` is what each well holds before the additions: at 0 µL every dose and
  the vehicle's fraction are computed over the additions alone, and three science checks
  each reported a consequence (a 10-fold dose, a 1 % vehicle, the seeding volume) instead
  of the one mistake;
- ``stock:`` and ``series_stock:`` are concentrations (``10 mM``), ``vehicle: final:`` a
  fraction of the well (``0.1 %``) above 0 (at 0 the vehicle arithmetic had nothing to
  compare with and said nothing);
- ``expected:`` names a potency the dose levels should bracket (``ic50``): an unknown key
  (``ic5``) is a check that silently never runs.

Each is a located error of the file as written; a run's stored copy is read without them
(:func:`.checks.check_protocol`), so a past run reopens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elab.domain.protocol.model import Design, Protocol
from elab.domain.protocol.yamlsource import locate
from elab.errors import Location, ProtocolError, QuantityError, did_you_mean
from elab.units import KINDS, QRange, unit_facts

__all__ = ["EXPECTED_KEYS", "check_design_values"]

#: The potencies a factor's ``expected:`` may give (the dose levels should bracket them).
EXPECTED_KEYS = ("ic50", "ec50", "gi50", "lc50", "ic90", "ec90", "ki", "kd")

_WHAT = {
    "[length] ** 3": "a volume",
    "[mass]": "a mass",
    "[substance]": "an amount of substance",
    "[time]": "a duration",
    "[length]": "a length",
    "[substance] / [length] ** 3": "a molar concentration",
    "[mass] / [length] ** 3": "a mass concentration",
}


def check_design_values(protocol: Protocol, tree: Mapping[str, Any],
                        file: str) -> list[ProtocolError]:
    """Located errors for the design's dosing entries, working volume, vehicle and expected
    keys."""
    design = protocol.design
    if design is None:
        return []

    def at(*path: str | int, key: bool = False) -> Location:
        return locate(tree, list(path), key=key) or Location(file, 1, 1)

    errors: list[ProtocolError] = []
    for index, message, field in _dosing(protocol, design):
        errors.append(ProtocolError(message, at("design", "dosing", index, field)))
    if design.working_volume is not None and not _positive(design.working_volume):
        errors.append(ProtocolError(
            f"working_volume {design.working_volume.text or design.working_volume} must be "
            "more than 0 µL (the volume in each well before the additions, which every dose "
            "and the vehicle's fraction are computed for)", at("design", "working_volume")))
    if design.vehicle is not None:
        final = _vehicle_final(design.vehicle.material, design.vehicle.final)
        if final:
            errors.append(ProtocolError(final, at("design", "vehicle", "final")))
    for index, factor in enumerate(design.factors):
        for name in factor.expected:
            if name in EXPECTED_KEYS:
                continue
            hint = did_you_mean(name.lower(), EXPECTED_KEYS)
            errors.append(ProtocolError(
                f"expected: unknown key {name!r}" + (f" (did you mean {hint}?)" if hint else "")
                + f"; a factor's expected potency is one of {', '.join(EXPECTED_KEYS)}",
                at("design", "factors", index, "expected", name, key=True)))
    return errors


def _dosing(protocol: Protocol, design: Design) -> list[tuple[int, str, str]]:
    """(index, message, field) for each dosing entry's bad reference or number."""
    out: list[tuple[int, str, str]] = []
    steps = [s.id for s in protocol.steps]
    for index, dosing in enumerate(design.dosing):
        if dosing.material not in protocol.materials:
            hint = did_you_mean(dosing.material, protocol.materials)
            out.append((index, f"dosing: undeclared material {dosing.material!r}"
                        + (f" (did you mean {hint}?)" if hint else ""), "material"))
        if dosing.step is not None and dosing.step not in steps:
            hint = did_you_mean(dosing.step, steps)
            out.append((index, f"dosing: unknown step {dosing.step!r}"
                        + (f" (did you mean {hint}?)" if hint else ""), "step"))
        for field in ("stock", "series_stock"):
            value = getattr(dosing, field)
            if value is not None and _dimension(value) not in KINDS["concentration"]:
                out.append((index, f"dosing of {dosing.material}: {field} {value.text or value}"
                            f" is {_what(value)}; it is a concentration (such as 10 mM)", field))
        if dosing.addition is not None and not _positive(dosing.addition):
            out.append((index, f"dosing of {dosing.material}: addition must be more than 0 µL"
                        " (the volume of each series point pipetted into a well)",
                        "addition"))
    return out


def _vehicle_final(material: str, final: QRange) -> str | None:
    """The message for a vehicle's ``final`` that is no fraction of the well, or None."""
    if _dimension(final) == "" and _positive(final):
        return None
    if _dimension(final) == "":
        return (f"vehicle ({material}): final {final.text or final} puts none of it in the"
                " well; give its fraction (such as 0.1 %), or leave vehicle: out")
    return (f"vehicle ({material}): final {final.text or final} is {_what(final)}; it is the"
            " vehicle's fraction of the well (such as 0.1 %)")


def _positive(value: QRange) -> bool:
    ends = [v for v in (value.low, value.high) if v is not None]
    return bool(ends) and all(v > 0 for v in ends)


def _dimension(value: QRange) -> str:
    try:
        return unit_facts(value.unit).dimensionality
    except QuantityError:
        return "?"


def _what(value: QRange) -> str:
    dimension = _dimension(value)
    return _WHAT.get(dimension, f"of dimension {dimension}")

