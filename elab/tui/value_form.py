"""Recording a step's values: one field per declared value, checked as it is typed.

Each field shows the value's name, unit and expected range; ``1.2 mg/mL`` and
``1200 ug/mL`` are the same value, a wrong dimension is explained under the field, and an
out-of-range value is recorded only when the scientist confirms it (it then becomes a
deviation, with their note if they wrote one).  A value measured several times
(``count: 6`` lysates) takes the readings in one field, separated by ``;``; a bare number
takes the declared unit.  A value read once per named sample (``per: lysate``) says which
lysate an unnamed reading goes to next, and takes ``DMSO / 3 h #2: 1.8`` for a named one;
under the field each reading is shown beside the lysate it will be recorded for.

A field that holds its recorded reading shows it; left as it is, nothing is recorded, and
changed, it is a correction of that reading (a ``correction`` event naming it), which asks
for the reason, as an audit trail does: the original stays in the log and the record.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from elab.domain.protocol import Step
from elab.domain.runs import RunState
from elab.errors import ElabError
from elab.services.runs import (
    RunService,
    check_value,
    next_sample,
    split_readings,
    split_sample,
    with_samples,
)
from elab.tui.forms import form_css
from elab.units import format_quantity

__all__ = ["ValueForm"]


class ValueForm(ModalScreen[bool]):
    """Dismisses with True when something was recorded."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = None  # the first value field, set on mount
    DEFAULT_CSS = form_css("ValueForm", 80) + """
    ValueForm .check { height: auto; }
    ValueForm #fields Label { width: 1fr; }
    ValueForm #error { color: $error; height: auto; }
    ValueForm #reason { display: none; }
    ValueForm #reason.show { display: block; }
    """

    def __init__(self, service: RunService, state: RunState, step: Step) -> None:
        super().__init__()
        self.service = service
        self.run_id = state.run_id
        self.step = step
        self.state = state
        mine = [v for v in state.current_values() if v.step == step.id]
        single = [v for v in mine if step.record[v.name].count == 1]
        self.have = {v.name: v.text for v in single}
        self.have_seq = {v.name: v.seq for v in single}  # the reading a change corrects
        self.counted = {name: sum(v.name == name for v in mine) for name in step.record}
        self.out_of_range: set[str] = set()
        self.problems: set[str] = set()
        self.confirming = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Record values: {self.step.title}", style="bold"))
            with VerticalScroll(id="fields"):
                # Required values first: they are what the finish screen will ask for.
                ordered = sorted(self.step.record.items(), key=lambda kv: not kv[1].required)
                for name, spec in ordered:
                    unit = spec.unit or spec.kind or spec.type
                    expected = f", expected {spec.range}" if spec.range is not None else ""
                    required = " (required)" if spec.required else ""
                    about = f" — {spec.description}" if spec.description else ""
                    several = (f"; {spec.count} readings, ; between them "
                               f"({self.counted[name]} recorded)" if spec.count > 1 else "")
                    several += self.next_text(name)
                    if spec.count == 1 and self.counted[name] > 1:  # replicates (--another)
                        several += f"; {self.counted[name]} readings, the last shown"
                    yield Label(Text(f"{name}{required} [{unit}]{expected}{several}{about}"))
                    yield Input(self.have.get(name, ""), id=f"value-{name}")
                    yield Static("", id=f"check-{name}", classes="check")
            yield Static("", id="error")
            yield Input(placeholder="reason for the correction (the original reading stays)",
                        id="reason")
            yield Input(placeholder="deviation note (for an out-of-range value)", id="note")
            yield Static(Text("enter records · esc cancels", style="dim"))

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("value-")
        if name not in self.step.record:
            return
        self.confirming = False
        self.query_one("#error", Static).update("")
        self.query_one("#reason", Input).set_class(bool(self.corrections()), "show")
        check = self.query_one(f"#check-{name}", Static)
        self.out_of_range.discard(name)
        self.problems.discard(name)
        parts = self.readings(name, event.value)
        if not parts:
            check.update("")
            return
        shown: list[str] = []
        outside: list[str] = []
        expected = ""
        try:
            samples = [r.sample for r in with_samples(self.state, self.step,
                                                      [(name, event.value)])]
        except ElabError as exc:  # an unknown lysate, or one that has its reading
            self.problems.add(name)
            check.update(Text(f"✗ {exc}", style="red"))
            return
        for part, sample in zip(parts, samples, strict=False):
            text = split_sample(part)[1] if sample else part
            try:
                value, unit, deviation = check_value(self.step, name, text)
            except ElabError as exc:
                self.problems.add(name)
                check.update(Text(f"✗ {exc}", style="red"))
                return
            reading = (format_quantity(value, unit) if isinstance(value, float) and unit
                       else str(value))
            reading = f"{sample}: {reading}" if sample else reading
            shown.append(reading)
            if deviation is not None:
                outside.append(reading)
                expected = deviation.expected
        if outside:
            # Only the readings outside are named: one bad lysate of fifteen is one.
            if name not in self.have or self.changed(name):  # a kept reading asks nothing
                self.out_of_range.add(name)
            inside = len(shown) - len(outside)
            rest = f" ({inside} of {len(shown)} in range)" if len(shown) > 1 else ""
            line = Text(f"⚠ {', '.join(outside)} outside {expected}{rest}; recorded "
                        "with a deviation if you confirm", style="yellow")
        else:
            line = Text(f"✓ {', '.join(shown)}", style="green")
        if self.changed(name):
            line.append(f" · corrects {self.have[name]} (event #{self.have_seq[name]}): "
                        "give the reason", style="yellow")
        check.update(line)

    def next_text(self, name: str) -> str:
        """``; next lysate: 10 nM / 3 h #1 (or name one: DMSO / 3 h #2: 1.8)``."""
        per = self.step.record[name].per
        upcoming = next_sample(self.state, self.step.id, name)
        if per is None or upcoming is None:
            return ""
        return f"; next {per}: {upcoming} (or name one: {upcoming}: VALUE)"

    def readings(self, name: str, text: str) -> list[str]:
        """The readings typed for ``name``, split as ``runs value`` splits them."""
        return split_readings(self.step.record[name], text)

    def typed(self, name: str) -> str:
        return self.query_one(f"#value-{name}", Input).value.strip()

    def changed(self, name: str) -> bool:
        """Whether the recorded reading in ``name``'s field was changed to another value
        (``0.060`` for ``0.06 OD`` is the same value; an emptied field changes nothing)."""
        typed = self.typed(name)
        if name not in self.have or typed in ("", self.have[name]):
            return False
        try:
            before = check_value(self.step, name, self.have[name])[:2]
            parts = self.readings(name, typed)
            return len(parts) != 1 or check_value(self.step, name, parts[0])[:2] != before
        except ElabError:
            return True

    def corrections(self) -> list[str]:
        """The fields whose recorded reading was changed: each is a correction."""
        return [name for name in self.have if self.changed(name)]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.record()

    def record(self) -> None:
        error = self.query_one("#error", Static)
        if self.problems:
            error.update(Text(f"Fix first: {', '.join(sorted(self.problems))}"))
            return
        corrections = self.corrections()
        entries = [
            (name, part)
            for name in self.step.record if name not in self.have
            for part in self.readings(name, self.typed(name))
        ]
        if not entries and not corrections:
            self.dismiss(False)
            return
        several = [n for n in corrections if len(self.readings(n, self.typed(n))) != 1]
        if several:
            error.update(Text(f"A correction replaces one reading: type one value for "
                              f"{', '.join(several)}"))
            return
        reason = self.query_one("#reason", Input)
        if corrections and not reason.value.strip():
            which = ", ".join(f"{n} (event #{self.have_seq[n]}, was {self.have[n]})"
                              for n in corrections)
            error.update(Text(f"Changing {which} corrects the recorded reading: write the "
                              "reason (the original stays in the record)", style="yellow"))
            reason.focus()
            return
        if self.out_of_range and not self.confirming:
            self.confirming = True
            names = ", ".join(sorted(self.out_of_range))
            error.update(Text(f"{names} out of range: enter again to record with a deviation, "
                              "or change the value", style="yellow"))
            return
        note = self.query_one("#note", Input).value.strip()
        try:
            if entries:
                self.service.record_values(self.run_id, self.step.id, entries)
            for name in corrections:
                self.service.correct(self.run_id, self.have_seq[name],
                                     [(name, self.readings(name, self.typed(name))[0])],
                                     reason.value.strip())
            if note:
                self.service.deviate(self.run_id, self.step.id, note)
        except ElabError as exc:
            error.update(Text(str(exc)))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
