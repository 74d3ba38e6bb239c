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
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Start at once with the defaults (and --param).")
    ] = False,
) -> None:
    """Open the start form of PROTOCOL in the TUI (--yes starts at once), or reopen a run
    with --resume RUN_ID."""
    if (protocol is None) == (resume is None):
        raise typer.BadParameter("give a PROTOCOL to start, or --resume RUN_ID")
    from elab.services.runs import RunService
    from elab.tui.app import StartRequest, run_run, run_start

    params = parse_params(param)
    run_id = resume
    config = settings()
    service = RunService.open(config.database_url, operator or config.operator)
    try:
        if run_id is not None:
            service.state(run_id)  # an unknown run is one clear line, before the screen opens
        elif yes:
            assert protocol is not None
            run_id = service.start(protocol, params, variant)
        else:
            assert protocol is not None
            path = _checked_protocol(protocol, params, variant)
    finally:
        service.close()
    if run_id is not None:
        run_run(run_id, config, operator)
    else:
        run_start(StartRequest(path, params, variant), config, operator)


def _checked_protocol(protocol: str, params: dict[str, str], variant: str | None) -> str:
    """The protocol's file, loaded once so that a bad name, file, parameter or variant is
    one clear line before the screen opens."""
    from elab.cli.options import library
    from elab.errors import NotFoundError

    protocols = library()
    path = protocols.find(protocol)
    loaded = protocols.load_file(path, params=params)
    if variant is not None and variant not in loaded.variants:
        raise NotFoundError("variant", variant, loaded.variants)
    return str(path)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
