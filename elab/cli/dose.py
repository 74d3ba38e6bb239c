"""``elab dose DOSE``: mg/kg × body weights → dose volumes; mg/m² × body-surface area → mg.

``elab dose 50mg/kg --weight 20.1g --weight 22.4g [--dosing-volume 10mL/kg]`` for animals;
``elab dose 800mg/m^2 --height 170cm --weight 70kg [--formula dubois]`` for a patient.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Literal

import typer

__all__ = ["register"]

# The domain's BsaFormula, spelled here so that `elab --help` does not import the domain;
# mypy checks that every choice is one the domain accepts.
BsaFormula = Literal["mosteller", "dubois"]
Route = Literal["oral", "s.c.", "i.p.", "i.v."]


def dose(
    amount: Annotated[str, typer.Argument(help="50mg/kg (animals) or 800mg/m^2 (patient).")],
    weight: Annotated[list[str], typer.Option("--weight", help="Body weight (repeat per animal; "
                                              "a bare number is g for animals, kg for a "
                                              "patient). Commas allowed.")] = [],  # noqa: B006
    dosing_volume: Annotated[str, typer.Option("--dosing-volume", help="mL/kg.")] = "10 mL/kg",
    overage: Annotated[str, typer.Option("--overage", help="Extra formulation.")] = "20%",
    route: Annotated[Route, typer.Option("--route", help="Animal route; the dosing volume "
                                         "is checked against its good-practice volume.")]
    = "oral",
    height: Annotated[str | None, typer.Option("--height", help="Patient height.")] = None,
    formula: Annotated[BsaFormula, typer.Option("--formula", help="Body-surface-area formula.")]
    = "mosteller",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Dose amounts and volumes for animals (mg/kg) or a patient (mg/m²)."""
    from elab.cli._amounts import fraction_from_text, magnitude_in
    from elab.domain.dosing import dose_animals, dose_patient, dosing_volume_warning
    from elab.errors import InputError
    from elab.units import parse_quantity

    try:
        parsed = parse_quantity(amount)
    except ValueError as exc:
        raise InputError(f"DOSE: {exc}") from exc
    weights = [w.strip() for item in weight for w in item.split(",") if w.strip()]
    if not weights:
        raise InputError("give body weight(s) with --weight")
    per_m2 = _try(parsed.planned, parsed.unit, "milligram / meter ** 2")
    per_kg = _try(parsed.planned, parsed.unit, "milligram / kilogram")
    if per_m2 is not None:
        if height is None or len(weights) != 1:
            raise InputError("a mg/m² dose needs one --weight and a --height")
        result = dose_patient(per_m2, _bare(height, "centimeter"), _bare(weights[0], "kilogram"),
                              formula)
        print(json.dumps(result.to_dict(), indent=2) if as_json else result.text())
        return
    if per_kg is None:
        raise InputError(f"DOSE {amount!r} is neither a mg/kg nor a mg/m^2 dose")
    ml_per_kg = magnitude_in(dosing_volume, None, "milliliter / kilogram", "--dosing-volume")
    plan = dose_animals(per_kg, [_bare(w, "gram") for w in weights], ml_per_kg,
                        fraction_from_text(overage, "--overage"))
    warning = dosing_volume_warning(ml_per_kg, route)
    if warning:
        print(f"elab: warning: {warning}", file=sys.stderr)
    print(json.dumps(plan.to_dict(), indent=2) if as_json else plan.text())


def _try(value: float, unit: str, to: str) -> float | None:
    from elab.units import convert

    try:
        return convert(value, unit, to)
    except ValueError:
        return None


def _bare(text: str, unit: str) -> float:
    """A quantity in ``unit``; a bare number is already in it."""
    from elab.cli._amounts import quantity
    from elab.units import convert

    try:
        return float(text)
    except ValueError:
        q = quantity(text, "length" if unit.endswith("meter") else "mass", text)
        return convert(q.planned, q.unit, unit) or 0.0


def register(app: typer.Typer) -> None:
    app.command("dose")(dose)
