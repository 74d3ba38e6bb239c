"""The bench sheet screen: the run's plate map and the pipetting table of the current step."""

from __future__ import annotations

from typing import ClassVar

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

__all__ = ["BenchSheetScreen"]


class BenchSheetScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "keep", "Keep this layout"),
        Binding("escape", "back", "Back"),
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
        out.append(f"Bench sheet — {step.title} ({self.step_id})\n\n", style="bold")
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
        if sheet.materials:
            width = max(len(name) for name, _ in sheet.materials)
            for name, amount in sheet.materials:
                out.append(f"  {name:<{width}}  {amount}\n")
        else:
            out.append("  nothing to pipette at this step\n", style="dim")
        if sheet.dilution:
            out.append("\nDilution series\n", style="bold")
            out.append(sheet.dilution + "\n")
        if sheet.note:
            out.append(f"\n{sheet.note}\n", style="yellow")
        self.query_one("#sheet", Static).update(out)

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

    def action_back(self) -> None:
        self.app.pop_screen()
