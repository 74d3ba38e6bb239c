"""The home screen: the protocol library with search, and the runs with their timers."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label

from elab.errors import ElabError
from elab.services.library import load_library
from elab.services.runs import RunService
from elab.tui.run_screen import RunScreen
from elab.units import format_duration

__all__ = ["HomeScreen"]


class HomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search"),
        Binding("r", "reload", "Reload", show=False),
    ]
    DEFAULT_CSS = """
    HomeScreen #protocols { height: 1fr; }
    HomeScreen #runs { height: 1fr; }
    HomeScreen Label { padding: 0 1; text-style: bold; }
    """

    def __init__(self, service: RunService) -> None:
        super().__init__()
        self.service = service
        self.library = load_library()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search protocols by name, assay or source  (/)", id="search")
        yield Label("Protocol library — enter starts a run")
        yield DataTable(id="protocols", cursor_type="row", zebra_stripes=True)
        yield Label("Runs — enter opens; timers and what is next")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#protocols", DataTable).add_columns("id", "assay", "time", "title")
        self.query_one("#runs", DataTable).add_columns("run", "protocol", "state", "next", "timers")
        self.fill_protocols("")
        self.fill_runs()
        self.query_one("#protocols", DataTable).focus()
        self.set_interval(2.0, self.fill_runs)

    def fill_protocols(self, query: str) -> None:
        table = self.query_one("#protocols", DataTable)
        table.clear()
        for entry in self.library:
            if query and not entry.matches(query):
                continue
            table.add_row(
                Text(entry.id),
                Text(entry.assay),
                Text(format_duration(entry.min_s)),
                Text(entry.title),
                key=entry.path,
            )

    def fill_runs(self) -> None:
        table = self.query_one("#runs", DataTable)
        try:
            states = self.service.list_runs()
        except ElabError as exc:
            self.notify(str(exc), severity="error")
            return
        now = self.service.clock.now()
        table.clear()
        for s in reversed(states[-50:]):
            nxt = next((sid for sid in s.graph.order if s.steps[sid].state == "current"), "")
            timers = []
            for t in s.timers.values():
                if t.running:
                    left = t.remaining_s(now)
                    timers.append(
                        f"{t.step} {format_duration(left)}" if left > 0 else f"{t.step} DUE"
                    )
            table.add_row(
                Text(s.run_id),
                Text(s.protocol.id),
                Text(s.state),
                Text(nxt),
                Text(", ".join(timers)),
                key=s.run_id,
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill_protocols(event.value)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_reload(self) -> None:
        self.library = load_library()
        self.fill_protocols(self.query_one("#search", Input).value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "protocols":
            try:
                run_id = self.service.start(str(key))
            except ElabError as exc:
                self.notify(str(exc), severity="error")
                return
            self.app.push_screen(RunScreen(self.service, run_id))
        else:
            self.app.push_screen(RunScreen(self.service, str(key)))
