"""Check 2: the steps pipette the volumes the design declares.

The design says once what is in a well before the additions (``working_volume``, or its
plate format's usual volume) and what each dosing adds (``addition``); the dilution plan,
the bench sheet and the step amounts are computed from these.  A step that writes other
numbers would have the bench pipette one thing and the plan assume another (a dose 9 % low
from 100 µL seeded where the plan assumed 90 µL), so it is an error at the step's line:

- the steps before the dosing step put, per well, the working volume (their per-well
  volumes summed: medium, cell suspension);
- at the dosing step, the dosed drug and the vehicle are added at the design's addition.
"""

from __future__ import annotations

from elab.domain.protocol.counting import counts_samples
from elab.domain.protocol.model import Protocol
from elab.domain.protocol.science.finding import Report
from elab.domain.protocol.volumes import dosing_for_use, working_volume
from elab.units import convert, format_magnitude

__all__ = ["VOLUME_TOLERANCE", "check_volumes"]

#: Relative difference above which a step's volume contradicts the design's.
VOLUME_TOLERANCE = 0.01



def _ul(value: object) -> float | None:
    planned = getattr(value, "planned", None)
    unit = getattr(value, "unit", None)
    if planned is None or unit is None:
        return None
    return convert(planned, unit, "microliter")


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > VOLUME_TOLERANCE * max(abs(b), 1e-12)


def check_volumes(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    if design is None or not design.dosing:
        return
    _additions(protocol, report)
    _seeded(protocol, report)


def _additions(protocol: Protocol, report: Report) -> None:
    for i, step in enumerate(protocol.steps):
        for j, use in enumerate(step.uses):
            dosing = dosing_for_use(protocol, step.id, use)
            if dosing is None or dosing.addition is None or use.volume is None:
                continue
            added, declared = _ul(use.volume), _ul(dosing.addition)
            if added is None or declared is None or not _differs(added, declared):
                continue
            what = "of the series" if use.material == dosing.material else "of the vehicle"
            report.error(
                f"step {step.id!r} adds {format_magnitude(added)} µL {what} ({use.material}) per"
                f" well; the design's dosing of {dosing.material} adds"
                f" {format_magnitude(declared)} µL (leave the volume out: it is computed)",
                "steps", i, "uses", j, "volume",
            )


def _seeded(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    assert design is not None
    working = working_volume(design)
    steps = {d.step for d in design.dosing if d.step}
    first_dose = next((i for i, s in enumerate(protocol.steps) if s.id in steps), None)
    if working is None or first_dose is None:
        return
    seeded = 0.0
    where: tuple[str | int, ...] | None = None
    names: list[str] = []
    for i, step in enumerate(protocol.steps[:first_dose]):
        for j, use in enumerate(step.uses):
            if not counts_samples(use.per) or use.volume is None:
                continue
            ul = _ul(use.volume)
            if ul is None:
                continue
            seeded += ul
            names.append(f"{step.id}: {use.volume} {use.material}")
            where = where or ("steps", i, "uses", j, "volume")
    if where is None or not _differs(seeded, working.ul):
        return
    declared = ("the design's working_volume is" if working.source == "design"
                else f"the design gives no working_volume, and the {working.source} is")
    report.error(
        f"the steps before the dosing put {format_magnitude(seeded)} µL in each well"
        f" ({'; '.join(names)}); {declared} {format_magnitude(working.ul)} µL, which the"
        " doses are computed for",
        *where,
    )
