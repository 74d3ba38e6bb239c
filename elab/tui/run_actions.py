"""The run screen's acting half: every action goes through the run service, a refusal is
shown inline, and the keys that ask something first (a value, a note, a lot, a file, who
is working) open their form or prompt.

:class:`~elab.tui.run_screen.RunScreen` draws the run and adds the keys that act at once
(done, begin, timer, undo...); it supplies :meth:`RunActions.refresh_state`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from textual.screen import Screen

from elab.domain.runs import Event, RunState
from elab.domain.runs.endpoints import past_endpoints
from elab.domain.runs.kinds import DeviationNoted
from elab.domain.runs.state import ValueRecord
from elab.errors import ElabError
from elab.services.runs import RunService
from elab.tui.bench import BenchSheetScreen
from elab.tui.confirm import Confirm
from elab.tui.prompt import Prompt
from elab.tui.value_form import ValueForm

__all__ = ["RunActions"]


class RunActions(Screen[None]):
    """A screen on one run that acts on it through ``service``."""

    def __init__(self, service: RunService, run_id: str) -> None:
        super().__init__()
        self.service = service
        self.run_id = run_id
        self.state: RunState = service.state(run_id)
        self.selected: str | None = None

    def refresh_state(self) -> None:
        """Read the run again and redraw (the drawing screen says how)."""
        self.state = self.service.state(self.run_id)

    def current_step(self) -> str | None:
        for sid in self.state.graph.order:
            if self.state.steps[sid].state == "current":
                return sid
        return None

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

