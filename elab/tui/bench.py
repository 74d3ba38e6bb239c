"""The bench sheet screen: the run's plate map and the pipetting table of the current step."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from elab.domain.plate import Layout, text_grid
from elab.domain.runs import RunState
from elab.errors import ElabError
from elab.services.bench_sheet import LAYOUT_NAME, layout_csv, run_layout, step_sheet
from elab.services.runs import RunService

if TYPE_CHECKING:
    from elab.domain.dilution import Plan

__all__ = ["BenchSheetScreen"]

_COLUMN_STEP = 16  # cells the sheet scrolls sideways per key press


class BenchSheetScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "keep", "Keep this layout"),
        Binding("escape", "back", "Back"),
        # A column at a time, not a character: the series table is wider than a laptop's
        # terminal, and its last columns are the final concentrations.
        Binding("right", "columns(1)", "More columns", show=False, priority=True),
        Binding("left", "columns(-1)", "Fewer columns", show=False, priority=True),
    ]
    DEFAULT_CSS = """
    BenchSheetScreen #sheet-scroll { height: 1fr; }
    BenchSheetScreen #sheet { width: auto; padding: 0 1; }
    """

    def __init__(self, service: RunService, run_id: str, step_id: str) -> None:
        super().__init__()
        self.service = service
        self.run_id = run_id
        self.step_id = step_id
        self.state: RunState = service.state(run_id)
        self.plate_layout: Layout | None = None
        self.recorded = False
        self.plate_layout_problem = ""
        self.solving = True

    def compose(self) -> ComposeResult:
        yield Header()
        with ScrollableContainer(id="sheet-scroll"):
            yield Static("", id="sheet")
        yield Footer()

    def on_mount(self) -> None:
        self.draw()
        self.run_worker(self._solve, thread=True, group="layout")

    def _solve(self) -> None:
        try:
            layout, recorded = run_layout(self.state, self.service.attachment)
            problem = ""
        except Exception as exc:  # shown on the sheet: a layout bug must not end the run screen
            layout, recorded, problem = None, False, str(exc)
        self.app.call_from_thread(self._solved, layout, recorded, problem)

    def _solved(self, layout: Layout | None, recorded: bool, problem: str) -> None:
        self.plate_layout, self.recorded, self.plate_layout_problem = layout, recorded, problem
        self.solving = False
        self.draw()

    def draw(self) -> None:
        step = self.state.protocol.step(self.step_id)
        out = Text(no_wrap=True)
        out.append(_wrap(f"Bench sheet — {step.title} ({self.step_id})", self._width(), "  ")
                   + "\n\n", style="bold")
        out.append("Plate map", style="bold")
        if self.solving:
            out.append("\n  laying out the plate…\n")
        elif self.plate_layout is None:
            why = self.plate_layout_problem or "this protocol's design has no plate"
            out.append(f"\n  no plate map: {why}\n")
        else:
            status = ("recorded in this run" if self.recorded
                      else "proposed from the design — press k to keep it in the run")
            out.append(f" ({status})\n", style="green" if self.recorded else "yellow")
            if not self.recorded:
                from elab.services.plates import run_seed

                out.append(f"  the same layout: elab plate layout {self.state.protocol.id} "
                           f"--seed {run_seed(self.run_id)}\n", style="dim")
            out.append(text_grid(self.plate_layout) + "\n")
        sheet = step_sheet(self.state, self.step_id, self.plate_layout)
        out.append("\nPipetting at this step\n", style="bold")
        width = self._width()
        if sheet.materials:
            _materials(out, sheet.materials, width)
        else:
            out.append("  nothing to pipette at this step\n", style="dim")
        if sheet.series is not None:
            out.append("\nDilution series\n", style="bold")
            _series(out, sheet.series, width)
        elif sheet.dilution:
            out.append("\nDilution series\n", style="bold")
            out.append(sheet.dilution + "\n")
        if sheet.note:
            out.append("\n")
            for line in sheet.note.splitlines():
                out.append(_wrap(line, width, "  ") + "\n", style="yellow")
        self.query_one("#sheet", Static).update(out)

    def _width(self) -> int:
        """The columns the sheet has before it scrolls: the screen less its padding and a
        scroll bar."""
        return max(self.app.size.width - 4, 40)

    def on_resize(self) -> None:
        self.draw()

    def action_keep(self) -> None:
        if self.plate_layout is None or self.recorded:
            self.notify("nothing to keep: the run already has this layout" if self.recorded
                        else "no layout to keep", timeout=5, markup=False)
            return
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{LAYOUT_NAME}.csv"
            path.write_bytes(layout_csv(self.plate_layout))
            try:
                self.service.attach(self.run_id, LAYOUT_NAME, path)
            except ElabError as exc:
                self.notify(str(exc), severity="error", timeout=8, markup=False)
                return
        self.recorded = True
        self.notify("layout kept: the record will draw this plate", timeout=5, markup=False)
        self.draw()

    def action_columns(self, direction: int) -> None:
        scroll = self.query_one("#sheet-scroll", ScrollableContainer)
        scroll.scroll_to(x=max(scroll.scroll_x + direction * _COLUMN_STEP, 0), animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()


def _wrap(text: str, width: int, indent: str) -> str:
    """``text`` folded to ``width`` with its continuation lines under ``indent``; a number
    and its unit stay on one line (3.564 mL, never 3.564 / mL)."""
    kept = re.sub(r"(\d) (?=[^\W\d_]|%)", "\\1\u00a0", text)
    folded = textwrap.fill(kept, width, subsequent_indent=indent, break_on_hyphens=False)
    return folded.replace("\u00a0", " ")


def _materials(out: Text, rows: tuple[tuple[str, str], ...], width: int) -> None:
    """Name and amount side by side, the amount folded under itself (its continuation lines
    further in than the next amount); on a screen too narrow for both, the amount under the
    name.  Every figure stays on screen: a cut line once hid
    the total a scientist makes medium from."""
    column = max(len(name) for name, _ in rows)
    beside = width - column - 4 >= 36
    for name, amount in rows:
        if beside:
            text = f"  {name:<{column}}  {amount}"
            out.append(_wrap(text, width, " " * (column + 6)) + "\n")
        else:
            if name:
                out.append(f"  {name}\n")
            out.append(_wrap(f"    {amount}", width, "      ") + "\n")


def _series(out: Text, plan: Plan, width: int) -> None:
    """The plan's title and notes folded to the screen; its table as it is (a table cannot
    fold), with the columns past the right edge named and how to scroll to them."""
    out.append(_wrap(plan.title, width, "  ") + "\n")
    table = plan.table()
    hidden = _columns_past(table, width)
    if hidden:
        hint = f"→ more columns: {', '.join(hidden)} (→ scrolls right, ← back)"
        out.append(_wrap(hint, width, "  ") + "\n", style="yellow")
    out.append("\n".join(table) + "\n")
    for line in plan.note_lines():
        indent = "    " if line.startswith("  ") else "      "
        out.append(_wrap(line, width, indent) + "\n")


def _columns_past(table: list[str], width: int) -> list[str]:
    """The table's columns that end past ``width``, read from its header and rule."""
    if len(table) < 2:
        return []
    header, rule = table[0], table[1]
    names = []
    for match in re.finditer(r"-+", rule):
        if match.end() > width:
            names.append(header[match.start():match.end()].strip())
    return names
