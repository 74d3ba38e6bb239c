"""A yes/no question in a modal, for the keys that would log a deviation.

``d`` on an incubation whose timer never ran, or ``t`` on a timer with hours to go, is as
often a stray key as a decision; the screen says what would be logged and acts only on
``y`` (or enter).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["Confirm"]


class Confirm(ModalScreen[bool]):
    """Dismisses with True on ``y``/enter, False on ``n``/escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]
    DEFAULT_CSS = """
    Confirm { align: center middle; }
    Confirm > Vertical { width: 70; max-width: 100%; height: auto; border: thick $warning;
                         padding: 0 1; background: $surface; }
    Confirm #question { height: auto; }
    """

    def __init__(self, title: str, explanation: str, yes: str) -> None:
        super().__init__()
        self.title_text = title
        self.explanation = explanation
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), id="title")
            yield Static(Text(self.explanation), id="question")
            yield Static(Text(f"y {self.yes} · n / esc cancels", style="dim"), id="keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
