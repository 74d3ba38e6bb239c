"""Check 6: animal studies declare their humane endpoints and never record past them.

A design whose unit is an animal must say when an animal leaves the study (tumour size as
volume or diameter, and weight loss); ranges of recorded tumour sizes stop at those limits,
so a value past one is recorded as a deviation at once.  Tumour mass is bounded through
volume at 1 mg/mm³ (tissue density close to water's).  Randomisation and blinding are
looked for in the steps, since unblinded calipers bias tumour growth curves.
"""

from __future__ import annotations

from elab.domain.protocol.model import Protocol
from elab.domain.protocol.science.finding import Report
from elab.units import QRange, convert, format_magnitude

__all__ = ["ANIMAL_UNITS", "check_in_vivo"]

ANIMAL_UNITS = {"animal", "mouse", "rat"}


def check_in_vivo(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    if design is None or design.unit not in ANIMAL_UNITS:
        return
    ends = design.humane_endpoints
    if ends is None:
        report.error("an animal study must declare design.humane_endpoints (tumour_volume or"
                     " tumour_diameter, and weight_loss)", "design", "unit")
        return
    if ends.tumour_volume is None and ends.tumour_diameter is None:
        report.error("humane_endpoints: no tumour size (tumour_volume or tumour_diameter)",
                     "design", "humane_endpoints")
    if ends.weight_loss is None:
        report.error("humane_endpoints: no weight_loss limit", "design", "humane_endpoints")
    for index, step in enumerate(protocol.steps):
        for name, spec in step.record.items():
            if spec.range is None:
                continue
            limit = _limit_for(spec.range, name, ends.tumour_diameter, ends.tumour_volume)
            if limit is None and "weight" in name.lower() and ends.weight_loss is not None:
                limit = _weight_limit(spec.range, ends.weight_loss)
            if limit is None:
                continue
            high, shown_limit = limit
            if spec.range.high is None or spec.range.high > high * (1 + 1e-9):
                report.error(f"record {name!r}: range {spec.range} goes past the humane"
                             f" endpoint {shown_limit}; stop the range there so a value past"
                             " it is a deviation", "steps", index, "record", name, "range")
    titles = " ".join(f"{s.id} {s.title} {s.text or ''}".lower() for s in protocol.steps)
    for word, stem in (("randomised to arms", "random"), ("measured blind", "blind")):
        if stem not in titles:
            report.warning(f"no step says how animals are {word}; add one (bias in"
                           " allocation or measurement)", "steps")


def _limit_for(
    value: QRange, name: str, diameter: QRange | None, volume: QRange | None
) -> tuple[float, str] | None:
    """The endpoint bounding a record of this dimension, in the record's unit."""
    for limit in (diameter, volume):
        if limit is None:
            continue
        try:
            return convert(limit.planned, limit.unit, value.unit) or 0.0, str(limit)
        except ValueError:
            continue
    if volume is not None and "tumo" in name.lower():
        try:
            mm3 = convert(volume.planned, volume.unit, "mm^3") or 0.0
            return convert(mm3, "mg", value.unit) or 0.0, f"{volume} (≈ {format_magnitude(mm3)} mg)"
        except ValueError:
            return None
    return None


def _weight_limit(value: QRange, loss: QRange) -> tuple[float, str] | None:
    """A weight-loss record (in %) bounded by the weight-loss endpoint."""
    try:
        return convert(loss.planned, loss.unit, value.unit) or 0.0, str(loss)
    except ValueError:
        return None
