"""The elab TUI application: it only composes screens."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from elab.services.runs import RunService
from elab.settings import Settings
from elab.tui.help import HelpScreen
from elab.tui.home import HomeScreen
from elab.tui.run_screen import RunScreen

__all__ = ["ElabApp", "run_home", "run_run"]


class ElabApp(App[None]):
    TITLE = "elab"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Theme"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self, service: RunService, run_id: str | None = None, *, agenda: bool = True,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.run_id = run_id
        self.agenda = agenda
        self.settings = Settings.from_env() if settings is None else settings

    def on_mount(self) -> None:
        self.push_screen(HomeScreen(self.service, agenda=self.agenda, settings=self.settings))
        if self.run_id is not None:
            self.push_screen(RunScreen(self.service, self.run_id))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"


def run_home(settings: Settings) -> None:
    """``elab`` with no command."""
    service = RunService.open(settings.database_url)
    try:
        ElabApp(service, settings=settings).run()
    finally:
        service.close()


def run_run(run_id: str, settings: Settings) -> None:
    """``elab run ...``: straight to a run screen (home is underneath)."""
    service = RunService.open(settings.database_url)
    try:
        ElabApp(service, run_id, settings=settings).run()
    finally:
        service.close()
