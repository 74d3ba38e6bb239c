"""A value measured several times, in one line: every reading, their mean and SD.

Six lysates give six protein concentrations; showing only the last would hide the other
five, and showing them without their spread hides whether they agree.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from elab.errors import ElabError
from elab.units import convert, format_magnitude, format_quantity

__all__ = ["readings_line"]


def readings_line(readings: Sequence[tuple[float | str, str]]) -> str:
    """``2.1, 1.8, 2 mg/mL (mean 1.967, SD 0.1528, n = 3)``; one reading as itself.

    Readings in other units of the same dimension are converted to the first one's unit
    for the mean; text readings are listed as they are.
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
    if len(numbers) > 1:
        mean = statistics.fmean(numbers)
        sd = statistics.stdev(numbers)
        text += f" (mean {format_magnitude(mean)}, SD {format_magnitude(sd)}, n = {len(numbers)})"
    return text
