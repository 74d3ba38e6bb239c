"""Dosing: mg/kg by body weight for animals, mg/m² by body-surface area for patients.

An animal's dose volume follows from the dose and the dosing volume (10 mL/kg for a mouse by
gavage or i.p.): the formulation is ``dose / dosing volume`` (50 mg/kg at 10 mL/kg = 5 mg/mL)
and each animal gets ``weight × dosing volume``.  Body-surface area is by Mosteller (the
default, √(height·weight/3600)) or DuBois (0.007184·W^0.425·H^0.725).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from elab.errors import InputError
from elab.units import format_magnitude

__all__ = [
    "GOOD_PRACTICE_ML_PER_KG",
    "AnimalDose",
    "AnimalPlan",
    "PatientDose",
    "bsa_dubois",
    "bsa_mosteller",
    "dose_animals",
    "dose_patient",
    "dosing_volume_warning",
]

BsaFormula = Literal["mosteller", "dubois"]

#: Good-practice dosing volumes for a mouse, mL/kg, by route (Diehl et al., "A good practice
#: guide to the administration of substances and removal of blood, including routes and
#: volumes", J Appl Toxicol 2001;21:15-23, table 1: oral 10, s.c. 10, i.p. 20, i.v. bolus 5;
#: the possible maxima 50, 40, 80 and 25 are for single doses, not a study's daily gavage).
GOOD_PRACTICE_ML_PER_KG = {"oral": 10.0, "s.c.": 10.0, "i.p.": 20.0, "i.v.": 5.0}


@dataclass(frozen=True)
class AnimalDose:
    """One animal's dose: weight in g, dose in mg, volume in µL."""

    animal: str
    weight_g: float
    dose_mg: float
    volume_ul: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AnimalPlan:
    dose_mg_per_kg: float
    dosing_ml_per_kg: float
    formulation_mg_per_ml: float
    animals: tuple[AnimalDose, ...]
    total_ml: float
    overage: float

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["animals"] = [a.to_dict() for a in self.animals]
        return out

    def text(self) -> str:
        lines = [
            f"{format_magnitude(self.dose_mg_per_kg)} mg/kg at "
            f"{format_magnitude(self.dosing_ml_per_kg)} mL/kg: formulate at "
            f"{format_magnitude(self.formulation_mg_per_ml)} mg/mL",
            f"{'animal':<10} {'weight':>9} {'dose':>10} {'volume':>10}",
        ]
        for a in self.animals:
            lines.append(f"{a.animal:<10} {format_magnitude(a.weight_g) + ' g':>9} "
                         f"{format_magnitude(a.dose_mg) + ' mg':>10} "
                         f"{format_magnitude(a.volume_ul) + ' µL':>10}")
        lines.append(f"make {format_magnitude(self.total_ml)} mL "
                     f"({format_magnitude(self.total_ml * self.formulation_mg_per_ml)} mg), "
                     f"with {self.overage * 100:g} % overage")
        return "\n".join(lines)


def dose_animals(
    dose_mg_per_kg: float,
    weights_g: list[float],
    dosing_ml_per_kg: float = 10.0,
    overage: float = 0.2,
    names: list[str] | None = None,
    resolution_ul: float = 1.0,
) -> AnimalPlan:
    """Per-animal dose and volume; ``weights_g`` as weighed on the day."""
    if dose_mg_per_kg <= 0 or dosing_ml_per_kg <= 0:
        raise InputError("the dose and the dosing volume must be positive")
    if not weights_g:
        raise InputError("give at least one body weight")
    for w in weights_g:
        if not 1 <= w <= 2000:
            raise InputError(f"a body weight of {format_magnitude(w)} g is not an animal's")
    names = names or [f"animal {k}" for k in range(1, len(weights_g) + 1)]
    if len(names) != len(weights_g):
        raise InputError(f"{len(names)} names for {len(weights_g)} weights")
    conc = dose_mg_per_kg / dosing_ml_per_kg
    animals = []
    for name, w in zip(names, weights_g, strict=True):
        volume = round(round(w / 1000 * dosing_ml_per_kg * 1000 / resolution_ul) * resolution_ul, 6)
        animals.append(AnimalDose(name, w, w / 1000 * dose_mg_per_kg, volume))
    # to the µL the volumes are given in: at 0.1 mL/kg a mouse's 2 µL with 20 % overage is
    # 0.0024 mL, which rounding to 0.001 mL made 0.002 mL and so no overage at all
    total = sum(a.volume_ul for a in animals) / 1000 * (1 + overage)
    return AnimalPlan(dose_mg_per_kg, dosing_ml_per_kg, conc, tuple(animals),
                      round(total, 6), overage)


def dosing_volume_warning(dosing_ml_per_kg: float, route: str = "oral") -> str | None:
    """A sentence when the dosing volume is above the good-practice volume of the route.

    100 mL/kg by gavage is a fifth of a 20 g mouse's weight in fluid: a typing slip for
    10 mL/kg far more often than a plan, so it is said, not refused.
    """
    limit = GOOD_PRACTICE_ML_PER_KG.get(route)
    if limit is None:
        known = ", ".join(GOOD_PRACTICE_ML_PER_KG)
        raise InputError(f"route {route!r} is not one of {known}")
    if dosing_ml_per_kg <= limit:
        return None
    return (f"a dosing volume of {format_magnitude(dosing_ml_per_kg)} mL/kg is above the"
            f" {format_magnitude(limit)} mL/kg good-practice {route} volume for mice"
            " (Diehl et al. 2001); check it is not a slip")


def bsa_mosteller(height_cm: float, weight_kg: float) -> float:
    """Body-surface area in m² (Mosteller 1987)."""
    _check_body(height_cm, weight_kg)
    return math.sqrt(height_cm * weight_kg / 3600)


def bsa_dubois(height_cm: float, weight_kg: float) -> float:
    """Body-surface area in m² (DuBois & DuBois 1916)."""
    _check_body(height_cm, weight_kg)
    return float(0.007184 * weight_kg**0.425 * height_cm**0.725)


def _check_body(height_cm: float, weight_kg: float) -> None:
    if not 30 <= height_cm <= 260:
        raise InputError(f"a height of {format_magnitude(height_cm)} cm is not a patient's")
    if not 2 <= weight_kg <= 400:
        raise InputError(f"a weight of {format_magnitude(weight_kg)} kg is not a patient's")


@dataclass(frozen=True)
class PatientDose:
    height_cm: float
    weight_kg: float
    formula: str
    bsa_m2: float
    dose_mg_per_m2: float
    dose_mg: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        return (f"BSA {self.bsa_m2:.2f} m² ({self.formula}, {format_magnitude(self.height_cm)} cm, "
                f"{format_magnitude(self.weight_kg)} kg) × "
                f"{format_magnitude(self.dose_mg_per_m2)} mg/m² = {self.dose_mg:.1f} mg")


def dose_patient(dose_mg_per_m2: float, height_cm: float, weight_kg: float,
                 formula: BsaFormula = "mosteller") -> PatientDose:
    """mg for a patient from a mg/m² dose (gemcitabine 800 mg/m², nab-paclitaxel 125 mg/m²)."""
    if dose_mg_per_m2 <= 0:
        raise InputError("the dose must be positive")
    if formula not in ("mosteller", "dubois"):
        raise InputError(f"BSA formula {formula!r} is not mosteller or dubois")
    bsa = (bsa_mosteller if formula == "mosteller" else bsa_dubois)(height_cm, weight_kg)
    return PatientDose(height_cm, weight_kg, formula, bsa, dose_mg_per_m2, bsa * dose_mg_per_m2)
