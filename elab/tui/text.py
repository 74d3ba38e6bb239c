"""Turning run state into text for the screens, with no Textual in sight.

Protocol text, notes and values are shown as plain text: everything here returns
``rich.text.Text`` built from strings, never console markup, so ``[bold]`` in a note stays
``[bold]``.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from elab.domain.protocol.amounts import step_materials
from elab.domain.protocol.derive import antibody_volumes
from elab.domain.protocol.graph import step_time
from elab.domain.protocol.model import Step
from elab.domain.runs import RunState, TimerState
from elab.domain.runs.derived import derived_for_run, sample_lines
from elab.domain.runs.due import step_windows
from elab.domain.runs.readings import readings_kind, readings_line
from elab.domain.runs.samples import sample_readings_line
from elab.units import format_duration

__all__ = ["MARKS", "bar", "step_detail", "timer_line", "window_lines"]

# Text marks as well as colours: state is never shown by colour alone.
MARKS = {
    "done": ("[x]", "green"),
    "current": ("[>]", "bold yellow"),
    "ready": ("[ ]", "cyan"),
    "waiting": ("[.]", "dim"),
    "skipped": ("[-]", "dim italic"),
}


def bar(fraction: float, width: int = 16) -> str:
    filled = max(0, min(width, round(fraction * width)))
    return "█" * filled + "░" * (width - filled)


def timer_line(timer: TimerState, now: datetime) -> Text:
    """``incubate  ██████░░░░  12 min left (until 13:40–14:40)`` or ``OVERDUE 5 min``."""
    elapsed = timer.elapsed_s(now)
    line = Text()
    line.append(f"{timer.step:<18} ", style="bold")
    if timer.max_s is None and timer.min_s == 0:
        line.append(f"stopwatch {format_duration(elapsed)}", style="cyan")
        return line
    total = timer.min_s or 1.0
    line.append(bar(elapsed / total) + " ")
    left = timer.remaining_s(now)
    if not timer.running:
        line.append(f"stopped after {format_duration(elapsed)}", style="dim")
    elif left > 0:
        line.append(f"{format_duration(left)} left", style="green")
    else:
        over_max = timer.max_s is not None and elapsed > timer.max_s
        label = "OVER MAX" if over_max else "DONE"
        line.append(
            f"{label} +{format_duration(-left)}", style="bold red" if over_max else "bold yellow"
        )
    shown = _clock(timer.started_at.timestamp() + timer.min_s, now)
    if timer.max_s is not None and timer.max_s != timer.min_s:
        shown = f"{shown}–{_clock(timer.started_at.timestamp() + timer.max_s, now)}"
    line.append(f"  ends {shown}", style="dim")
    return line


def _clock(timestamp: float, now: datetime) -> str:
    """``14:40`` today, ``Wed 09:00`` on another day (the 48 h arm of a time course)."""
    at = datetime.fromtimestamp(timestamp).astimezone()
    return at.strftime("%H:%M" if at.date() == now.astimezone().date() else "%a %H:%M")


def window_lines(state: RunState, step_id: str, now: datetime) -> Text:
    """``Window after attach: opens Tue 09:10, closes Tue 19:10 (open now)``."""
    out = Text()
    for window in step_windows(state, step_id):
        opens = window.opens.astimezone().strftime("%a %H:%M")
        closes = window.closes.astimezone().strftime("%a %H:%M") if window.closes else "open-ended"
        status = window.status(now)
        style = {"open": "green", "closed": "bold red", "not open yet": "yellow"}[status]
        out.append(f"Window after {window.after}: opens {opens}, closes {closes} ")
        out.append(f"({status})\n", style=style)
    for edge in state.graph.preds.get(step_id, []):
        pred = state.steps.get(edge.pred)
        if edge.gap is not None and pred is not None and pred.done_at is None:
            out.append(f"Start {edge.gap.text} after {edge.pred} ends\n", style="dim")
    return out


def step_detail(state: RunState, step_id: str, now: datetime | None = None) -> Text:
    """A step's instructions, times, materials scaled to the design and values to record."""
    step = state.protocol.step(step_id)
    st = state.steps[step_id]
    out = Text()
    out.append(f"{step.title}\n", style="bold")
    mark, style = MARKS[st.state]
    out.append(f"{mark} {st.state}", style=style)
    timing = step_time(step)
    span = format_duration(timing.min_s)
    if timing.max_s != timing.min_s:
        span += f" – {format_duration(timing.max_s)}"
    out.append(f"   time {span}   hands-on {timing.hands_on_text}\n")
    if st.started_at is not None and not st.state.finished:
        out.append(f"started {_clock(st.started_at.timestamp(), now or st.started_at)}\n",
                   style="dim")
    if now is not None and st.started_at is None:
        out.append_text(window_lines(state, step_id, now))
    out.append("\n")
    if step.text:
        out.append(step.text.strip() + "\n\n")
    passive = step.passive
    if passive is not None:
        out.append(f"Incubate {passive.duration}")
        if passive.temperature is not None:
            out.append(f" at {passive.temperature}")
        if passive.speed is not None:
            out.append(f", {passive.speed}")
        out.append("\n")
    if step.until:
        out.append(f"Until {step.until} (stopwatch)\n")
    out.append_text(_materials(state, step))
    out.append_text(_to_record(state, step))
    out.append_text(_derived(state, step))
    notes = [n for n in st.notes if n]
    if notes:
        out.append("\nNotes\n", style="bold")
        for note in notes:
            out.append(f"  {note}\n")
    return out


def _materials(state: RunState, step: Step) -> Text:
    """What the step uses, scaled to the design, and its antibodies' volumes."""
    out = Text()
    materials = step_materials(state.protocol, step.id, state.variant)
    if not materials:
        return out
    out.append("\nMaterials\n", style="bold")
    for material in materials:
        amount = f": {material.headline}" if material.headline else ""
        out.append(f"  {material.name}{amount}\n")
        for line in material.details:
            out.append(f"    {line}\n")
    for antibody in antibody_volumes(step, state.protocol):
        out.append(f"  → {antibody.line()}\n", style="cyan")
    return out


def _to_record(state: RunState, step: Step) -> Text:
    """Each value to record, with what is recorded so far and whether it is in range."""
    out = Text()
    if not step.record:
        return out
    out.append("\nRecord\n", style="bold")
    mine = [v for v in state.current_values() if v.step == step.id]
    for name, spec in step.record.items():
        expected = f" expected {spec.range}" if spec.range is not None else ""
        unit = spec.unit or spec.kind or spec.type
        got = [v for v in mine if v.name == name]
        kind = readings_kind(state.protocol, step.id, name)
        named = sample_readings_line(state, step.id, name)
        value = (f" = {named}" if named is not None else
                 f" = {readings_line([(v.value, v.unit) for v in got], kind)}" if got else "")
        outside = sum(v.in_range is False for v in got)
        flag = "" if not outside else (
            f" ({outside} out of range)" if len(got) > 1 else " (out of range)")
        required = " *" if spec.required else ""
        out.append(f"  {name}{required} [{unit}]{expected}{value}{flag}\n")
    return out


def _derived(state: RunState, step: Step) -> Text:
    """The values the protocol computes at this step, lysate by lysate where it names them."""
    out = Text()
    if not step.derive:
        return out
    out.append("\nDerived\n", style="bold")
    here = derived_for_run(state).get(step.id, [])
    for derived in here:
        style = "yellow" if derived.needs or derived.problem or derived.outside else ""
        out.append(f"  {derived.line()}\n", style=style)
    by_lysate = [v.samples for v in here if v.samples]
    for i, line in enumerate(sample_lines(here)):  # each lysate's reading by its volumes
        flagged = any(s[i].value is None or s[i].outside for s in by_lysate if i < len(s))
        out.append(f"    {line}\n", style="yellow" if flagged else "")
    return out
