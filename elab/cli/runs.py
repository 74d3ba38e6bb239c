"""``elab runs ...``: everything the TUI can do to a run, from the shell and from scripts.

The arguments and printing these commands share are in :mod:`elab.cli.run_common`; finishing
and analyses in :mod:`elab.cli.run_finish`, status and list in :mod:`elab.cli.run_views`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from elab.cli.options import parse_params
from elab.cli.run_common import (
    AnotherOpt,
    JsonOpt,
    OperatorOpt,
    RunArg,
    StepArg,
    ValueOpt,
    print_next_samples,
    report_events,
    service_for,
    value_pairs,
)
from elab.safe_text import one_line

__all__ = ["register", "service_for"]

runs_app = typer.Typer(help="Follow runs from the shell: start, done, timers, values, finish.")


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
    incomplete: Annotated[bool, typer.Option(
        "--incomplete", help="Mark it done with required readings missing (--reason TEXT "
        "says why; each shortfall is logged as a deviation).")] = False,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Why it is done without its readings (--incomplete).")] = None,
) -> None:
    """Mark a step done, with its measured values.

    Refused while a required value is short of its readings (the error names which, and
    for which samples), unless --incomplete --reason TEXT.
    """
    if incomplete and not (reason and reason.strip()):
        raise typer.BadParameter("--incomplete needs --reason TEXT", param_hint="--reason")
    if reason is not None and not incomplete:
        raise typer.BadParameter("--reason goes with --incomplete", param_hint="--reason")
    with service_for(operator) as service:
        events = service.done(run, step, value_pairs(value), note, another=another,
                              incomplete=reason if incomplete else None)
        report_events(events, as_json)
        if not as_json:
            print_next_samples(service, run, step, events)


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
        values = value_pairs(value)
        if from_file is not None:
            from elab.services.reader_import import record_values_from_file

            record = service.state(run).protocol.step(step).record or {}
            values += record_values_from_file(
                from_file, {k: v.unit for k, v in record.items()}, fmt,
                parse_params(take, "--take"))
            events = service.record_values(run, step, values, another=another)
            events += service.attach(run, f"{step}: {from_file.name}", from_file)
            report_events(events, as_json)
            return
        events = service.record_values(run, step, values, another=another)
        report_events(events, as_json)
        if not as_json:
            print_next_samples(service, run, step, events)


@runs_app.command("start-step")
def start_step(run: RunArg, step: StepArg, operator: OperatorOpt = None) -> None:
    """Say that work on a step has begun."""
    with service_for(operator) as service:
        report_events(service.start_step(run, step), False)


@runs_app.command("skip")
def skip(
    run: RunArg,
    step: StepArg,
    note: Annotated[str, typer.Option("--note", help="Why it was skipped.")],
    operator: OperatorOpt = None,
) -> None:
    """Skip an optional step."""
    with service_for(operator) as service:
        report_events(service.skip(run, step, note), False)


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
        report_events(service.timer(run, step, action), as_json)


@runs_app.command("deviate")
def deviate(
    run: RunArg,
    step: StepArg,
    note: Annotated[str, typer.Option("--note", help="What was done differently.")],
    operator: OperatorOpt = None,
) -> None:
    """Log a deviation by hand."""
    with service_for(operator) as service:
        report_events(service.deviate(run, step, note), False)


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
        report_events(service.note(run, step, text), False)


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
            print(f"elab: warning: {one_line(d.note)}", file=sys.stderr)
    report_events(events, False)


@runs_app.command("undo")
def undo(run: RunArg, operator: OperatorOpt = None, as_json: JsonOpt = False) -> None:
    """Retract your last action in the run, within 2 minutes of it (the log keeps both)."""
    with service_for(operator) as service:
        events = service.undo(run)
    if as_json:
        report_events(events, True)
        return
    from elab.domain.runs.kinds import Retracted

    undone = events[-1].data
    what = undone.what if isinstance(undone, Retracted) else "?"
    print(one_line(f"retracted {what}; saved event #{events[-1].seq}"))


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
    from elab.domain.runs.analysis_inputs import stale_analyses

    with service_for(operator) as service:
        events = service.correct(run, seq, value_pairs(value), reason)
        report_events(events, False)
        for stale in stale_analyses(service.state(run)):
            if any(old == seq for old, _ in stale.readings):
                print(f"elab: warning: {stale.sentence(run)}", file=sys.stderr)


@runs_app.command("pause")
def pause(run: RunArg, operator: OperatorOpt = None) -> None:
    """Pause the run (incubations already going on keep running)."""
    with service_for(operator) as service:
        report_events(service.pause(run), False)


@runs_app.command("resume")
def resume(run: RunArg, operator: OperatorOpt = None) -> None:
    """Resume a paused run."""
    with service_for(operator) as service:
        report_events(service.resume(run), False)


@runs_app.command("abort")
def abort(
    run: RunArg,
    note_text: Annotated[str | None, typer.Option("--note", help="Why.")] = None,
    operator: OperatorOpt = None,
) -> None:
    """Abort the run."""
    with service_for(operator) as service:
        report_events(service.abort(run, note_text), False)


def register(app: typer.Typer) -> None:
    from elab.cli import run_finish, run_integrity, run_views

    run_views.add_to(runs_app)
    run_integrity.add_to(runs_app)
    run_finish.add_to(runs_app)
    app.add_typer(runs_app, name="runs")
