"""Values past a humane endpoint: the readings that end an animal's part in a study.

An in-vivo protocol declares its humane endpoints in the design (tumour size, weight loss),
and its record ranges stop at them.  A reading above the top of such a range is not a slip
to note later: the animal must leave the study that day, so the run screen stops and asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from elab.domain.runs.state import RunState, ValueRecord
from elab.units import convert

__all__ = ["EndpointReading", "past_endpoints"]


@dataclass(frozen=True)
class EndpointReading:
    """One reading past the top of its range in a study that declares humane endpoints."""

    step: str
    name: str
    value: float
    unit: str
    limit: float
    source: str

    def message(self) -> str:
        from elab.units import format_quantity

        where = f" ({self.source})" if self.source else ""
        return (f"{self.name} {format_quantity(self.value, self.unit)} at step {self.step} is "
                f"past the humane endpoint of {format_quantity(self.limit, self.unit)}{where}. "
                "The animal leaves the study today: euthanise it as the licence says and "
                "record what was done and when.")


def past_endpoints(state: RunState, values: Sequence[ValueRecord]) -> list[EndpointReading]:
    """The readings among ``values`` above the top of their range, if the design declares
    humane endpoints (an empty list otherwise)."""
    design = state.protocol.design
    ends = design.humane_endpoints if design is not None else None
    if ends is None:
        return []
    found = []
    for value in values:
        if value.in_range is not False or not isinstance(value.value, int | float):
            continue
        spec = state.protocol.step(value.step).record.get(value.name)
        if spec is None or spec.range is None or spec.range.high is None:
            continue
        limit = convert(spec.range.high, spec.range.unit, value.unit)
        if limit is not None and float(value.value) > limit:
            found.append(EndpointReading(value.step, value.name, float(value.value), value.unit,
                                         limit, ends.source or ""))
    return found
