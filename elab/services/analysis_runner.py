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
from elab.errors import ElabError

__all__ = ["run_protocol_analyses"]


def _inputs(state: RunState, names: list[str], fetch: Callable[[str], bytes]) -> list[str]:
    texts = []
    for name in names:
        matches = [a for a in state.attachments if a.get("name") == name]
        if not matches:
            raise LookupError(f"no attachment named {name!r} (elab runs attach RUN {name} FILE)")
        texts.append(fetch(str(matches[-1]["sha256"])).decode("utf-8-sig"))
    return texts


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


def run_protocol_analyses(state: RunState, fetch: Callable[[str], bytes]) -> list[dict[str, Any]]:
    """One ``analysis_done`` payload per entry of the protocol's ``analysis:`` list."""
    from elab.domain.analysis import load_hook, run_hook

    payloads = []
    for entry in state.protocol.analysis:
        names = [entry.input] if isinstance(entry.input, str) else list(entry.input or [])
        params = {k: str(v) for k, v in entry.params.items()}
        payload: dict[str, Any] = {"hook": entry.hook, "inputs": names, "params": params}
        try:
            params = _resolved(state, params)
            payload["params"] = params
            if names:
                tables: Any = _inputs(state, names, fetch)
            else:
                from elab.domain.analysis import table_from_records

                tables = table_from_records(_recorded_rows(state))
            result = run_hook(entry.hook, tables, params)
            payload["result"] = result.to_json()
            hook = load_hook(entry.hook)
            if hook.draw is not None:
                try:
                    payload["plot_png"] = base64.b64encode(hook.plot(result)).decode("ascii")
                except (ElabError, ValueError, ArithmeticError) as exc:
                    payload["plot_error"] = str(exc)
        except (ElabError, LookupError, ValueError, ArithmeticError, UnicodeDecodeError) as exc:
            payload["error"] = str(exc)
        payloads.append(payload)
    return payloads
