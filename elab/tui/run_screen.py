"""The run screen: the step list, the current step, the timers, and the keys to act.

Every action goes through :class:`~elab.services.runs.RunService`; the screen redraws from
the folded event log, and polls the log so events appended from the CLI show within a
second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from elab.domain.runs import Event, RunState
from elab.domain.runs.endpoints import past_endpoints
from elab.domain.runs.kinds import DeviationNoted, Retracted
from elab.domain.runs.rules import done_warning, stop_warning
from elab.domain.runs.state import ValueRecord
from elab.errors import ElabError
from elab.services.runs import RunService
from elab.tui.bench import BenchSheetScreen
from elab.tui.confirm import Confirm
from elab.tui.finish import FinishScreen
from elab.tui.notify import desktop_notify
from elab.tui.prompt import Prompt
from elab.tui.text import MARKS, step_detail, timer_line
from elab.tui.value_form import ValueForm

__all__ = ["RunScreen"]


class RunScreen(Screen[None]):
    # The footer of an 80-column terminal holds nine keys: the ones a step needs, undo,
    # and the way out and to help.  The rest are listed by ``?`` (the theme, ctrl+t, too:
    # its place in the footer went to b, the start of a step).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "begin", "Begin"),
        Binding("d", "done", "Done"),
        Binding("v", "value", "Value"),
        Binding("t", "timer", "Timer"),
        Binding("a", "acknowledge", "Ack", show=False),
        Binding("s", "skip", "Skip", show=False),
        Binding("x", "deviate", "Deviation", show=False),
        Binding("n", "note", "Note", show=False),
        Binding("l", "lot", "Lot", show=False),
        Binding("u", "attach", "Attach", show=False),
        Binding("m", "bench_sheet", "Plate", show=False),
        Binding("p", "pause", "Pause", show=False),
        Binding("o", "join", "Operator", show=False),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("f", "finish", "Finish"),
        Binding("escape", "back", "Back"),
        Binding("ctrl+t", "app.toggle_theme", "Theme", show=False),
    ]
    DEFAULT_CSS = """
    RunScreen #steps { width: auto; max-width: 55%; min-width: 30; }
    RunScreen #detail { padding: 0 1; }
    RunScreen #timers { height: auto; max-height: 8; border-top: solid $accent; padding: 0 1; }
    RunScreen #status { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    RunScreen #alert { height: auto; padding: 0 1; background: $warning 30%; display: none; }
    RunScreen #alert.show { display: block; }
    """

    def __init__(self, service: RunService, run_id: str) -> None:
        super().__init__()
        self.service = service
        self.run_id = run_id
        self.state: RunState = service.state(run_id)
        self.selected: str | None = None
        self.acknowledged: set[str] = set()
        self.seen_seq = 0
        self.shown: dict[str, str] = {}  # step -> state as the table shows it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="status")
        yield Static("", id="alert")
        with Horizontal():
            yield DataTable(id="steps", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="detail-scroll"):
                yield Static("", id="detail")
        yield Static("", id="timers")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#steps", DataTable)
        self.columns = table.add_columns("", "step", "state", "by")
        self.refresh_state()
        self.set_interval(1.0, self.tick)

    # ---------------------------------------------------------------- drawing

    def now(self) -> datetime:
        return self.service.clock.now()

    def tick(self) -> None:
        """Every second: pick up events written elsewhere, and move the timers on."""
        try:
            latest = self.service.last_seq(self.run_id)
        except ElabError:
            return
        if latest != self.seen_seq:
            self.refresh_state()
        else:
            self.draw_timers()

    def refresh_state(self) -> None:
        self.state = self.service.state(self.run_id)
        self.seen_seq = self.state.last_seq
        self.draw_steps()
        self.draw_detail()
        self.draw_timers()
        self.draw_status()

    def current_step(self) -> str | None:
        for sid in self.state.graph.order:
            if self.state.steps[sid].state == "current":
                return sid
        return None

    def draw_steps(self) -> None:
        """Update the rows whose state changed; rebuild only when the step list itself did."""
        table = self.query_one("#steps", DataTable)
        order = self.state.graph.order
        if list(self.shown) != order:
            table.clear()
            self.shown = {}
            for sid in order:
                st = self.state.steps[sid].state
                mark, style = MARKS[st]
                table.add_row(Text(mark, style=style), Text(sid), Text(st, style=style),
                              Text(self.done_by(sid), style="dim"), key=sid)
                self.shown[sid] = st
        else:
            mark_col, _, state_col, by_col = self.columns
            for sid in order:
                st = self.state.steps[sid].state
                if self.shown[sid] != st:
                    mark, style = MARKS[st]
                    table.update_cell(sid, mark_col, Text(mark, style=style))
                    table.update_cell(sid, state_col, Text(st, style=style))
                    table.update_cell(sid, by_col, Text(self.done_by(sid), style="dim"),
                                      update_width=True)
                    self.shown[sid] = st
        if self.selected is None and table.row_count:
            current = self.current_step()
            row = order.index(current) if current else 0
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))

    def done_by(self, sid: str) -> str:
        """Who marked the step done: each action carries its operator."""
        st = self.state.steps[sid]
        return (st.operator or "") if st.state == "done" else ""

    def draw_detail(self) -> None:
        sid = self.selected or self.current_step() or self.state.graph.order[-1]
        self.query_one("#detail", Static).update(step_detail(self.state, sid, self.now()))

    def draw_status(self) -> None:
        # State and the current step first: a long title wraps below them, never over them.
        s = self.state
        text = Text()
        state_style = {"running": "green", "paused": "yellow"}.get(s.state, "dim")
        text.append(f"[{s.state.upper()}]", style=state_style)
        current = self.current_step()
        if current is not None:
            text.append(f"  now: {current}", style="bold")
        text.append(f"  you: {self.service.operator}")
        if s.deviations:
            text.append(f"  {len(s.deviations)} deviation(s)", style="red")
        text.append(f"  {s.protocol.title}", style="bold")
        text.append(f"  run {s.run_id}")
        self.query_one("#status", Static).update(text)

    def draw_timers(self) -> None:
        now = self.now()
        lines = Text()
        ended: list[str] = []
        for timer in self.state.timers.values():
            if not timer.running:
                continue
            lines.append_text(timer_line(timer, now))
            lines.append("\n")
            if timer.min_s and timer.remaining_s(now) <= 0 and timer.step not in self.acknowledged:
                ended.append(timer.step)
        self.query_one("#timers", Static).update(lines if lines else Text("no timers running"))
        alert = self.query_one("#alert", Static)
        if ended:
            if not alert.has_class("show"):
                self.app.bell()
                self.notify(f"Timer done: {', '.join(ended)}", severity="warning", timeout=10,
                            markup=False)
                desktop_notify(f"elab: timer done ({self.run_id})", ", ".join(ended))
            alert.update(Text(f"⏰ TIMER DONE: {', '.join(ended)} — press a to acknowledge"))
            alert.add_class("show")
        else:
            alert.remove_class("show")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.selected = str(event.row_key.value)
            self.draw_detail()

    # ---------------------------------------------------------------- acting

    def target(self) -> str | None:
        return self.selected or self.current_step()

    def act(self, action: Callable[[], Sequence[Event]]) -> None:
        """Run a service action; show a refusal inline instead of crashing.

        The action is a typed call on the service (``lambda: service.done(run, step)``), not a
        method name looked up at run time, so mypy checks every action the screen takes.
        """
        try:
            events = action()
        except ElabError as exc:
            self.notify(str(exc), severity="error", timeout=8, markup=False)
            return
        for event in events or []:
            if isinstance(d := event.data, DeviationNoted):
                self.notify(f"Deviation: {d.note}", severity="warning", timeout=8, markup=False)
        self.refresh_state()

    def action_done(self) -> None:
        step = self.target()
        if not step:
            return
        warning = done_warning(self.state.protocol.step(step), self.state.timers.get(step),
                               self.now())

        def mark(yes: bool | None = True) -> None:
            if yes:
                self.selected = None
                self.act(lambda: self.service.done(self.run_id, step))

        if warning is None or self.state.steps[step].state in ("done", "skipped"):
            mark()
        else:
            self.app.push_screen(Confirm(f"Mark {step} done early?", warning,
                                         "marks it done and logs the deviation"), mark)

    def action_begin(self) -> None:
        """b: the hands-on work of the step has begun (``runs start-step``), so the record
        gives the step's actual start and duration, not only when it was marked done."""
        step = self.target()
        if not step:
            return
        st = self.state.steps[step]
        if st.started_at is not None and not st.state.finished:
            at = st.started_at.astimezone().strftime("%H:%M")
            self.notify(f"{step} was started at {at}", timeout=6, markup=False)
            return
        self.act(lambda: self.service.start_step(self.run_id, step))
        started = self.state.steps[step].started_at
        if started is not None:
            self.notify(f"Started {step} at {started.astimezone():%H:%M}", timeout=6,
                        markup=False)

    def action_timer(self) -> None:
        step = self.target()
        if not step:
            return
        timer = self.state.timers.get(step)
        if timer is None or not timer.running:
            self.act(lambda: self.service.timer(self.run_id, step, "start"))
            return
        warning = stop_warning(self.state.protocol.step(step), timer, self.now())

        def stop(yes: bool | None = True) -> None:
            if yes:
                self.act(lambda: self.service.timer(self.run_id, step, "stop"))

        if warning is None:
            stop()
        else:
            self.app.push_screen(Confirm(f"Stop the timer of {step} early?", warning,
                                         "stops it and logs the deviation"), stop)

    def action_undo(self) -> None:
        """ctrl+z: take back this operator's last action (within the undo window)."""
        try:
            events = self.service.undo(self.run_id)
        except ElabError as exc:
            self.notify(str(exc), severity="error", timeout=10, markup=False)
            return
        undone = events[-1].data
        what = undone.what if isinstance(undone, Retracted) else "the last action"
        self.notify(f"Undone: {what}", timeout=6, markup=False)
        self.selected = None
        self.refresh_state()

    def action_join(self) -> None:
        """o: a second person takes the keyboard; their actions carry their name."""

        def join(name: str | None) -> None:
            if not name or name == self.service.operator:
                return
            self.service.operator = name
            self.act(lambda: self.service.note(self.run_id, None, f"{name} joined the run"))

        self.app.push_screen(
            Prompt("Who is working now?", f"now: {self.service.operator}; actions carry the "
                   "name given here"), join)

    def action_acknowledge(self) -> None:
        now = self.now()
        for timer in self.state.timers.values():
            if timer.running and timer.remaining_s(now) <= 0:
                self.acknowledged.add(timer.step)
        self.draw_timers()

    def action_value(self) -> None:
        step = self.target()
        if not step:
            return
        spec = self.state.protocol.step(step)
        if not spec.record:
            self.notify(f"step {step} records no values; a note (n) keeps anything else",
                        timeout=6, markup=False)
            return
        known = len(self.state.values)

        def saved(_ok: bool | None) -> None:
            self.refresh_state()
            self.alert_endpoints(self.state.values[known:])

        self.app.push_screen(ValueForm(self.service, self.state, spec), saved)

    def alert_endpoints(self, values: list[ValueRecord]) -> None:
        """A reading past a humane endpoint stops the screen and asks what was done."""
        found = past_endpoints(self.state, values)
        if not found:
            return
        step = found[0].step

        def answer(record: bool | None) -> None:
            if record:
                self._ask("What was done, and when?", "e.g. euthanised at 14:10 by CO2; "
                          "tumour harvested",
                          lambda text: self.service.note(self.run_id, step, text))
            else:
                self.notify("Humane endpoint reached: record what was done (n)",
                            severity="error", timeout=30, markup=False)

        self.app.push_screen(Confirm("Humane endpoint reached",
                                     "\n".join(f.message() for f in found),
                                     "record what was done"), answer)

    def _ask(self, question: str, hint: str, then: Callable[[str], Sequence[Event]]) -> None:
        def done(answer: str | None) -> None:
            if answer:
                self.act(lambda: then(answer))

        self.app.push_screen(Prompt(question, hint), done)

    def action_skip(self) -> None:
        step = self.target()
        if step:
            self._ask(f"Why skip {step}?", "only optional steps can be skipped",
                      lambda text: self.service.skip(self.run_id, step, text))

    def action_deviate(self) -> None:
        step = self.target()
        self._ask("What was done differently?", f"at step {step}",
                  lambda text: self.service.deviate(self.run_id, step, text))

    def action_note(self) -> None:
        step = self.target()
        self._ask("Note", f"at step {step}",
                  lambda text: self.service.note(self.run_id, step, text))

    def action_lot(self) -> None:
        def done(answer: str | None) -> None:
            if not answer:
                return
            parts = answer.split()
            if len(parts) < 2:
                self.notify("write: material lot [expiry]", severity="error", markup=False)
                return
            expiry = parts[2] if len(parts) > 2 else None
            self.act(lambda: self.service.lot(self.run_id, parts[0], parts[1], expiry))

        required = {mid for mid, m in self.state.protocol.materials.items()
                     if m.lot == "required"}
        materials = ", ".join(f"{mid}*" if mid in required else mid
                              for mid in self.state.protocol.materials)
        if required:
            materials += "   (* lot required to finish)"
        self.app.push_screen(Prompt("Lot: material lot [YYYY-MM-DD]", materials, None), done)

    def action_pause(self) -> None:
        run = self.run_id
        self.act(lambda: self.service.resume(run) if self.state.paused
                 else self.service.pause(run))

    def action_finish(self) -> None:
        self.app.push_screen(
            FinishScreen(self.service, self.run_id, self.refresh_state),
            lambda _result: self.refresh_state(),
        )

    def action_bench_sheet(self) -> None:
        step = self.target()
        if step:
            self.app.push_screen(BenchSheetScreen(self.service, self.run_id, step))

    def action_attach(self) -> None:
        def done(answer: str | None) -> None:
            if not answer:
                return
            name, _, path = answer.partition(" ")
            if not path.strip():
                self.notify("write: name path/to/file", severity="error", markup=False)
                return
            file = Path(path.strip()).expanduser()
            self.act(lambda: self.service.attach(self.run_id, name, file))

        wanted = sorted({
            name for a in self.state.protocol.analysis
            for name in ([a.input] if isinstance(a.input, str) else a.input or [])
        })
        hint = f"this protocol's analyses read: {', '.join(wanted)}" if wanted else ""
        self.app.push_screen(Prompt("Attach a file: name path", hint), done)

    def action_back(self) -> None:
        self.app.pop_screen()
