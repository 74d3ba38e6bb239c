"""The elab TUI application: it only composes screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from elab.services.runs import RunService
from elab.settings import Settings
from elab.tui.help import HelpScreen
from elab.tui.home import HomeScreen
from elab.tui.run_screen import RunScreen

__all__ = ["ElabApp", "StartRequest", "run_home", "run_run", "run_start"]


class ElabApp(App[None]):
    TITLE = "elab"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Theme"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        service: RunService,
        run_id: str | None = None,
        *,
        agenda: bool = True,
        settings: Settings | None = None,
        start: StartRequest | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.run_id = run_id
        self.agenda = agenda
        self.settings = Settings.from_env() if settings is None else settings
        self.start = start

    def on_mount(self) -> None:
        home = HomeScreen(self.service, agenda=self.agenda, settings=self.settings)
        self.push_screen(home)
        if self.run_id is not None:
            self.push_screen(RunScreen(self.service, self.run_id))
        elif self.start is not None:
            home.ask_to_start(self.start.path, self.start.params, self.start.variant)

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


@dataclass(frozen=True)
class StartRequest:
    """``elab run PROTOCOL``: the protocol file and what the command line filled in."""

    path: str
    params: dict[str, str] = field(default_factory=dict)
    variant: str | None = None


def run_run(run_id: str, settings: Settings, operator: str | None = None) -> None:
    """``elab run --resume RUN`` (and ``--yes``): straight to a run screen, home underneath."""
    service = RunService.open(settings.database_url, operator or settings.operator)
    try:
        ElabApp(service, run_id, settings=settings).run()
    finally:
        service.close()


def run_start(request: StartRequest, settings: Settings, operator: str | None = None) -> None:
    """``elab run PROTOCOL``: the start form over home; the run starts when it is accepted."""
    service = RunService.open(settings.database_url, operator or settings.operator)
    try:
        ElabApp(service, settings=settings, start=request).run()
    finally:
        service.close()
