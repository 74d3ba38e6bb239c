"""The form that starts a run: the protocol's parameters and variant, checked as typed.

Each field is checked on every keystroke with the same function ``--param`` uses, so the
form can never start a run the command line would refuse; the allowed range sits under the
field, and the start key does nothing while any field is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from elab.domain.protocol import Protocol, parameter_value
from elab.domain.protocol.describe import design_line
from elab.errors import QuantityError
from elab.tui.forms import form_css

__all__ = ["StartChoice", "StartForm"]


@dataclass(frozen=True)
class StartChoice:
    """What the form hands back: the changed parameters and the variant."""

    params: dict[str, str]
    variant: str | None


class StartForm(ModalScreen[StartChoice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "start", "Start run"),
    ]
    DEFAULT_CSS = form_css("StartForm", 76) + """
    StartForm .hint { color: $text-muted; }
    StartForm .problem { color: $error; height: auto; }
    StartForm #problems { color: $error; height: auto; }
    """

    def __init__(
        self,
        protocol: Protocol,
        params: dict[str, str] | None = None,
        variant: str | None = None,
    ) -> None:
        super().__init__()
        self.protocol = protocol
        self.preset = dict(params or {})  # ``elab run P --param k=v`` fills the field
        self.variant = variant
        self.problems: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        p = self.protocol
        with Vertical():
            yield Label(Text(f"Start a run: {p.title}", style="bold"))
            if p.design is not None:
                yield Static(Text(design_line(p), style="dim"))
            with VerticalScroll(id="fields"):
                for name, param in p.parameters.items():
                    about = f" — {param.description}" if param.description else ""
                    yield Label(Text(f"{name}{about}"))
                    yield Input(self.preset.get(name, param.default.text), id=f"param-{name}")
                    allowed = f"allowed {param.range}" if param.range else "any value"
                    yield Static(
                        Text(f"{allowed}; default {param.default}"), classes="hint"
                    )
                    yield Static("", id=f"problem-{name}", classes="problem")
                if p.variants:
                    yield Label("variant")
                    options = [(Text(f"{v} — {about}"), v) for v, about in p.variants.items()]
                    chosen = self.variant if self.variant in p.variants else Select.NULL
                    yield Select(options, prompt="main protocol", id="variant", value=chosen)
                if not p.parameters and not p.variants:
                    yield Static(Text("This protocol has no parameters.", style="dim"))
            yield Static("", id="problems")
            yield Static(Text("enter or ctrl+s starts the run · esc cancels", style="dim"))

    def on_mount(self) -> None:
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("param-")
        param = self.protocol.parameters.get(name)
        if param is None:
            return
        problem = ""
        try:
            parameter_value(param, event.value)
        except QuantityError as exc:
            why = str(exc)
            problem = f"{event.value!r} {why}" if why.startswith("is ") else why
        if problem:
            self.problems[name] = problem
        else:
            self.problems.pop(name, None)
        self.query_one(f"#problem-{name}", Static).update(Text(problem))
        self.query_one("#problems", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def action_start(self) -> None:
        if self.problems:
            names = ", ".join(sorted(self.problems))
            self.query_one("#problems", Static).update(Text(f"Fix first: {names}"))
            return
        params: dict[str, str] = {}
        for name, param in self.protocol.parameters.items():
            text = self.query_one(f"#param-{name}", Input).value.strip()
            if text != param.default.text:
                params[name] = text
        variant: str | None = None
        if self.protocol.variants:
            chosen = self.query_one("#variant", Select).value
            variant = chosen if isinstance(chosen, str) else None
        self.dismiss(StartChoice(params, variant))

    def action_cancel(self) -> None:
        self.dismiss(None)
