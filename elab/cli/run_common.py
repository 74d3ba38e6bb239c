"""What the ``elab runs`` commands share: their arguments, the run service they open, and
how they print what an action appended (with the deviations it caused)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from elab.cli.options import parse_params
from elab.safe_text import one_line

if TYPE_CHECKING:
    from elab.domain.runs import Event
    from elab.services.runs import RunService

__all__ = ["print_next_samples", "report_events", "service_for", "value_pairs"]

RunArg = Annotated[str, typer.Argument(help="Run id (see `elab runs list`).")]
StepArg = Annotated[str, typer.Argument(help="Step id.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
OperatorOpt = Annotated[
    str | None, typer.Option("--operator", help="Who is working (default $ELAB_OPERATOR or user).")
]
ValueOpt = Annotated[
    list[str] | None, typer.Option("--value", help="NAME=QUANTITY, e.g. conc=1.2 mg/mL (repeat).")
]
AnotherOpt = Annotated[bool, typer.Option(
    "--another", help="Add a reading to a value that already has its declared readings "
    "(a replicate: mean, SD and n are shown); without it such a value is refused, naming "
    "the `runs correct` that replaces its reading.")]


@contextmanager
def service_for(operator: str | None = None) -> Iterator[RunService]:
    from elab.services.runs import RunService

    service = RunService.open(operator=operator)
    try:
        yield service
    finally:
        service.close()


def value_pairs(items: list[str] | None) -> list[tuple[str, str]]:
    return list(_pairs(items))


def _pairs(items: list[str] | None) -> Iterator[tuple[str, str]]:
    for item in items or []:
        parsed = parse_params([item], "--value")
        yield next(iter(parsed.items()))


def print_next_samples(service: RunService, run: str, step: str, events: list[Event]) -> None:
    """After readings of a per-sample value: which sample a reading without a name takes
    next, so the bench knows whose tube comes next."""
    from elab.domain.runs.kinds import ValueRecorded
    from elab.services.runs import next_sample

    names = dict.fromkeys(e.data.name for e in events
                          if isinstance(e.data, ValueRecorded) and e.data.sample)
    if not names:
        return
    state = service.state(run)
    for name in names:
        upcoming = next_sample(state, step, name)
        per = state.protocol.step(step).record[name].per
        print(f"next {per} for {name}: {upcoming}" if upcoming else
              f"every {per} has its {name} reading")


def report_events(events: list[Event], as_json: bool) -> None:
    """What an action appended: the events, and any deviation it caused, on stdout."""
    from elab.domain.runs.kinds import DeviationNoted, ValueRecorded

    if as_json:
        print(json.dumps([e.as_dict() for e in events], ensure_ascii=False))
        return
    for event in events:
        if isinstance(d := event.data, DeviationNoted):
            where = f" at {d.step}" if d.step else ""
            print(one_line(f"deviation ({d.kind}){where}: {d.note}"))
        elif isinstance(v := event.data, ValueRecorded) and v.sample:
            print(one_line(f"{v.name} for {v.sample}: {v.text}"))
    if events:
        print(
            f"saved {len(events)} event{'s' if len(events) != 1 else ''} (last #{events[-1].seq})"
        )


