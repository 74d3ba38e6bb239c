"""The run screen: the step list, the current step, the timers, and the keys to act.

Every action goes through :class:`~elab.services.runs.RunService` (the acting half, and the
keys that ask first, are :class:`~elab.tui.run_actions.RunActions`); the screen redraws from
the folded event log, and polls the log so events appended from the CLI show within a
second.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from elab.domain.runs import Event
from elab.domain.runs.kinds import Retracted
from elab.domain.runs.rules import done_warning, stop_warning
from elab.domain.runs.step_readings import Shortfall, shortfalls
from elab.errors import ElabError
from elab.services.runs import RunService
from elab.tui.confirm import Confirm
from elab.tui.finish import FinishScreen
from elab.tui.notify import desktop_notify
from elab.tui.run_actions import RunActions
from elab.tui.text import MARKS, step_detail, timer_line

__all__ = ["RunScreen"]


class RunScreen(RunActions):
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
        super().__init__(service, run_id)
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

    def action_done(self) -> None:
        """d: mark the step done; asks first when that would log a deviation (its timer
        never ran, it stops early, or a required value is short of its readings)."""
        step = self.target()
        if not step:
            return
        if self.state.steps[step].state in ("done", "skipped"):
            self.act(lambda: self.service.done(self.run_id, step))  # says why it is refused
            return
        spec = self.state.protocol.step(step)
        short = shortfalls(self.state, spec)
        if short:
            self.ask_done_without(step, short)
            return
        warning = done_warning(spec, self.state.timers.get(step), self.now())

        def mark(yes: bool | None = True) -> None:
            if yes:
                self.selected = None
                self.act(lambda: self.service.done(self.run_id, step))

        if warning is None:
            mark()
        else:
            self.app.push_screen(Confirm(f"Mark {step} done early?", warning,
                                         "marks it done and logs the deviation"), mark)

    def ask_done_without(self, step: str, short: list[Shortfall]) -> None:
        """A step short of its required readings: say which, and mark it done only with
        the reason, each shortfall logged as a deviation (v records the readings instead)."""
        missing = "\n".join(f"• {s.words()}" for s in short)
        warning = done_warning(self.state.protocol.step(step), self.state.timers.get(step),
                               self.now())
        text = (f"Still missing:\n{missing}\nRecord them with v (Value), or mark the step "
                "done without them: each is logged as a deviation, with your reason."
                + (f"\n{warning}" if warning else ""))

        def reason(yes: bool | None) -> None:
            if yes:
                self._ask(f"Why is {step} done without them?", "e.g. RNA 5 lost in the "
                          "spin; the reason goes into the deviation", mark)

        def mark(why: str) -> Sequence[Event]:
            self.selected = None
            return self.service.done(self.run_id, step, incomplete=why)

        self.app.push_screen(Confirm(f"{step}: required readings missing", text,
                                     "mark it done without them"), reason)

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

    def action_acknowledge(self) -> None:
        now = self.now()
        for timer in self.state.timers.values():
            if timer.running and timer.remaining_s(now) <= 0:
                self.acknowledged.add(timer.step)
        self.draw_timers()

    def action_pause(self) -> None:
        run = self.run_id
        self.act(lambda: self.service.resume(run) if self.state.paused
                 else self.service.pause(run))

    def action_finish(self) -> None:
        self.app.push_screen(
            FinishScreen(self.service, self.run_id, self.refresh_state),
            lambda _result: self.refresh_state(),
        )

    def action_back(self) -> None:
        self.app.pop_screen()
