"""Opening the TUI from the bare ``elab`` command, kept apart so Textual loads only then."""

from __future__ import annotations

from elab.settings import Settings

__all__ = ["open_home"]


def open_home(settings: Settings) -> None:
    from elab.tui.app import run_home

    run_home(settings)
