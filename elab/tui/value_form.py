"""Recording a step's values: one field per declared value, checked as it is typed.

Each field shows the value's name, unit and expected range; ``1.2 mg/mL`` and
``1200 ug/mL`` are the same value, a wrong dimension is explained under the field, and an
out-of-range value is recorded only when the scientist confirms it (it then becomes a
deviation, with their note if they wrote one).
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
from elab.services.runs import RunService, check_value
from elab.tui.forms import form_css
from elab.units import format_quantity

__all__ = ["ValueForm"]


class ValueForm(ModalScreen[bool]):
    """Dismisses with True when something was recorded."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = None  # the first value field, set on mount
    DEFAULT_CSS = form_css("ValueForm", 80) + """
    ValueForm .check { height: auto; }
    ValueForm #error { color: $error; height: auto; }
    """

    def __init__(self, service: RunService, state: RunState, step: Step) -> None:
        super().__init__()
        self.service = service
        self.run_id = state.run_id
        self.step = step
        self.have = {v.name: v.text for v in state.current_values() if v.step == step.id}
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
                    yield Label(Text(f"{name}{required} [{unit}]{expected}{about}"))
                    yield Input(self.have.get(name, ""), id=f"value-{name}")
                    yield Static("", id=f"check-{name}", classes="check")
            yield Static("", id="error")
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
        check = self.query_one(f"#check-{name}", Static)
        self.out_of_range.discard(name)
        self.problems.discard(name)
        text = event.value.strip()
        if not text:
            check.update("")
            return
        try:
            value, unit, deviation = check_value(self.step, name, text)
        except ElabError as exc:
            self.problems.add(name)
            check.update(Text(f"✗ {exc}", style="red"))
            return
        shown = format_quantity(value, unit) if isinstance(value, float) and unit else str(value)
        if deviation is not None:
            self.out_of_range.add(name)
            check.update(Text(f"⚠ {shown}: outside {deviation.expected}; recorded with a "
                              "deviation if you confirm", style="yellow"))
        else:
            check.update(Text(f"✓ {shown}", style="green"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.record()

    def record(self) -> None:
        error = self.query_one("#error", Static)
        if self.problems:
            error.update(Text(f"Fix first: {', '.join(sorted(self.problems))}"))
            return
        entries = [
            (name, text)
            for name in self.step.record
            if (text := self.query_one(f"#value-{name}", Input).value.strip())
            and text != self.have.get(name)
        ]
        if not entries:
            self.dismiss(False)
            return
        if self.out_of_range and not self.confirming:
            self.confirming = True
            names = ", ".join(sorted(self.out_of_range))
            error.update(Text(f"{names} out of range: enter again to record with a deviation, "
                              "or change the value", style="yellow"))
            return
        note = self.query_one("#note", Input).value.strip()
        try:
            self.service.record_values(self.run_id, self.step.id, entries)
            if note:
                self.service.deviate(self.run_id, self.step.id, note)
        except ElabError as exc:
            error.update(Text(str(exc)))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
