"""Values as people type them: parsed into the declared unit, checked against the range,
and split into readings (``2.1;2.4;2.2 mg/mL``).

The CLI (``runs done``/``runs value``), the TUI's value form (on every keystroke) and the run
service all go through these functions, so the three can never disagree about a value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from elab.domain.protocol.model import RecordSpec, Step
from elab.domain.runs.rules import AutoDeviation, value_deviation
from elab.errors import InputError, NotFoundError, QuantityError
from elab.units import convert, format_unit, parse_quantity, parse_unit

__all__ = ["check_value", "each_reading", "split_readings", "split_sample"]


def check_value(
    step: Step, name: str, text: str
) -> tuple[float | str, str, AutoDeviation | None]:
    """A value as it would be recorded: (value, unit, the deviation it would log or None).

    Raises InputError for an unknown name, a wrong dimension or text that is not a value;
    the value form calls this on every keystroke, so it says the same as ``runs value``.
    """
    spec = step.record.get(name)
    if spec is None:
        raise NotFoundError(f"value for step {step.id}", name, list(step.record))
    value, unit = _parse_value(name, spec, text)
    deviation = None
    if isinstance(value, float) and spec.range is not None:
        deviation = value_deviation(step.id, name, spec, value, unit)
    return value, unit, deviation


def _parse_value(name: str, spec: RecordSpec, text: str) -> tuple[float | str, str]:
    if spec.type == "text":
        return text, ""
    try:
        if spec.type == "number":
            number = float(text)
            if not math.isfinite(number) or abs(number) > 1e300:
                raise QuantityError(f"{text!r} is not a finite number")
            return number, ""
        value = parse_quantity(text, spec.kind, negative=True)
        if not value.is_exact or value.low is None:
            raise QuantityError(f"{text!r} is a range; enter one measured value")
        if spec.unit:
            unit = parse_unit(spec.unit)
            magnitude = convert(value.low, value.unit, unit)
            assert magnitude is not None
            return magnitude, unit
        return value.low, value.unit
    except (QuantityError, ValueError) as exc:
        expected = f" (expected {format_unit(parse_unit(spec.unit))})" if spec.unit else ""
        raise InputError(f"value {name}={text}: {exc}{expected}") from None


def split_readings(spec: RecordSpec, text: str) -> list[str]:
    """The readings in ``text``: ``;`` between them, as ``runs value`` and the value form
    take them (``2.1;2.4;2.2 mg/mL``).

    A bare number takes the declared unit, else the unit written after the last reading,
    so ``2.1; 1.8; 2000 ug/mL`` of a value in mg/mL is 2.1 mg/mL, 1.8 mg/mL and
    2000 µg/mL.  Text values are never split.
    """
    if spec.type == "text":
        return [text.strip()] if text.strip() else []
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if spec.type != "quantity":
        return parts
    unit = spec.unit or (_unit_of(split_sample(parts[-1])[1]) if parts else "")
    out = []
    for part in parts:
        label, value = split_sample(part)
        shown = f"{value} {unit}" if _is_number(value) and unit else value
        out.append(shown if label is None else f"{label}: {shown}")
    return out


def split_sample(reading: str) -> tuple[str | None, str]:
    """(sample, value) of ``DMSO / 3 h #2: 1.8 mg/mL``; (None, reading) without a name.

    The last ``:`` splits them: a measured value never holds one, a sample name may.
    """
    label, colon, value = reading.rpartition(":")
    if not colon or not label.strip():
        return None, reading.strip()
    return label.strip(), value.strip()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unit_of(reading: str) -> str:
    number, _, unit = reading.partition(" ")
    return unit.strip() if _is_number(number) else ""


def each_reading(step: Step, values: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each ``name=r1;r2;...`` as one (name, reading) per reading."""
    out = []
    for name, text in values:
        spec = step.record.get(name)
        if spec is None:
            raise NotFoundError(f"value for step {step.id}", name, list(step.record))
        readings = split_readings(spec, text)
        if not readings:
            raise InputError(f"value {name} is empty")
        out += [(name, reading) for reading in readings]
    return out
