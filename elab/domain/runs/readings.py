"""A value measured several times, in one line: every reading, and a summary that fits.

Six readings of one value (the same lysate measured again) are replicates: their mean and SD
say whether they agree.  Six lysates' protein concentrations are not: a mean across different
samples is no measurement of anything, so per-sample readings are listed with their range
and how many of the expected ones are in.  A value is per sample when its record spec says
``per:`` (``lysate``), when a derived value computes with it once per reading, or when the
spec expects several readings (``count: 45``: one for each of 45 things).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from elab.domain.protocol.model import Protocol
from elab.errors import ElabError
from elab.units import convert, format_magnitude, format_quantity

__all__ = ["ReadingsKind", "readings_kind", "readings_line"]


@dataclass(frozen=True)
class ReadingsKind:
    """How a recorded value's readings relate: ``per`` the sample word (None: replicates of
    one value), ``expected`` the readings the spec asks for."""

    per: str | None = None
    expected: int = 1


def readings_kind(protocol: Protocol, step_id: str, name: str) -> ReadingsKind:
    """Whether ``name`` at ``step_id`` is read once per sample, and what the sample is."""
    try:
        spec = protocol.step(step_id).record.get(name)
    except ElabError:
        spec = None
    if spec is None:
        return ReadingsKind()
    if spec.per:
        return ReadingsKind(spec.per, spec.count)
    per = _derived_per(protocol, name)
    if per is not None:
        return ReadingsKind(per, spec.count)
    return ReadingsKind("sample" if spec.count > 1 else None, spec.count)


def _derived_per(protocol: Protocol, name: str) -> str | None:
    """The ``per:`` of a derived value that computes once per reading of ``name``."""
    from elab.domain.protocol.expression import parse_expression

    for step in protocol.steps:
        for derive in step.derive.values():
            if derive.per is None:
                continue
            try:
                names = parse_expression(derive.expr).names
            except ElabError:
                continue
            if name in names:
                return derive.per
    return None


def readings_line(readings: Sequence[tuple[float | str, str]],
                  kind: ReadingsKind | None = None) -> str:
    """``2.1, 1.8, 2 mg/mL (mean 1.967, SD 0.1528, n = 3)`` for replicates; per sample
    ``2, 1.6 mg/mL per lysate (lysates 1–2 of 45 in recorded order; 1.6–2 mg/mL)``; one
    reading as itself.

    Readings in other units of the same dimension are converted to the first one's unit;
    text readings are listed as they are.
    """
    unit = next((u for v, u in readings if not isinstance(v, str)), "")
    numbers: list[float] = []
    texts: list[str] = []
    for value, value_unit in readings:
        if isinstance(value, str):
            texts.append(value)
            continue
        try:
            same = convert(float(value), value_unit, unit)
        except ElabError:
            same = None
        if same is None:
            texts.append(format_quantity(float(value), value_unit))
        else:
            numbers.append(same)
    shown = [format_magnitude(n) for n in numbers[:-1]]
    if numbers:
        shown.append(format_quantity(numbers[-1], unit))
    text = ", ".join([*shown, *texts])
    per = kind.per if kind is not None else None
    if per is not None:
        return text + _per_sample(numbers, len(readings), unit, kind or ReadingsKind())
    if len(numbers) > 1:
        mean = statistics.fmean(numbers)
        sd = statistics.stdev(numbers)
        text += f" (mean {format_magnitude(mean)}, SD {format_magnitude(sd)}, n = {len(numbers)})"
    return text


def _per_sample(numbers: list[float], count: int, unit: str, kind: ReadingsKind) -> str:
    """`` per lysate (lysates 1–4 of 45 in recorded order; 0.8–3.2 mg/mL)``."""
    per = kind.per or "sample"
    if count <= 1 and kind.expected <= 1:
        return ""
    of = f" of {kind.expected}" if kind.expected > count else ""
    which = f"{per}s 1–{count}{of}" if count > 1 else f"{per} 1{of}"
    spread = (f"; {format_magnitude(min(numbers))}–{format_quantity(max(numbers), unit)}"
              if len(numbers) > 1 else "")
    return f" per {per} ({which} in recorded order{spread})"
