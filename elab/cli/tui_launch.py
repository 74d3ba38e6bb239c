"""Opening the TUI from the bare ``elab`` command, kept apart so Textual loads only then."""

from __future__ import annotations

__all__ = ["open_home"]


def open_home() -> None:
    from elab.tui.app import run_home

    run_home()
