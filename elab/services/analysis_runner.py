"""Running a protocol's ``analysis:`` hooks on a finished run's attachments and values.

Each hook's outcome becomes the payload of one ``analysis_done`` event: the JSON result,
the plot as base64 PNG where the hook draws one, or the reason it could not run.  A hook
that fails never blocks finishing the run; the record shows why it has no numbers.

Before finishing, :func:`analysis_blockers` says which hooks cannot run yet and what the
scientist can do about it (attach a file, keep the plate layout); once that is done,
``elab runs analyze`` runs them again on the completed run.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from elab.domain.protocol.model import Analysis
from elab.domain.runs import RunState
from elab.domain.runs.kinds import AnalysisDone, Attached
from elab.domain.runs.state import Logged, ValueRecord
from elab.errors import ElabError
from elab.services.analysis_design import design_params

__all__ = ["Blocked", "analysis_blockers", "latest_analyses", "run_protocol_analyses"]

_FAILURES = (ElabError, LookupError, ValueError, ArithmeticError, UnicodeDecodeError)


@dataclass(frozen=True)
class Blocked:
    """An analysis of the protocol that cannot run on the run as it stands, and why."""

    hook: str
    reason: str


class _Missing(LookupError):
    """An input the analysis needs is not in the run (a file, the layout, a value); the
    message is a verb phrase that follows the hook's name ("ic50 needs the plate layout")."""


def _why(hook: str, exc: Exception) -> str:
    return f"{hook} {exc}" if isinstance(exc, _Missing) else f"{hook} cannot run: {exc}"


@dataclass(frozen=True)
class _Prepared:
    tables: Any
    params: dict[str, str]
    notes: list[str]


@dataclass
class _Reading:
    """What preparing an analysis read so far: the import's notes, and every attachment it
    used (kept even when a later input fails, so the event names what was there)."""

    notes: list[str] = field(default_factory=list)
    files: list[Logged[Attached]] = field(default_factory=list)
    # each ``@step.value`` parameter: the reference and the value events it took the mean of
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def used(self, attached: Logged[Attached] | None) -> None:
        if attached is not None and attached not in self.files:
            self.files.append(attached)


def _newest(state: RunState, names: Collection[str]) -> Logged[Attached] | None:
    """The attachment the run holds under one of ``names`` (the last one attached)."""
    found = [a for a in state.attachments if a.data.name in names]
    return found[-1] if found else None


def _layout_attachment(state: RunState) -> Logged[Attached] | None:
    """The attachment :func:`~elab.services.bench_sheet.recorded_layout` reads."""
    from elab.services.record_parts import LAYOUT_NAMES

    found = [a for a in state.attachments if a.data.name.lower() in LAYOUT_NAMES]
    return found[-1] if found else None


def _inputs(
    state: RunState, names: list[str], fetch: Callable[[str], bytes], reading: _Reading,
    wants_ct: bool = False,
) -> list[Any]:
    texts: list[Any] = []
    for name in names:
        logged = _newest(state, {name})
        if logged is None:
            raise _Missing(f"reads the attachment {name!r}, which the run does not have: "
                           f"attach the data file with elab runs attach {state.run_id} "
                           f"{name} FILE")
        found = logged.data
        reading.used(logged)
        data = fetch(found.sha256)
        texts.append(_tidy_or_reader(state, name, found.filename or name, data,
                                     fetch, reading, wants_ct))
    return texts


def _is_tidy(text: str) -> bool:
    from elab.domain.analysis import read_table

    try:
        table = read_table(text, source="attachment")
    except (ElabError, ValueError):
        return False
    return table.has("response") or table.has("well") or table.has("ct")


def _tidy_or_reader(
    state: RunState, name: str, filename: str, data: bytes, fetch: Callable[[str], bytes],
    reading: _Reading, wants_ct: bool = False,
) -> Any:
    """The attachment's CSV text when it is a tidy table (as always); for a hook that reads
    Cts, a qPCR export or RDML file read as ``elab analyze ddct FILE`` reads it; else a
    plate-reader export (any format ``elab import reader`` reads) joined with the layout the
    run recorded, when the run has one, so attaching the instrument's own file is enough."""
    try:
        text: str | None = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    from elab.services.bench_sheet import recorded_layout

    if text is not None and "\n" in text and _is_tidy(text):
        table, joined = _with_layout(text, recorded_layout(state, fetch), name)
        if joined:
            reading.used(_layout_attachment(state))
        return table
    if wants_ct:
        ct_table = _ct_export(name, filename, data, reading)
        if ct_table is not None:
            return ct_table
    layout = recorded_layout(state, fetch)
    from elab.domain.reader import reader_data_from_bytes, records_from_tidy, tidy_from_reader

    if layout is None:
        if _reads_as_reader(data, filename):
            raise _Missing(_unreadable_layout(state, fetch)
                           or _needs_layout(state, name, filename))
        if text is None:
            raise ValueError(f"the attachment {name!r} ({filename}) is neither a CSV table "
                             "nor a plate-reader export elab reads")
        from elab.domain.analysis import read_table

        # a table of another shape: the hook says what it lacks, naming the attachment
        return read_table(text, source=f"attachment {name}")
    from elab.domain.analysis import table_from_records

    reading.used(_layout_attachment(state))
    tidy = tidy_from_reader(reader_data_from_bytes(data, filename), layout, f"attachment {name}")
    reading.notes.extend([*tidy.notes, *tidy.warnings])
    records, units = records_from_tidy(tidy)
    return table_from_records(records, units, source=f"attachment {name} + layout")


def _ct_export(name: str, filename: str, data: bytes, reading: _Reading) -> Any:
    """The Ct table of a qPCR instrument export or RDML file (the reader ``elab analyze
    ddct FILE`` uses), or None when the attachment is not one."""
    from elab.domain.analysis import table_from_records
    from elab.domain.reader import ct_records, qpcr_rows_from_bytes

    try:
        rows, notes = qpcr_rows_from_bytes(data, filename)
    except (ElabError, ValueError, UnicodeDecodeError, LookupError):
        return None
    if not rows:
        return None
    reading.notes.extend(notes)
    return table_from_records(ct_records(rows), source=f"attachment {name} ({filename})")


def _reads_as_reader(data: bytes, filename: str) -> bool:
    from elab.domain.reader import reader_data_from_bytes

    try:
        reader_data_from_bytes(data, filename)
    except (ElabError, ValueError, UnicodeDecodeError):
        return False
    return True


def _unreadable_layout(state: RunState, fetch: Callable[[str], bytes]) -> str | None:
    """Why the layout the run attached does not read, when it attached one."""
    from elab.domain.plate.csvio import layout_from_csv
    from elab.services.record_parts import LAYOUT_NAMES

    found = [a.data for a in state.attachments if a.data.name.lower() in LAYOUT_NAMES]
    if not found:
        return None
    try:
        layout_from_csv(fetch(found[-1].sha256).decode("utf-8-sig"),
                        source=f"attachment {found[-1].name}")
    except (ElabError, UnicodeDecodeError, ValueError) as exc:
        return (f"needs the plate layout, and the attachment {found[-1].name!r} "
                f"({found[-1].filename}) does not read as one ({exc}): attach the CSV "
                f"elab plate layout -o writes with elab runs attach {state.run_id} layout FILE")
    return None


def _needs_layout(state: RunState, name: str, filename: str) -> str:
    """What to do when a plate-reader export has no layout to say what each well held."""
    return (f"needs the plate layout to tell which wells of the plate-reader export {name!r} "
            f"({filename}) hold which dose, vehicle or blank: keep it from the bench sheet "
            f"(run screen: m, then k) or attach one with elab runs attach {state.run_id} "
            "layout FILE (made by elab plate layout)")


def _with_layout(text: str, layout: Any, name: str) -> tuple[Any, bool]:
    """A tidy table that names wells but not their conditions (bands exported by plate and
    well) joined with the run's kept layout, which adds condition, dose, time and control;
    and whether the layout was joined."""
    from elab.domain.analysis import join_layout, read_table

    table = read_table(text, source=f"attachment {name}")
    if layout is None or table.has("condition") or not table.has("well"):
        return table, False
    from elab.domain.plate import csv_from_layout

    return join_layout(table, read_table(csv_from_layout(layout),
                                         source="the run's layout")), True


def _recorded_rows(state: RunState) -> list[dict[str, Any]]:
    return [
        {"step": v.step, "name": v.name, "value": v.value, "unit": v.unit}
        for v in state.current_values()
    ]


def _resolved(state: RunState, params: dict[str, str], reading: _Reading) -> dict[str, str]:
    """Parameters with ``@step.value`` replaced by what the run recorded there (the mean of
    its replicate readings, in the recorded unit), so a blank read at the bench reaches the
    fit; a value read per sample is refused rather than averaged."""
    out = {}
    for key, value in params.items():
        if not value.startswith("@"):
            out[key] = value
            continue
        step, _, name = value[1:].partition(".")
        readings = [v for v in state.current_values()
                    if v.step == step and v.name == name and isinstance(v.value, int | float)]
        _refuse_per_sample(state, key, value, readings)
        if not readings:
            raise _Missing(f"needs the value {name} of step {step} (its parameter {key}), "
                           "which the run did not record")
        out[key] = repr(sum(float(v.value) for v in readings) / len(readings))
        reading.values[key] = {"ref": value, "seqs": [v.seq for v in readings]}
    return out


def _refuse_per_sample(state: RunState, key: str, ref: str,
                       readings: list[ValueRecord]) -> None:
    """A parameter takes one number: the mean of replicate readings of one thing, never of
    a value read per sample (a stored protocol from before validation said so, or readings
    that name different samples), which would mix a blank of 0.05 and 0.25 into 0.15."""
    from elab.domain.protocol.science.hooks import read_per_sample

    step_id, _, name = ref[1:].partition(".")
    step = next((s for s in state.protocol.steps if s.id == step_id), None)
    spec = step.record.get(name) if step is not None else None
    samples = sorted({v.sample for v in readings if v.sample})
    if spec is not None and read_per_sample(spec):
        why = f"is read per {spec.per}"
    elif len(samples) > 1:
        why = (f"was read for {len(samples)} different samples ({', '.join(samples[:3])}"
               + (", ...)" if len(samples) > 3 else ")"))
    else:
        return
    raise ValueError(f"parameter {key} refers to {ref!r}, which {why}: its mean would mix "
                     "different samples into one number; the protocol must name a value "
                     "read once for the run")


def _entry_inputs(entry: Analysis) -> list[str]:
    return [entry.input] if isinstance(entry.input, str) else list(entry.input or [])


def _prepare(state: RunState, entry: Analysis, fetch: Callable[[str], bytes],
             reading: _Reading | None = None) -> _Prepared:
    """The hook's tables and parameters as the run holds them; ``_Missing`` names what is not
    there yet, other errors what is wrong with it.  ``reading`` collects the files read."""
    reading = reading if reading is not None else _Reading()
    names = _entry_inputs(entry)
    params = _resolved(state, {k: str(v) for k, v in entry.params.items()}, reading)
    params = design_params(state.protocol, entry.hook, params)
    if names:
        tables: Any = _inputs(state, names, fetch, reading, _reads_ct(entry.hook))
    else:
        from elab.domain.analysis import table_from_records

        tables = table_from_records(_recorded_rows(state))
    return _Prepared(tables, params, reading.notes)


def _reads_ct(hook: str) -> bool:
    """Whether the hook takes a ``ct`` column (its attachment may be a qPCR export)."""
    from elab.domain.analysis import load_hook

    try:
        return any(c.name == "ct" for c in load_hook(hook).inputs)
    except _FAILURES:
        return False  # an unknown hook is said where the hook is run


def _selected(state: RunState, hooks: Collection[str] | None) -> list[Analysis]:
    return [e for e in state.protocol.analysis if hooks is None or e.hook in hooks]


def analysis_blockers(
    state: RunState, fetch: Callable[[str], bytes], hooks: Collection[str] | None = None
) -> list[Blocked]:
    """The protocol's analyses whose inputs are not (or not usably) in the run, each with
    what to do: read before finishing, so nothing is lost without a word."""
    out = []
    for entry in _selected(state, hooks):
        try:
            _check(entry.hook, _prepare(state, entry, fetch))
        except _FAILURES as exc:
            out.append(Blocked(entry.hook, _why(entry.hook, exc)))
    return out


def _check(name: str, prepared: _Prepared) -> None:
    """What the hook checks before it analyses: its columns and units, its parameters."""
    from elab.domain.analysis import Table, concat_tables, load_hook, read_table

    hook = load_hook(name)
    tables = prepared.tables if isinstance(prepared.tables, list) else [prepared.tables]
    read = [t if isinstance(t, Table) else read_table(t) for t in tables]
    concat_tables(read).checked(hook.inputs, hook=hook.name)
    hook.parse_params(prepared.params)


def _payload(state: RunState, entry: Analysis, fetch: Callable[[str], bytes]) -> dict[str, Any]:
    from elab.domain.analysis import load_hook, run_hook

    params = {k: str(v) for k, v in entry.params.items()}
    payload: dict[str, Any] = {"hook": entry.hook, "inputs": _entry_inputs(entry),
                               "params": params}
    reading = _Reading()
    try:
        prepared = _prepare(state, entry, fetch, reading)
        payload["params"] = prepared.params
        result = run_hook(entry.hook, prepared.tables, prepared.params)
        payload["result"] = result.to_json()
        if prepared.notes:
            payload["import"] = prepared.notes
        hook = load_hook(entry.hook)
        if hook.draw is not None:
            try:
                payload["plot_png"] = base64.b64encode(hook.plot(result)).decode("ascii")
            except (ElabError, ValueError, ArithmeticError) as exc:
                payload["plot_error"] = str(exc)
    except _Missing as exc:
        payload["error"] = _why(entry.hook, exc)
    except _FAILURES as exc:
        payload["error"] = str(exc)
    if reading.files:
        payload["files"] = [_file_entry(f) for f in reading.files]
    if reading.values and "error" not in payload:
        payload["values"] = reading.values
    return payload


def _file_entry(logged: Logged[Attached]) -> dict[str, Any]:
    """An input as the ``analysis_done`` event names it: enough to find its bytes again."""
    return {"name": logged.data.name, "filename": logged.data.filename, "seq": logged.seq,
            "sha256": logged.data.sha256}


def run_protocol_analyses(
    state: RunState, fetch: Callable[[str], bytes], hooks: Collection[str] | None = None
) -> list[AnalysisDone]:
    """One ``analysis_done`` event per entry of the protocol's ``analysis:`` list (or per
    entry whose hook is in ``hooks``)."""
    return [AnalysisDone.from_payload(_payload(state, entry, fetch))
            for entry in _selected(state, hooks)]


def latest_analyses(state: RunState) -> list[Logged[AnalysisDone]]:
    """The last result of each analysis (hook and inputs), in the protocol's order: an
    analysis run again after completion stands in for the earlier one, which the log keeps."""
    latest: dict[tuple[str, tuple[str, ...]], Logged[AnalysisDone]] = {}
    for logged in state.analyses:
        key = (logged.data.hook, tuple(logged.data.inputs))
        latest.pop(key, None)
        latest[key] = logged
    order = {(e.hook, tuple(_entry_inputs(e))): i for i, e in enumerate(state.protocol.analysis)}
    return sorted(latest.values(),
                  key=lambda a: order.get((a.data.hook, tuple(a.data.inputs)), len(order)))
