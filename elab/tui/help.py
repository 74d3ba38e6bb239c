"""The help screen: every key binding of the app, listed."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["KEYS", "HelpScreen"]

KEYS: list[tuple[str, str, str]] = [
    ("Home", "/", "search the protocol library; ↑ ↓ choose a match, enter opens it"),
    ("Home", "enter", "start a run (opens its parameter form) / open the run"),
    ("Home", "tab", "move between the library, the runs and what is due"),
    ("Start", "enter", "start the run once every field is accepted (also ctrl+s)"),
    ("Run", "b", "begin: record that the step's hands-on work has started (its actual start)"),
    ("Run", "d", "mark the current step done (a timed step done early asks first)"),
    ("Run", "v", "record the step's values (units checked as you type); changing a recorded "
     "value corrects it, with a reason"),
    ("Run", "t", "start or stop the step's timer (stopping early asks first)"),
    ("Run", "ctrl+z", "undo your last action, within 2 minutes of it"),
    ("Run", "o", "a second person takes over: their actions carry their name"),
    ("Run", "a", "acknowledge a finished timer"),
    ("Run", "s", "skip an optional step"),
    ("Run", "x", "log a deviation"),
    ("Run", "n", "add a note"),
    ("Run", "l", "record a lot (material lot [expiry]); an expired lot is a deviation"),
    ("Run", "u", "attach a file (name path), e.g. the band intensities CSV"),
    ("Run", "m", "plate map and pipetting table of the step"),
    ("Run", "p", "pause or resume the run"),
    ("Run", "f", "finish: what is missing, then analyses and the record"),
    ("Run", "escape", "back to the home screen"),
    ("Plate", "k", "keep the proposed plate layout in the run"),
    ("Plate", "→ ←", "scroll the dilution table a column at a time (its last: final, per)"),
    ("Finish", "enter", "finish a complete run (analysis hooks run)"),
    ("Finish", "i", "finish an incomplete run with a reason (each missing item a deviation)"),
    ("Finish", "a", "run a completed run's analyses again, once their inputs are there"),
    ("Confirm", "y n", "go ahead and log the deviation / cancel"),
    ("Finish", "h m p", "write the record as HTML, Markdown or PDF"),
    ("All", "?", "this help"),
    ("All", "ctrl+t", "light / dark theme"),
    ("All", "q", "quit (everything is already saved)"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 84; max-width: 100%; height: 90%;
                                  border: thick $accent; padding: 0 1; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        # A table, so a long description wraps under itself rather than under the keys.
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column("where", style="dim", no_wrap=True)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("what", ratio=1)
        for where, key, what in KEYS:
            table.add_row(Text(where), Text(key), Text(what))
        with VerticalScroll():
            yield Static(Text("Keys", style="bold"))
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)
