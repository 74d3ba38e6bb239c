"""``elab run PROTOCOL`` and ``elab run --resume RUN``: a run in the TUI."""

from __future__ import annotations

from typing import Annotated

import typer

from elab.cli.options import parse_params, settings

__all__ = ["register"]


def run_command(
    protocol: Annotated[str | None, typer.Argument(help="Protocol id or file to start.")] = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Reopen this run.")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="name=VALUE.")] = None,
    variant: Annotated[str | None, typer.Option("--variant", help="Variant to run.")] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="Who is working.")] = None,
) -> None:
    """Start a run of PROTOCOL in the TUI, or reopen one with --resume RUN_ID."""
    if (protocol is None) == (resume is None):
        raise typer.BadParameter("give a PROTOCOL to start, or --resume RUN_ID")
    from elab.services.runs import RunService
    from elab.tui.app import run_run

    config = settings()
    run_id = resume
    if run_id is None:
        assert protocol is not None
        service = RunService.open(config.database_url, operator or config.operator)
        try:
            run_id = service.start(protocol, parse_params(param), variant)
        finally:
            service.close()
    else:
        service = RunService.open(config.database_url, operator or config.operator)
        try:
            service.state(run_id)  # an unknown run is one clear line, before the screen opens
        finally:
            service.close()
    run_run(run_id, config)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
