"""Opening the TUI from the bare ``elab`` command, kept apart so Textual loads only then."""

from __future__ import annotations

__all__ = ["open_home"]


def open_home() -> None:
    """Open the home screen, or say plainly that this build has no TUI yet."""
    import importlib

    try:
        app_module = importlib.import_module("elab.tui.app")
    except ImportError:
        import sys

        print(
            "elab: the terminal UI is not installed in this build; see `elab --help`",
            file=sys.stderr,
        )
        raise SystemExit(1) from None
    app_module.run_home()
