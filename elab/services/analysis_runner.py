"""Running a protocol's ``analysis:`` hooks on a finished run's attachments and values.

Each hook's outcome becomes the payload of one ``analysis_done`` event: the JSON result,
the plot as base64 PNG where the hook draws one, or the reason it could not run.  A hook
that fails never blocks finishing the run; the record shows why it has no numbers.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from elab.domain.runs import RunState
from elab.domain.runs.kinds import AnalysisDone
from elab.errors import ElabError

__all__ = ["run_protocol_analyses"]


def _inputs(
    state: RunState, names: list[str], fetch: Callable[[str], bytes], notes: list[str]
) -> list[Any]:
    texts: list[Any] = []
    for name in names:
        found = state.attachment(name)
        if found is None:
            raise LookupError(f"no attachment named {name!r} (elab runs attach RUN {name} FILE)")
        data = fetch(found.sha256)
        texts.append(_tidy_or_reader(state, name, found.filename or name, data,
                                     fetch, notes))
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
    notes: list[str],
) -> Any:
    """The attachment's CSV text when it is a tidy table (as always); a plate-reader export
    (any format ``elab import reader`` reads) joined with the layout the run recorded, when
    the run has one, so attaching the reader's own file at the read step is enough."""
    try:
        text: str | None = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    from elab.services.bench_sheet import recorded_layout

    if text is not None and "\n" in text and _is_tidy(text):
        return _with_layout(text, recorded_layout(state, fetch), name)
    layout = recorded_layout(state, fetch)
    if layout is None:
        if text is None:
            raise ValueError(f"attachment {name!r} is not a CSV table, and the run has no "
                             "recorded layout to join a reader file with")
        return text
    from elab.domain.analysis import table_from_records
    from elab.domain.reader import reader_data_from_bytes, records_from_tidy, tidy_from_reader

    tidy = tidy_from_reader(reader_data_from_bytes(data, filename), layout, f"attachment {name}")
    notes.extend([*tidy.notes, *tidy.warnings])
    records, units = records_from_tidy(tidy)
    return table_from_records(records, units, source=f"attachment {name} + layout")


def _with_layout(text: str, layout: Any, name: str) -> Any:
    """A tidy table that names wells but not their conditions (bands exported by plate and
    well) joined with the run's kept layout, which adds condition, dose, time and control."""
    from elab.domain.analysis import join_layout, read_table

    table = read_table(text, source=f"attachment {name}")
    if layout is None or table.has("condition") or not table.has("well"):
        return text
    from elab.domain.plate import csv_from_layout

    return join_layout(table, read_table(csv_from_layout(layout), source="the run's layout"))


def _recorded_rows(state: RunState) -> list[dict[str, Any]]:
    return [
        {"step": v.step, "name": v.name, "value": v.value, "unit": v.unit}
        for v in state.current_values()
    ]


def _resolved(state: RunState, params: dict[str, str]) -> dict[str, str]:
    """Parameters with ``@step.value`` replaced by what the run recorded there (the mean of
    its readings, in the recorded unit), so a blank read at the bench reaches the fit."""
    out = {}
    for key, value in params.items():
        if not value.startswith("@"):
            out[key] = value
            continue
        step, _, name = value[1:].partition(".")
        found = [v.value for v in state.current_values()
                 if v.step == step and v.name == name and isinstance(v.value, int | float)]
        if not found:
            raise LookupError(f"parameter {key} needs the value {name} of step {step}, "
                              "which the run did not record")
        out[key] = repr(sum(float(v) for v in found) / len(found))
    return out


def run_protocol_analyses(state: RunState, fetch: Callable[[str], bytes]) -> list[AnalysisDone]:
    """One ``analysis_done`` event per entry of the protocol's ``analysis:`` list."""
    from elab.domain.analysis import load_hook, run_hook

    payloads: list[AnalysisDone] = []
    for entry in state.protocol.analysis:
        names = [entry.input] if isinstance(entry.input, str) else list(entry.input or [])
        params = {k: str(v) for k, v in entry.params.items()}
        payload: dict[str, Any] = {"hook": entry.hook, "inputs": names, "params": params}
        notes: list[str] = []
        try:
            params = _resolved(state, params)
            payload["params"] = params
            if names:
                tables: Any = _inputs(state, names, fetch, notes)
            else:
                from elab.domain.analysis import table_from_records

                tables = table_from_records(_recorded_rows(state))
            result = run_hook(entry.hook, tables, params)
            payload["result"] = result.to_json()
            if notes:
                payload["import"] = notes
            hook = load_hook(entry.hook)
            if hook.draw is not None:
                try:
                    payload["plot_png"] = base64.b64encode(hook.plot(result)).decode("ascii")
                except (ElabError, ValueError, ArithmeticError) as exc:
                    payload["plot_error"] = str(exc)
        except (ElabError, LookupError, ValueError, ArithmeticError, UnicodeDecodeError) as exc:
            payload["error"] = str(exc)
        payloads.append(AnalysisDone.from_payload(payload))
    return payloads
