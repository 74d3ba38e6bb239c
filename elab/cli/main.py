"""The ``elab`` command: builds the Typer app and turns errors into one line on stderr.

Each command group lives in its own module with a ``register(app)`` function, listed in
``COMMAND_MODULES``.  Those modules import heavy libraries inside their commands, so that
``elab --help`` and ``elab validate`` start fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import typer
from typer.exceptions import TyperException

from elab.errors import ElabError, LocatedError, ProtocolErrors
from elab.settings import Settings

__all__ = ["COMMAND_MODULES", "app", "main", "report"]

COMMAND_MODULES: tuple[str, ...] = (
    "elab.cli.protocols",
    "elab.cli.schedule",
    "elab.cli.plate",
    "elab.cli.dilute",
    "elab.cli.dose",
    "elab.cli.runs",
    "elab.cli.tui_cmd",
    "elab.cli.record",
    "elab.cli.analyze",
)

app = typer.Typer(
    name="elab",
    help="Lab protocols, runs, records, analysis, plates and schedules.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    """With no command, open the TUI home screen."""
    if ctx.invoked_subcommand is None:
        from elab.cli.options import settings
        from elab.cli.tui_launch import open_home

        open_home(settings())


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def report(error: BaseException) -> None:
    """Print an error as people read it: ``FILE:LINE:COL: message`` or ``elab: message``."""
    if isinstance(error, ProtocolErrors):
        for item in error.errors:
            print(str(item), file=sys.stderr)
    elif isinstance(error, LocatedError) and error.location is not None:
        print(str(error), file=sys.stderr)
    else:
        print(f"elab: {error}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point; exit 0 ok, 1 bad input, 2 usage."""
    args = list(sys.argv[1:] if argv is None else argv)
    settings = Settings.from_env()  # the one read of the environment; commands get it passed
    debug = "--debug" in args or settings.debug
    from elab.units import configure_unit_cache

    configure_unit_cache(settings.user_cache_dir() if settings.unit_cache else None)
    _register_all()
    command = typer.main.get_command(app)
    try:
        code = command.main(args, prog_name="elab", standalone_mode=False, obj=settings)
    except typer.Abort:
        print("elab: aborted", file=sys.stderr)
        sys.exit(130)
    except TyperException as exc:  # click's usage errors, vendored by Typer
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            print(f"elab: {exc}", file=sys.stderr)
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except ElabError as exc:
        if debug:
            raise
        report(exc)
        sys.exit(1)
    except (OSError, UnicodeDecodeError) as exc:
        if debug:
            raise
        where = getattr(exc, "filename", None)
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"elab: {where + ': ' if where else ''}{detail}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
