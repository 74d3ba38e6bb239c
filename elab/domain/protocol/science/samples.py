"""Check 9: a value read per sample is read once for each of the design's samples.

A recorded value with ``per:`` in a protocol with a ``design:`` names each reading's sample
(:mod:`elab.domain.protocol.samples`), so its ``count`` must be the design's number of
samples: 44 BCA readings for 45 lysates would leave a lane without a loading volume, and 46
would have one reading belong to no lysate.  A count that disagrees is an error at the
count; the run then keeps the readings in recorded order, unnamed, as before.
"""

from __future__ import annotations

from elab.domain.protocol.model import Protocol
from elab.domain.protocol.samples import sample_names
from elab.domain.protocol.science.finding import Report

__all__ = ["check_samples"]


def check_samples(protocol: Protocol, report: Report) -> None:
    names = sample_names(protocol.design)
    if not names:
        return
    for i, step in enumerate(protocol.steps):
        for name, spec in step.record.items():
            if spec.per is None or spec.type == "text" or spec.count == len(names):
                continue
            report.error(
                f"record {name!r} is read per {spec.per}, once for each of the design's "
                f"{len(names)} samples ({names[0]}, {names[1 % len(names)]}, ...), but its "
                f"count is {spec.count} (write count: {len(names)})",
                "steps", i, "record", name, "count",
            )
