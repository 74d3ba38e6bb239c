"""Derived values of named samples: each lysate's loading volume from its own reading.

When a derived value with ``per:`` computes with a value read once per named sample
(:mod:`elab.domain.runs.samples`), it is computed sample by sample from that sample's inputs
alone.  A sample whose input is missing gets no number but a :class:`Gap` saying which
reading it waits for, and a sample whose numbers cannot be computed (a zero reading) says
why; neither moves the others.  :mod:`elab.domain.runs.derived` builds the
:class:`~elab.domain.runs.derived.DerivedValue` around these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from elab.errors import ElabError
from elab.units import QRange, format_magnitude, format_quantity

if TYPE_CHECKING:
    from elab.domain.protocol.expression import Expression
    from elab.domain.runs.derived import DerivedValue

__all__ = ["Gap", "SampleValue", "sample_lines", "sample_summary", "values_by_sample"]


@dataclass(frozen=True)
class Gap:
    """An input a sample has no number for: why, and the recorded values it waits for."""

    reason: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SampleValue:
    """A derived value of one named sample: its number, or None and why (``needs``: the
    readings it waits for); ``inputs`` are the sample's own readings it was computed from
    (``protein_conc 2 mg/mL``)."""

    sample: str
    value: float | None
    unit: str
    reason: str = ""
    outside: bool = False
    inputs: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()

    def value_text(self) -> str:
        """``10 µL``, ``25 µL (outside)``, or ``none`` (``reason`` says why)."""
        if self.value is None:
            return "none"
        return _number(self.value, self.unit) + (" (outside)" if self.outside else "")

    def gap(self) -> Gap | None:
        """What a value computed from this one lacks for this sample."""
        return None if self.value is not None else Gap(self.reason, self.needs)

    def to_dict(self) -> dict[str, Any]:
        return {"sample": self.sample, "value": self.value, "reason": self.reason or None,
                "outside": self.outside, "inputs": list(self.inputs),
                "needs": list(self.needs)}


def _number(value: float, unit: str) -> str:
    from elab.domain.runs.derived import magnitude_to_thousandths

    return magnitude_to_thousandths(value) + format_quantity(value, unit).removeprefix(
        format_magnitude(value))


def values_by_sample(expression: Expression, unit: str, allowed: QRange | None,
                     inputs: Mapping[str, Any], recorded: frozenset[str],
                     ) -> tuple[SampleValue, ...]:
    """The expression for each sample of the first per-sample input, from that sample's
    inputs alone; ``inputs`` maps each name to one quantity (a parameter) or to a mapping
    sample -> quantity or :class:`Gap`; ``recorded`` names the inputs shown beside the
    result (the readings, not the derived values)."""
    from elab.domain.protocol.expression import evaluate

    samples = next(list(v) for v in inputs.values() if isinstance(v, Mapping))
    out: list[SampleValue] = []
    for sample in samples:
        row: dict[str, Any] = {}
        gaps: list[Gap] = []
        shown: list[str] = []
        for name, value in inputs.items():
            got = value.get(sample, Gap(f"no {name} reading", (name,))) if isinstance(
                value, Mapping) else value
            if isinstance(got, Gap):
                gaps.append(got)
                continue
            row[name] = got
            if name in recorded:
                shown.append(f"{name} {format_quantity(got.magnitude, str(got.units))}")
        if gaps:
            out.append(SampleValue(
                sample, None, unit, ", ".join(dict.fromkeys(g.reason for g in gaps)),
                needs=tuple(dict.fromkeys(n for g in gaps for n in g.needs))))
            continue
        try:
            result = evaluate(expression, row)
            number = float(result.to(unit).magnitude if hasattr(result, "to") else result)
        except (ElabError, TypeError) as exc:  # one lysate's zero reading: its own problem
            out.append(SampleValue(sample, None, unit, str(exc), inputs=tuple(shown)))
            continue
        outside = allowed is not None and not allowed.contains(number, unit)
        out.append(SampleValue(sample, number, unit, outside=outside, inputs=tuple(shown)))
    return tuple(out)


def sample_summary(samples: Sequence[SampleValue], per: str, allowed: str) -> str:
    """``per lysate: 3 of 45 lysates, 10–25 µL; outside 0–24 µL: DMSO / 3 h #1 (needs
    protein_conc for 42 more lysates)``; each sample's own number is on its own line
    (:func:`sample_lines`)."""
    done = [s for s in samples if s.value is not None]
    numbers = [s.value for s in done if s.value is not None]
    text = f"per {per}: {len(done)} of {len(samples)} {per}s"
    if numbers:
        low, high = min(numbers), max(numbers)
        top = _number(high, samples[0].unit)
        if low == high:
            text += f", {top}"
        else:
            from elab.domain.runs.derived import magnitude_to_thousandths

            text += f", {magnitude_to_thousandths(low)}{' to ' if low < 0 else '–'}{top}"
    outside = [s.sample for s in done if s.outside]
    if outside:
        text += f"; outside {allowed}: {', '.join(outside)}"
    failed = [s for s in samples if s.value is None and not s.needs]
    if failed:
        text += "; no value for " + ", ".join(f"{s.sample} ({s.reason})" for s in failed)
    waiting = [s for s in samples if s.needs]
    if waiting:
        needs = ", ".join(dict.fromkeys(n for s in waiting for n in s.needs))
        text += (f" (needs {needs} for {len(waiting)} more "
                 f"{per}{'s' if len(waiting) > 1 else ''})")
    return text


def sample_lines(values: Sequence[DerivedValue]) -> list[str]:
    """One line per named sample with its readings and every derived value of the step:
    ``0.1 nM / 3 h #1: protein_conc 2 mg/mL → loading_volume 10 µL, water_volume 14 µL``."""
    named = [v for v in values if v.samples]
    if not any(s.value is not None or s.inputs for v in named for s in v.samples):
        return []  # nothing read yet: "needs protein_conc" says it once, not 45 times
    lines = []
    for i, first in enumerate(named[0].samples):
        per = named[0].per or "sample"
        here = [v.samples[i] for v in named if i < len(v.samples)]
        inputs = list(dict.fromkeys(x for s in here for x in s.inputs))
        results = ", ".join(f"{v.name} {v.samples[i].value_text()}" for v in named
                            if i < len(v.samples))
        given = ", ".join(inputs) + " → " if inputs else ""
        why = list(dict.fromkeys(s.reason for s in here if s.reason))
        lines.append(f"{per} {first.sample}: {given}{results}"
                     + (f" ({'; '.join(why)})" if why else ""))
    return lines
