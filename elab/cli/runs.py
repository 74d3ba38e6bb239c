"""``elab runs ...``: everything the TUI can do to a run, from the shell and from scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from elab.cli.options import parse_params

if TYPE_CHECKING:
    from elab.domain.runs import Event
    from elab.domain.runs.kinds import AnalysisDone
    from elab.services.runs import RunService

__all__ = ["register", "service_for"]

runs_app = typer.Typer(help="Follow runs from the shell: start, done, timers, values, finish.")

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


def _values(items: list[str] | None) -> list[tuple[str, str]]:
    return list(_pairs(items))


def _pairs(items: list[str] | None) -> Iterator[tuple[str, str]]:
    for item in items or []:
        parsed = parse_params([item], "--value")
        yield next(iter(parsed.items()))


def _next_samples(service: RunService, run: str, step: str, events: list[Event]) -> None:
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


def _report(events: list[Event], as_json: bool) -> None:
    """What an action appended: the events, and any deviation it caused, on stdout."""
    from elab.domain.runs.kinds import DeviationNoted, ValueRecorded

    if as_json:
        print(json.dumps([e.as_dict() for e in events], ensure_ascii=False))
        return
    for event in events:
        if isinstance(d := event.data, DeviationNoted):
            where = f" at {d.step}" if d.step else ""
            print(f"deviation ({d.kind}){where}: {d.note}")
        elif isinstance(v := event.data, ValueRecorded) and v.sample:
            print(f"{v.name} for {v.sample}: {v.text}")
    if events:
        print(
            f"saved {len(events)} event{'s' if len(events) != 1 else ''} (last #{events[-1].seq})"
        )


@runs_app.command("start")
def start(
    protocol: Annotated[str, typer.Argument(help="Protocol id or file.")],
    param: Annotated[list[str] | None, typer.Option("--param", help="name=VALUE.")] = None,
    variant: Annotated[str | None, typer.Option("--variant", help="Variant to run.")] = None,
    operator: OperatorOpt = None,
) -> None:
    """Start a run; prints the new run id alone."""
    with service_for(operator) as service:
        print(service.start(protocol, parse_params(param), variant))


@runs_app.command("done")
def done(
    run: RunArg,
    step: StepArg,
    value: ValueOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="A note on the step.")] = None,
    operator: OperatorOpt = None,
    as_json: JsonOpt = False,
    another: AnotherOpt = False,
) -> None:
    """Mark a step done, with its measured values."""
    with service_for(operator) as service:
        events = service.done(run, step, _values(value), note, another=another)
        _report(events, as_json)
        if not as_json:
            _next_samples(service, run, step, events)


@runs_app.command("value")
def record_value(
    run: RunArg,
    step: StepArg,
    value: Annotated[list[str] | None, typer.Option(
        "--value", help="NAME=QUANTITY, e.g. conc=1.2 mg/mL (repeat); readings of a value read "
        "per sample name it: \"protein_conc=DMSO / 3 h #2: 1.8 mg/mL\" (unnamed: the next "
        "one).")] = None,
    operator: OperatorOpt = None,
    as_json: JsonOpt = False,
    from_file: Annotated[Path | None, typer.Option(
        "--from", help="An instrument file allotropy reads (NanoDrop, Vi-CELL...): its values "
        "are recorded and the file attached as evidence.")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="allotropy's vendor name for --from (guessed when left out).")] = None,
    take: Annotated[list[str] | None, typer.Option(
        "--take", help="FIELD=ASM NAME when --from holds several candidates (repeat).")] = None,
    another: AnotherOpt = False,
) -> None:
    """Record values for a step without marking it done.

    A value that already has its declared readings (one unless the protocol says `count`)
    is refused: correct the reading with `elab runs correct`, or add --another for a
    replicate reading.
    """
    with service_for(operator) as service:
        values = _values(value)
        if from_file is not None:
            from elab.services.reader_import import record_values_from_file

            record = service.state(run).protocol.step(step).record or {}
            values += record_values_from_file(
                from_file, {k: v.unit for k, v in record.items()}, fmt,
                parse_params(take, "--take"))
            events = service.record_values(run, step, values, another=another)
            events += service.attach(run, f"{step}: {from_file.name}", from_file)
            _report(events, as_json)
            return
        events = service.record_values(run, step, values, another=another)
        _report(events, as_json)
        if not as_json:
            _next_samples(service, run, step, events)


@runs_app.command("start-step")
def start_step(run: RunArg, step: StepArg, operator: OperatorOpt = None) -> None:
    """Say that work on a step has begun."""
    with service_for(operator) as service:
        _report(service.start_step(run, step), False)


@runs_app.command("skip")
def skip(
    run: RunArg,
    step: StepArg,
    note: Annotated[str, typer.Option("--note", help="Why it was skipped.")],
    operator: OperatorOpt = None,
) -> None:
    """Skip an optional step."""
    with service_for(operator) as service:
        _report(service.skip(run, step, note), False)


@runs_app.command("timer")
def timer(
    run: RunArg,
    step: StepArg,
    action: Annotated[str, typer.Argument(help="start or stop.")],
    operator: OperatorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Start or stop a step's timer."""
    if action not in ("start", "stop"):
        raise typer.BadParameter(f"{action!r} is not start or stop", param_hint="ACTION")
    with service_for(operator) as service:
        _report(service.timer(run, step, action), as_json)


@runs_app.command("deviate")
def deviate(
    run: RunArg,
    step: StepArg,
    note: Annotated[str, typer.Option("--note", help="What was done differently.")],
    operator: OperatorOpt = None,
) -> None:
    """Log a deviation by hand."""
    with service_for(operator) as service:
        _report(service.deviate(run, step, note), False)


@runs_app.command("note")
def note(
    run: RunArg,
    args: Annotated[list[str], typer.Argument(help="[STEP] TEXT")],
    operator: OperatorOpt = None,
) -> None:
    """Add a note to the run or to one of its steps."""
    if len(args) > 2:
        raise typer.BadParameter("give [STEP] TEXT (quote the text)", param_hint="ARGS")
    step, text = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    with service_for(operator) as service:
        _report(service.note(run, step, text), False)


@runs_app.command("lot")
def lot(
    run: RunArg,
    material: Annotated[str, typer.Argument(help="Material id from the protocol.")],
    lot_number: Annotated[str, typer.Argument(metavar="LOT", help="Lot number.")],
    expiry: Annotated[str | None, typer.Option("--expiry", help="YYYY-MM-DD.")] = None,
    operator: OperatorOpt = None,
) -> None:
    """Record the lot (and expiry) of a material used; an expired lot is a deviation."""
    with service_for(operator) as service:
        events = service.lot(run, material, lot_number, expiry)
    from elab.domain.runs.kinds import DeviationNoted

    for event in events:
        if isinstance(d := event.data, DeviationNoted):
            print(f"elab: warning: {d.note}", file=sys.stderr)
    _report(events, False)


@runs_app.command("undo")
def undo(run: RunArg, operator: OperatorOpt = None, as_json: JsonOpt = False) -> None:
    """Retract your last action in the run, within 2 minutes of it (the log keeps both)."""
    with service_for(operator) as service:
        events = service.undo(run)
    if as_json:
        _report(events, True)
        return
    from elab.domain.runs.kinds import Retracted

    undone = events[-1].data
    what = undone.what if isinstance(undone, Retracted) else "?"
    print(f"retracted {what}; saved event #{events[-1].seq}")


@runs_app.command("attach")
def attach(
    run: RunArg,
    name: Annotated[str, typer.Argument(help="Attachment name, e.g. plate_reader.")],
    file: Annotated[Path, typer.Argument(help="The data file ('-' reads standard input).")],
    operator: OperatorOpt = None,
) -> None:
    """Attach a data file (stored once by its SHA-256)."""
    with service_for(operator) as service:
        events = service.attach(run, name, file)
    from elab.domain.runs.kinds import Attached

    kept = events[-1].data
    if isinstance(kept, Attached):
        print(f"attached {kept.name}: {kept.size} bytes, sha256 {kept.sha256}")


@runs_app.command("correct")
def correct(
    run: RunArg,
    seq: Annotated[int, typer.Argument(
        help="Event number of the reading (`elab runs status` shows it as #N).")],
    value: ValueOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="Why it is corrected.")] = "",
    operator: OperatorOpt = None,
) -> None:
    """Correct a recorded reading: a new event names the old one; both stay.

    A bare number takes the value's declared unit, as in `runs value`.
    """
    if not reason.strip():
        raise typer.BadParameter("a correction needs --reason", param_hint="--reason")
    if not value:
        raise typer.BadParameter("give the corrected --value NAME=QUANTITY", param_hint="--value")
    with service_for(operator) as service:
        _report(service.correct(run, seq, _values(value), reason), False)


@runs_app.command("pause")
def pause(run: RunArg, operator: OperatorOpt = None) -> None:
    """Pause the run (incubations already going on keep running)."""
    with service_for(operator) as service:
        _report(service.pause(run), False)


@runs_app.command("resume")
def resume(run: RunArg, operator: OperatorOpt = None) -> None:
    """Resume a paused run."""
    with service_for(operator) as service:
        _report(service.resume(run), False)


@runs_app.command("abort")
def abort(
    run: RunArg,
    note_text: Annotated[str | None, typer.Option("--note", help="Why.")] = None,
    operator: OperatorOpt = None,
) -> None:
    """Abort the run."""
    with service_for(operator) as service:
        _report(service.abort(run, note_text), False)


@runs_app.command("finish")
def finish(
    run: RunArg,
    incomplete: Annotated[
        bool, typer.Option("--incomplete", help="Finish with steps, values or lots missing.")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it finishes incomplete (--incomplete).")
    ] = None,
    operator: OperatorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Complete the run and run its analysis hooks.

    Refused while steps are not done or required values or lots are missing, unless
    --incomplete --reason TEXT: then each missing item becomes a deviation.
    """
    from elab.services.runs import status_json

    if incomplete and not (reason and reason.strip()):
        raise typer.BadParameter("--incomplete needs --reason TEXT", param_hint="--reason")
    if reason is not None and not incomplete:
        raise typer.BadParameter("--reason goes with --incomplete", param_hint="--reason")
    from elab.errors import RunStateError

    with service_for(operator) as service:
        try:
            state = service.finish(run, reason if incomplete else None)
        except RunStateError as exc:
            # Refused (steps or values missing): say in the same line what the analyses
            # lack too, before the scientist reaches for --incomplete.
            blocked = [b.reason for b in service.analysis_blockers(run)]
            if not blocked:
                raise
            raise RunStateError(f"{exc}; also, {'; '.join(blocked)}") from None
        status = status_json(state, service.clock.now())
    if as_json:
        print(json.dumps(status, ensure_ascii=False))
        return
    print(f"run {run} completed; {len(state.deviations)} deviation(s)")
    for logged in state.analyses:
        _print_analysis(logged.data)
        if logged.data.error:
            print(f"  run it again once that is put right: elab runs analyze {run} "
                  f"{logged.data.hook}")


def _print_analysis(analysis: AnalysisDone, label: str = "") -> None:
    """One analysis in a few lines: its headline (IC50 with CI...), else how many rows."""
    if analysis.error:
        print(f"analysis {analysis.hook}{label}: not run: {analysis.error}")
        return
    result = analysis.result or {}
    results = result.get("results") or []
    print(f"analysis {analysis.hook}{label}: {len(results)} result row(s)")
    for line in result.get("headline") or []:
        print(f"  {line}")
    for warning in result.get("warnings") or []:
        print(f"  warning: {warning}")


@runs_app.command("analyze")
def analyze(
    run: RunArg,
    name: Annotated[str | None, typer.Argument(
        metavar="NAME", help="The analysis hook to run (default: every one).")] = None,
    operator: OperatorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a completed run's analyses again, now that their inputs are there.

    Each result is a new event, an addendum after completion (the log keeps the earlier
    ones; the record shows the latest, with when and by whom). Nothing is added when an
    input is still missing: the error says which and how to add it.
    """
    from elab.domain.runs.kinds import AnalysisDone as Done

    with service_for(operator) as service:
        events = service.analyze(run, name)
    if as_json:
        _report(events, True)
        return
    for event in events:
        if isinstance(event.data, Done):
            _print_analysis(event.data, f" (#{event.seq}, after completion, {event.operator})")


def register(app: typer.Typer) -> None:
    from elab.cli import run_integrity, run_views

    run_views.add_to(runs_app)
    run_integrity.add_to(runs_app)
    app.add_typer(runs_app, name="runs")
