"""What a record shows besides the fold of its run: analyses with their plots and inputs,
the plate map the run kept, derived values, and the elab version that drew them.

Kept apart from :mod:`elab.services.records` (building, rendering, signing) so each module
holds one part; the record service calls these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from elab.domain.records.build import analysis_from_result
from elab.domain.records.model import AnalysisRecord, InputFile, PlotImage, RunRecord
from elab.domain.runs import RunState
from elab.domain.runs.kinds import AnalysisDone

if TYPE_CHECKING:
    from elab.services.records import RunSource

__all__ = ["LAYOUT_NAMES", "analyses_of", "elab_version", "plate_map_of", "with_derived"]


def elab_version() -> str:
    """The installed elab's version, printed on records and analyses to reproduce them."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("elab")
    except PackageNotFoundError:
        return "unknown (not installed)"


def analyses_of(state: RunState) -> list[AnalysisRecord]:
    """Analysis results stored in the run, with their plots: the latest of each analysis,
    saying when it was run after completion and which earlier attempts (kept in the log)
    it stands in for, and which of those failed.

    Each carries what reproducing it needs: the hook's parameters, every input file's name
    and SHA-256 (the attachment of that name the run held when the analysis ran), and the
    version of elab that renders the record.
    """
    from elab.domain.runs.analysis_inputs import corrected_since
    from elab.services.analysis_runner import latest_analyses

    out = []
    version = elab_version()
    for logged in latest_analyses(state):
        a = logged.data
        earlier = [o for o in state.analyses if o.seq < logged.seq
                   and (o.data.hook, o.data.inputs) == (a.hook, a.inputs)]
        analysis = analysis_from_result(a.hook or "analysis", a.result or {}, _plots_of(a),
                                        a.error or "", _result_order(a.hook))
        stale = corrected_since(state, logged)
        out.append(replace(
            analysis,
            warnings=(*analysis.warnings, *([stale.sentence(state.run_id)] if stale else [])),
            params=tuple((str(k), _param_text(str(v), a.values.get(k)))
                         for k, v in sorted(a.params.items())),
            inputs=_inputs_of(state, logged.seq, a),
            elab_version=version, seq=logged.seq, at=logged.at, operator=logged.operator,
            after_completion=state.ended_seq is not None and logged.seq > state.ended_seq,
            replaces=tuple(o.seq for o in earlier),
            failed=tuple(o.seq for o in earlier if o.data.error or o.data.result is None),
        ))
    return out


def _inputs_of(state: RunState, seq: int, analysis: AnalysisDone) -> tuple[InputFile, ...]:
    """Every file the analysis read: as its event names them (the plate layout joined to a
    reader's export included), else, for events that name none, the attachment of each
    input's name the run held when it ran."""
    held = {f.data.name: InputFile(f.data.name, f.data.filename, f.data.sha256, f.seq)
            for f in state.attachments if f.seq < seq}
    named = {f.name: f for f in (_input_file(m) for m in analysis.files) if f is not None}
    inputs = [named.get(n) or held.get(n) or InputFile(n) for n in analysis.inputs]
    return (*inputs, *(f for n, f in named.items() if n not in analysis.inputs))


def _param_text(value: str, source: Any) -> str:
    """A parameter as the hook got it; one taken from the run says from which readings
    (``0.06 (@read.blank_od: #5, #6)``), so the record names that input too."""
    if not isinstance(source, Mapping):
        return value
    ref, seqs = source.get("ref"), source.get("seqs")
    if not isinstance(ref, str) or not isinstance(seqs, list):
        return value
    events = ", ".join(f"#{n}" for n in seqs if isinstance(n, int) and not isinstance(n, bool))
    return f"{value} ({ref}: {events})" if events else f"{value} ({ref})"


def _input_file(entry: Mapping[str, Any]) -> InputFile | None:
    """One ``files`` entry of an ``analysis_done`` event, when it holds what it should."""
    name, seq = entry.get("name"), entry.get("seq")
    if not isinstance(name, str) or not name:
        return None
    return InputFile(name, str(entry.get("filename") or ""), str(entry.get("sha256") or ""),
                     seq if isinstance(seq, int) and not isinstance(seq, bool) else None)


def _result_order(hook: str) -> tuple[str, ...]:
    """The hook's declared result keys, so tables read in its order (group, ic50, ...)."""
    from elab.domain.analysis.registry import load_hook

    try:
        h = load_hook(hook)
    except (LookupError, ValueError):
        return ()
    return ("group", "curve", "sample", "target", *h.result_keys)


def _plots_of(analysis: AnalysisDone) -> list[PlotImage]:
    """The plot the analysis stored with its result (PNG, base64), if it drew one."""
    import base64
    import binascii

    if not analysis.plot_png:
        return []
    try:
        png = base64.b64decode(analysis.plot_png, validate=True)
    except (ValueError, binascii.Error):
        return []
    title = f"{analysis.hook}: {', '.join(analysis.inputs) or 'plot'}"
    return [PlotImage(title, png)]


LAYOUT_NAMES = ("layout", "plate-layout", "plate_layout", "plate-map")


def plate_map_of(run_id: str, source: RunSource, state: RunState) -> tuple[str, str]:
    """The run's plate map (SVG, text grid) from an attached layout CSV, or ("", "").

    Only a layout the run itself recorded is drawn: a layout made up from the design now
    would show wells that were never pipetted that way.
    """
    reader = getattr(source, "attachment", None)
    names = [a.data.name for a in state.attachments]
    name = next((n for n in reversed(names) if n.lower() in LAYOUT_NAMES), None)
    if reader is None or name is None:
        return "", ""
    from elab.domain.plate.csvio import layout_from_csv
    from elab.domain.plate.grid import text_grid
    from elab.errors import ElabError
    from elab.render.plate_map import plate_map_svg

    try:
        text = bytes(reader(run_id, name)).decode("utf-8-sig")
        layout = layout_from_csv(text, source=f"attachment {name}")
        return plate_map_svg(layout), text_grid(layout)
    except (ElabError, UnicodeDecodeError, ValueError):
        return "", ""


def with_derived(record: RunRecord, state: RunState) -> RunRecord:
    """The record with each step's derived values and antibody volumes, as the run's
    recorded values give them (the same numbers the run screen showed at the step)."""
    from elab.domain.runs.derived import derived_for_run, step_derived_lines

    protocol = state.protocol
    if not any(s.derive or s.solution for s in protocol.steps):
        return record
    derived = derived_for_run(state)
    steps = tuple(replace(s, derived=tuple(step_derived_lines(protocol, s.id, derived)))
                  for s in record.steps)
    return replace(record, steps=steps)
