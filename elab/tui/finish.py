"""The finish screen: what is missing before the run closes, then its analyses and record.

Finishing is the one irreversible key, so ``f`` only opens this screen.  It lists the steps
not done, required values and lots not recorded and timers still running; enter completes
a complete run, and an incomplete one finishes only with ``i`` and a reason, each missing
item then logged as a deviation (as ``runs finish --incomplete --reason``).  It also says
which analyses cannot run yet and what they need (the plate layout, a data file), before
the finish makes their result wait.  Afterwards the screen shows what each analysis hook
found, runs them again with ``a`` once their inputs are there (as ``runs analyze``), and
writes the record as HTML, Markdown or PDF into the records folder it names, without
leaving the TUI.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from elab.domain.runs import RunState
from elab.domain.runs.kinds import AnalysisDone
from elab.domain.runs.rules import unfinished
from elab.errors import ElabError
from elab.services.analysis_runner import Blocked, latest_analyses
from elab.services.runs import RunService
from elab.tui.prompt import Prompt

__all__ = ["FinishScreen", "analysis_summary", "records_dir"]


def records_dir() -> Path:
    """Where records written from the TUI go: ``ELAB_RECORDS_DIR``, else ``records`` in the
    user's elab data folder (beside the database) — never the working folder, so a run
    finished inside a git checkout leaves no untracked PDFs there."""
    chosen = os.environ.get("ELAB_RECORDS_DIR")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("elab")) / "records"


def analysis_summary(analysis: AnalysisDone) -> str:
    """Per hook: its headline numbers (else its first results) in words, or why it did not run."""
    hook = analysis.hook or "?"
    if analysis.error:
        return f"{hook}: not run ({analysis.error})"
    result = analysis.result or {}
    rows = result.get("results") or []
    warnings = result.get("warnings") or []
    line = f"{hook}: {len(rows)} result row(s)"
    headline = [str(h) for h in result.get("headline") or []]
    if headline:  # the hook's own answer first (IC50 with CI, fold change with CI...)
        line += " — " + "\n    ".join(headline)
    elif rows:
        first = rows[0]
        shown = []
        for key, value in first.items():
            if isinstance(value, dict) and "value" in value:
                shown.append(f"{key} {value['value']:.4g} {value.get('unit') or ''}".rstrip())
            elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
                shown.append(f"{key} {value:.4g}" if isinstance(value, float) else
                             f"{key} {value}")
            if len(shown) == 4:
                break
        line += " — " + ", ".join(shown)
    if warnings:
        line += f"; {len(warnings)} warning(s): {warnings[0]}"
    return line


class FinishScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "finish", "Finish run"),
        Binding("i", "finish_incomplete", "Finish incomplete"),
        Binding("a", "analyze", "Analyse again"),
        Binding("h", "record('html')", "HTML record"),
        Binding("m", "record('md')", "Markdown record"),
        Binding("p", "record('pdf')", "PDF record"),
        Binding("escape", "close", "Back"),
    ]
    DEFAULT_CSS = """
    FinishScreen { align: center middle; }
    FinishScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 100%;
                              border: thick $accent; padding: 0 1; background: $surface; }
    FinishScreen #body { height: auto; max-height: 18; }
    """

    def __init__(
        self, service: RunService, run_id: str, on_change: Callable[[], None] | None = None
    ) -> None:
        super().__init__()
        self.service = service
        self.run_id = run_id
        self.on_change = on_change
        self.state: RunState = service.state(run_id)
        self.blockers: list[Blocked] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="title")
            with VerticalScroll(id="body"):
                yield Static("", id="summary")
            yield Static("", id="keys")

    def on_mount(self) -> None:
        self._check_analyses()
        self.draw()

    def _check_analyses(self) -> None:
        """What each analysis lacks on the run as it stands, read when the screen opens."""
        try:
            self.blockers = self.service.analysis_blockers(self.run_id)
        except ElabError:
            self.blockers = []

    def draw(self) -> None:
        s = self.state
        title = self.query_one("#title", Label)
        keys = self.query_one("#keys", Static)
        body = Text()
        if not s.finished:
            title.update(Text(f"Finish run {s.run_id}?", style="bold"))
            missing = unfinished(s)
            if missing:
                body.append("Not complete: the run cannot finish until these are done\n",
                            style="bold yellow")
                steps = [m.step or "" for m in missing if m.expected == "done"]
                if steps:
                    body.append(f"  ! steps not done: {', '.join(steps)}\n")
                for m in missing:
                    if m.expected != "done":
                        where = f"{m.step}: " if m.step else ""
                        body.append(f"  ! {where}{m.note}\n")
            running = [t.step for t in s.timers.values() if t.running]
            if running:
                body.append(f"Timers still running: {', '.join(running)}\n", style="yellow")
            if not (missing or running):
                body.append("Every step is done and every required value recorded.\n",
                            style="green")
            body.append(f"\nAnalyses to run: {len(s.protocol.analysis)}\n")
            for blocked in self.blockers:
                body.append(f"  ! {blocked.reason}\n", style="yellow")
            if self.blockers:
                them = "it" if len(self.blockers) == 1 else "them"
                body.append(f"  Finishing now leaves {them} without a result until that is "
                            f"done; then a (after finishing) runs {them} again.\n",
                            style="yellow")
            body.append(f"Records are written to {records_dir()}\n", style="dim")
            keys.update(Text(
                "i finishes incomplete (a reason; each item a deviation) · esc goes back"
                if missing else "enter finishes the run (analyses run now) · esc goes back",
                style="dim"))
        else:
            title.update(Text(f"Run {s.run_id} {s.state}", style="bold"))
            body.append(f"{len(s.deviations)} deviation(s)\n")
            for analysis in latest_analyses(s):
                again = (f" [#{analysis.seq}, run again after completion by "
                         f"{analysis.operator}]" if s.ended_seq is not None
                         and analysis.seq > s.ended_seq else "")
                body.append(analysis_summary(analysis.data) + again + "\n")
            if not s.analyses:
                body.append("No analysis hooks for this protocol.\n", style="dim")
            again = (" · a runs the analyses again" if s.protocol.analysis
                     and s.state == "completed" else "")
            keys.update(Text(f"records folder: {records_dir()}\n"
                             f"write the record: h HTML · m Markdown · p PDF{again} · esc closes",
                             style="dim"))
        self.query_one("#summary", Static).update(body)

    def action_finish(self, incomplete: str | None = None) -> None:
        if self.state.finished:
            return
        if unfinished(self.state) and incomplete is None:
            self.notify("the run is not complete: do what is listed, or press i to finish "
                        "incomplete with a reason", severity="warning", timeout=8, markup=False)
            return
        try:
            self.state = self.service.finish(self.run_id, incomplete)
        except ElabError as exc:
            self.notify(str(exc), severity="error", timeout=8, markup=False)
            return
        if self.on_change is not None:
            self.on_change()  # the run screen underneath shows the run completed at once
        self.draw()

    def action_analyze(self) -> None:
        """a: run the analyses again on the completed run (``elab runs analyze``)."""
        if not self.state.finished:
            self.notify("the analyses run when the run finishes (enter)", severity="warning",
                        timeout=5, markup=False)
            return
        try:
            self.service.analyze(self.run_id)
        except ElabError as exc:
            self.notify(str(exc), severity="error", timeout=12, markup=False)
            return
        self.state = self.service.state(self.run_id)
        if self.on_change is not None:
            self.on_change()
        self.draw()
        self.notify("analyses run again; the record shows the new results", timeout=5,
                    markup=False)

    def action_finish_incomplete(self) -> None:
        """i: finish with steps, values or lots missing, saying why."""
        if self.state.finished or not unfinished(self.state):
            self.action_finish()
            return

        def answered(reason: str | None) -> None:
            if reason:
                self.action_finish(reason)

        self.app.push_screen(
            Prompt("Why finish incomplete?", "each missing item is logged as a deviation"),
            answered,
        )

    def action_record(self, kind: str) -> None:
        if not self.state.finished:
            self.notify("finish the run first (enter)", severity="warning", markup=False)
            return
        self.notify(f"writing the {kind.upper()} record…", timeout=3, markup=False)
        self.run_worker(lambda: self._write(kind), thread=True, group="record")

    def _calendar(self) -> Path | None:
        """The lab calendar of the app's settings, so the record plans as the agenda does."""
        settings = getattr(self.app, "settings", None)
        return getattr(settings, "calendar", None)

    def _write(self, kind: str) -> None:
        from elab.services.record_source import ServiceRunSource
        from elab.services.records import render_record

        target = records_dir() / f"{self.run_id}.{kind}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            data, _ = render_record(self.run_id, kind, source=ServiceRunSource(self.service),
                                    calendar=self._calendar())
            tmp = target.with_suffix(target.suffix + ".part")
            tmp.write_bytes(data)
            tmp.replace(target)
        except Exception as exc:  # any failure is reported; the run itself is already safe
            self.app.call_from_thread(self.notify, f"record not written: {exc}",
                                      severity="error", timeout=10, markup=False)
            return
        self.app.call_from_thread(self.notify, f"record written: {target}", timeout=10,
                                  markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
