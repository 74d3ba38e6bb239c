"""The ``elab`` command: builds the Typer app and turns errors into one line on stderr.

Each command group lives in its own module with a ``register(app)`` function, listed in
``COMMAND_MODULES``.  Those modules import heavy libraries inside their commands, so that
``elab --help`` and ``elab validate`` start fast.
"""

from __future__ import annotations

import importlib
import io
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import typer
from typer.exceptions import TyperException

from elab.errors import ElabError, LocatedError, ProtocolErrors, UsageError
from elab.safe_text import printable
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
    "elab.cli.importer",
    "elab.cli.admin",
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


_REGISTERED: list[str] = []


def _register_all() -> None:
    """Add every command group to the app, once per process: ``main`` is called many times
    in one process by tests and scripts, and groups added again pile up."""
    for name in COMMAND_MODULES:
        if name not in _REGISTERED:
            importlib.import_module(name).register(app)
            _REGISTERED.append(name)


def report(error: BaseException) -> None:
    """Print an error as people read it: ``FILE:LINE:COL: message`` or ``elab: message``."""
    if isinstance(error, ProtocolErrors):
        for item in error.errors:
            print(printable(str(item)), file=sys.stderr)
    elif isinstance(error, LocatedError) and error.location is not None:
        print(printable(str(error)), file=sys.stderr)
    else:
        print(f"elab: {printable(str(error))}", file=sys.stderr)


class _Printable(io.TextIOBase):
    """A stream that shows control characters as escapes (see :mod:`elab.safe_text`).

    Everything a command prints passes through it, so a note holding ESC or an OSC title
    sequence reaches the terminal as text.  Newlines and tabs pass as they are.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.stream, "encoding", "utf-8"))

    @property
    def buffer(self) -> object:
        return getattr(self.stream, "buffer", None)


def _bad_argument(args: Sequence[str]) -> int | None:
    """The position of an argument that is not valid UTF-8 (Python kept its bytes as
    surrogates), or None."""
    for index, arg in enumerate(args, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return index
    return None


def _shows_text(args: Sequence[str]) -> bool:
    """Commands that print (not the TUI, which draws the terminal itself)."""
    words = [a for a in args if not a.startswith("-")]
    return bool(words) and words[0] not in ("run",)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point; exit 0 ok, 1 bad input, 2 usage."""
    args = list(sys.argv[1:] if argv is None else argv)
    if (bad := _bad_argument(args)) is not None:
        print(f"elab: argument {bad} is not valid UTF-8 text", file=sys.stderr)
        sys.exit(2)
    settings = Settings.from_env()  # the one read of the environment; commands get it passed
    debug = "--debug" in args or settings.debug
    from elab.units import configure_unit_cache

    configure_unit_cache(settings.user_cache_dir() if settings.unit_cache else None)
    _register_all()
    command = typer.main.get_command(app)
    streams = sys.stdout, sys.stderr
    if _shows_text(args):
        sys.stdout, sys.stderr = _Printable(sys.stdout), _Printable(sys.stderr)
    try:
        _run(command, args, debug, settings)
    finally:
        sys.stdout, sys.stderr = streams


def _run(command: Any, args: list[str], debug: bool, settings: Settings) -> None:
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
        sys.exit(2 if isinstance(exc, UsageError) else 1)
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
