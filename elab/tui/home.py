"""The home screen: the protocol library with search, the runs with their timers, and what
is due across runs with today's plan.

Today's plan comes from the scheduler (a CP-SAT solve of what is left of the active runs);
it runs in a worker thread so the screen paints and answers keys while it thinks.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label

from elab.domain.runs import RunState
from elab.domain.runs.due import DueItem, due_items, most_pressing_first
from elab.errors import ElabError
from elab.services.agenda import Agenda, today_agenda
from elab.services.library import index_path, load_library
from elab.services.protocol_library import ProtocolLibrary
from elab.services.runs import RunService
from elab.settings import Settings
from elab.tui.run_screen import RunScreen
from elab.tui.start_form import StartChoice, StartForm
from elab.units import format_duration

__all__ = ["HomeScreen"]

REPLAN_EVERY_S = 300.0  # the plan moves with the clock even when no run changes
REPLAN_AFTER_CHANGE_S = 30.0  # a solve is not free: at most this often while runs change
FIRST_PLAN_AFTER_S = 1.5  # let the screen paint and settle before the first solve


class HomeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search"),
        Binding("r", "reload", "Reload", show=False),
        # While typing in the search, the arrows move the highlight in the library, so
        # enter can open any match without leaving the search field.
        Binding("down", "library_cursor(1)", "Next", show=False),
        Binding("up", "library_cursor(-1)", "Previous", show=False),
    ]
    DEFAULT_CSS = """
    HomeScreen #protocols { height: 1fr; }
    HomeScreen #runs { height: 1fr; }
    HomeScreen #due { height: 1fr; }
    HomeScreen Label { padding: 0 1; text-style: bold; }
    """

    def __init__(
        self, service: RunService, *, agenda: bool = True, settings: Settings | None = None
    ) -> None:
        super().__init__()
        self.service = service
        settings = Settings.from_env() if settings is None else settings
        self.protocols = ProtocolLibrary.from_settings(settings)
        self.index = index_path(settings)
        self.calendar = settings.calendar  # the lab's, as records and `schedule plan` use
        self.library = load_library(self.protocols, self.index)
        self.plan_today = agenda
        self.agenda = Agenda(())
        self.due: list[DueItem] = []
        self.states: list[RunState] = []
        self.planned_for: tuple[tuple[str, int], ...] | None = None
        self.planned_at = -math.inf
        self.has_plan = False  # until the first plan is in, the panel says it is coming

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search protocols by name, assay or source  (/)", id="search")
        yield Label("Protocol library — enter starts a run")
        yield DataTable(id="protocols", cursor_type="row", zebra_stripes=True)
        yield Label("Runs — enter opens; timers and what is next")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Label("Due across runs, and today's plan")
        yield DataTable(id="due", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.add_protocol_columns()
        self.query_one("#runs", DataTable).add_columns("run", "protocol", "state", "next", "timers")
        due = self.query_one("#due", DataTable)
        for label, width in (("when", 11), ("run", 15), ("step", 15)):
            due.add_column(label, width=width)
        due.add_column("what", width=max(16, self.app.size.width - 41 - 8 - 2))
        self.fill_protocols("")
        self.fill_runs()
        self.query_one("#protocols", DataTable).focus()
        self.planned_at = time.monotonic() - REPLAN_EVERY_S + FIRST_PLAN_AFTER_S
        self.set_interval(2.0, self.tick)

    def on_screen_resume(self) -> None:
        """Shown (first, or back from a run): bring runs, due items and the plan up to date.

        After the next refresh, so a home that ``elab run`` covers with a run screen at once
        is no longer current by then and does no work.
        """
        self.call_after_refresh(self.tick)

    def tick(self) -> None:
        """Every 2 s while shown; a home hidden under a run screen costs nothing."""
        if self.app.screen is not self:
            return
        self.fill_runs()
        if not self.plan_today:
            return
        active = tuple((s.run_id, s.last_seq) for s in self.states if not s.finished)
        now = time.monotonic()
        changed = self.planned_for is not None and active != self.planned_for
        if (changed and now - self.planned_at >= REPLAN_AFTER_CHANGE_S) or (
            now - self.planned_at >= REPLAN_EVERY_S
        ):
            self.planned_for, self.planned_at = active, now
            self.replan()

    def add_protocol_columns(self) -> None:
        """The title gets the width left over and wraps in it, so at 80 columns a title is
        shown whole on two lines rather than cut mid-word."""
        table = self.query_one("#protocols", DataTable)
        id_w = max((len(e.id) for e in self.library), default=10)
        time_w = max((len(format_duration(e.min_s)) for e in self.library), default=8)
        assay_w = 12
        used = id_w + assay_w + time_w + 8 + 2  # cell padding and the scroll bar
        title_w = max(16, self.app.size.width - used)
        table.add_column("id", width=id_w)
        table.add_column("assay", width=assay_w)
        table.add_column("time", width=time_w)
        table.add_column("title", width=title_w)

    def fill_protocols(self, query: str) -> None:
        table = self.query_one("#protocols", DataTable)
        table.clear()
        for entry in self.library:
            if query and not entry.matches(query):
                continue
            table.add_row(
                Text(entry.id),
                Text(entry.assay, overflow="ellipsis", no_wrap=True),
                Text(format_duration(entry.min_s)),
                Text(entry.title),
                key=entry.path,
                height=None,
            )

    def fill_runs(self) -> None:
        """The 50 runs that matter most (active first, then the newest), from their summaries.

        Only the active runs are folded (for what is due); the lab's history is read as one
        summary line per run, so the home opens as fast with 10,000 runs as with 10.  A run
        that cannot be read is shown as damaged and hides nothing.
        """
        table = self.query_one("#runs", DataTable)
        try:
            summaries = self.service.summaries(limit=50)
            states = [self.service.state(s.run_id) for s in summaries if s.active]
        except ElabError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        now = self.service.clock.now()
        self.states = states
        table.clear()
        for s in summaries:
            timers = [
                f"{t.step} {format_duration(t.remaining_s(now))}"
                if t.remaining_s(now) > 0 else f"{t.step} DUE"
                for t in s.timers
            ]
            table.add_row(
                Text(s.run_id),
                Text(s.protocol_id),
                Text(s.state, style="bold red" if s.state == "damaged" else ""),
                Text(s.problem or s.current_step),
                Text(", ".join(timers)),
                key=s.run_id,
            )
        self.due = most_pressing_first([item for s in states for item in due_items(s, now)])
        self.fill_due()

    def fill_due(self) -> None:
        table = self.query_one("#due", DataTable)
        table.clear()
        marks = {"overdue": ("!! ", "bold red"), "due": ("! ", "bold yellow"),
                 "soon": ("", "cyan"), "later": ("", "")}
        for i, item in enumerate(self.due):
            mark, style = marks[item.urgency]
            table.add_row(
                Text(f"{mark}{item.urgency}", style=style),
                Text(item.run_id),
                Text(item.step, overflow="ellipsis", no_wrap=True),
                Text(item.what),
                key=f"due-{i}:{item.run_id}",
                height=None,
            )
        day = self.agenda.day
        if day is not None and self.agenda.ahead:
            table.add_row(Text(f"{day:%a %d %b}", style="bold"), Text(""), Text(""),
                          Text("next work (none today)"))
        for i, line in enumerate(self.agenda.lines):
            local = line.start.astimezone()
            when = f"{local:%H:%M}-{line.end.astimezone():%H:%M}" if line.hands_on else (
                f"{local:%H:%M} ...")
            table.add_row(Text(when), Text(line.run),
                          Text(line.step, overflow="ellipsis", no_wrap=True), Text(line.title),
                          key=f"plan-{i}:{line.run}", height=None)
        if self.agenda.problem:
            table.add_row(Text("plan"), Text(""), Text(""), Text(self.agenda.problem))
        if self.plan_today and not self.has_plan:
            table.add_row(Text("plan"), Text(""), Text(""), Text("planning today's work…"))
        elif not self.due and not self.agenda.lines and not self.agenda.problem:
            table.add_row(Text(""), Text(""), Text(""), Text(
                "nothing due or planned" if self.states else "nothing due; no active runs"))

    def replan(self) -> None:
        """Today's plan of the active runs, solved off the UI thread.

        The worker folds its own copies of the runs from the log: the service's cached
        states are advanced in place by the UI thread and must not be read concurrently.
        """
        run_ids = [s.run_id for s in self.states if not s.finished]
        now = self.service.clock.now()
        service = self.service
        calendar = self.calendar

        def work() -> None:
            try:
                states = [service.snapshot(rid) for rid in run_ids]
                agenda = today_agenda(states, now, calendar)
            except Exception as exc:  # an optional panel must never take the bench screen down
                agenda = Agenda((), f"no plan: {exc}")
            self.app.call_from_thread(self._show_agenda, agenda)

        self.run_worker(work, thread=True, exclusive=True, group="agenda")

    def _show_agenda(self, agenda: Agenda) -> None:
        self.agenda, self.has_plan = agenda, True
        self.fill_due()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill_protocols(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search opens the highlighted protocol (the first match at once)."""
        table = self.query_one("#protocols", DataTable)
        if not table.row_count:
            self.notify("no protocol matches the search", severity="warning", markup=False)
            return
        row = min(max(table.cursor_row, 0), table.row_count - 1)
        key = table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
        if key is not None:
            self.ask_to_start(str(key))

    def action_library_cursor(self, step: int) -> None:
        table = self.query_one("#protocols", DataTable)
        if table.row_count:
            row = min(max(table.cursor_row + step, 0), table.row_count - 1)
            table.move_cursor(row=row)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_reload(self) -> None:
        self.library = load_library(self.protocols, self.index)
        self.fill_protocols(self.query_one("#search", Input).value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "protocols":
            self.ask_to_start(str(key))
        elif event.data_table.id == "runs":
            self.app.push_screen(RunScreen(self.service, str(key)))
        else:
            run_id = str(key).partition(":")[2]
            if run_id:
                self.app.push_screen(RunScreen(self.service, run_id))

    def ask_to_start(
        self, path: str, params: dict[str, str] | None = None, variant: str | None = None
    ) -> None:
        """Open the parameter form (filled with ``params``, ``variant`` when given); the run
        starts only with values the form accepted."""
        try:
            protocol = self.protocols.load_file(Path(path))
        except ElabError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return

        def start(choice: StartChoice | None) -> None:
            if choice is None:
                return
            try:
                run_id = self.service.start(path, choice.params, choice.variant)
            except ElabError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.fill_runs()
            self.app.push_screen(RunScreen(self.service, run_id))

        self.app.push_screen(StartForm(protocol, params, variant), start)
