"""``elab runs finish`` and ``elab runs analyze``: completing a run and its analyses.

Kept apart from the bench commands in :mod:`elab.cli.runs`, which registers these on the
same ``runs`` group.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from elab.cli.run_common import JsonOpt, OperatorOpt, RunArg, report_events, service_for

if TYPE_CHECKING:
    from elab.domain.runs.kinds import AnalysisDone

__all__ = ["add_to"]


def add_to(runs_app: typer.Typer) -> None:
    """Register the completing commands on the ``runs`` group."""
    runs_app.command("finish")(_finish)
    runs_app.command("analyze")(_analyze)


def _finish(
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


def _analyze(
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
        report_events(events, True)
        return
    for event in events:
        if isinstance(event.data, Done):
            _print_analysis(event.data, f" (#{event.seq}, after completion, {event.operator})")

