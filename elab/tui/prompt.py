"""A one-line question in a modal: the answer, or None when cancelled."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

__all__ = ["Prompt"]


class Prompt(ModalScreen[str | None]):
    """Ask for text; ``check`` may refuse it with a sentence shown inline."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    Prompt { align: center middle; }
    Prompt > Vertical { width: 70; height: auto; border: thick $accent; padding: 1 2;
                        background: $surface; }
    Prompt #error { color: $error; height: auto; }
    """

    def __init__(
        self, question: str, hint: str = "", check: Callable[[str], str | None] | None = None
    ) -> None:
        super().__init__()
        self.question = question
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.question))
            if self.hint:
                yield Static(Text(self.hint, style="dim"))
            yield Input(id="answer")
            yield Static("", id="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        answer = event.value.strip()
        problem = self.check(answer) if self.check else None
        if problem:
            self.query_one("#error", Static).update(Text(problem))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
