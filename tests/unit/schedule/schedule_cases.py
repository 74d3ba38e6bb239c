"""Small lab problems shared by the schedule tests (times in Europe/Berlin)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from elab.domain.schedule import (
    Activity,
    Demand,
    Lag,
    Resource,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, tzinfo=BERLIN)


def transwell(
    run: str = "transwell", incubate: tuple[int, int] = (16 * 60, 24 * 60)
) -> list[Activity]:
    """Seed, incubate 16-24 h, then fix and read right after the incubation ends."""
    return [
        Activity(run, "seed", 30, 30, True, (Demand("hood"),)),
        Activity(run, "incubate", *incubate, False, (Demand("co2_incubator"),),
                 (Lag("seed", 0, 10),), timer=True),
        Activity(run, "fix", 20, 20, True, (Demand("hood"),), (Lag("incubate", 0, 0),)),
        Activity(run, "read", 30, 40, True, (Demand("plate_reader"),), (Lag("fix"),)),
    ]


RESOURCES = (
    Resource("hood"),
    Resource("co2_incubator", capacity=4),
    Resource("plate_reader"),
)
