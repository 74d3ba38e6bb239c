"""``elab analyze --list | HOOK FILE... [--layout L.csv] [--param k=v] [--json] [--plot FILE]``.

A thin shell over :mod:`elab.domain.analysis`: hooks come from the ``elab.analysis`` entry
points, input files are tidy CSV with units in their headers, and ``--json`` prints the
result object scripts rely on (``hook``, ``method``, ``results``, ``warnings``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from elab.cli.options import parse_params

__all__ = ["register"]

ListOpt = Annotated[bool, typer.Option("--list", help="List the installed analysis hooks.")]
ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", "-p", help="Hook parameter NAME=VALUE (repeat).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write the hook's figure (PNG).")]
LayoutOpt = Annotated[
    Path | None,
    typer.Option("--layout", help="Plate layout CSV (elab plate layout -o): its columns (dose, "
                 "control...) are joined to the readings by well."),
]
HookArg = Annotated[str | None, typer.Argument(help="Hook name (see --list).", show_default=False)]
FilesArg = Annotated[
    list[Path] | None, typer.Argument(help="Tidy CSV input file(s).", show_default=False)
]


def _shown(value: Any) -> str:
    from elab.units import format_magnitude

    if isinstance(value, dict):
        if "value" in value:
            number = "—" if value["value"] is None else format_magnitude(value["value"])
            unit = "" if value.get("unit") in (None, "1") else value["unit"]
            text = f"{number} {unit}".strip()
            if value["value"] is None and value.get("bound"):
                text = f"not reached ({value['bound']})"
            if "ci95" in value:
                lo, hi = value["ci95"]
                if lo is not None and hi is not None:
                    text += f" (95% CI {format_magnitude(lo)}–{format_magnitude(hi)})"
            if value.get("sd") is not None:
                text += f" ± {format_magnitude(value['sd'])} SD"
            return text
        if "mean" in value:
            if value["mean"] is None:
                return "—"
            text = format_magnitude(value["mean"])
            if value.get("sd") is not None:
                text += f" ± {format_magnitude(value['sd'])} SD"
            if value.get("sem") is not None:
                text += f" (SEM {format_magnitude(value['sem'])}, n={value['n']})"
            return text + (f" {value['unit']}" if value.get("unit") else "")
        return ", ".join(f"{k} {_shown(v)}" for k, v in value.items())
    if isinstance(value, float):
        return format_magnitude(value)
    if isinstance(value, list):
        return f"[{', '.join(_shown(v) for v in value)}]"
    return "—" if value is None else str(value)


def _print_text(data: dict[str, Any]) -> None:
    typer.echo(f"{data['hook']}: {data['method']}")
    for sentence in data.get("headline") or []:
        typer.echo(f"» {sentence}")
    for result in data["results"]:
        parts = []
        for key, value in result.items():
            if key in ("points", "cells"):
                parts.append(f"{key}: {len(value)}")
            else:
                parts.append(f"{key}: {_shown(value)}")
        typer.echo("  " + "; ".join(parts))
    for warning in data["warnings"]:
        typer.echo(f"warning: {warning}")


def _list(as_json: bool) -> None:
    from elab.domain.analysis import available_hooks, load_hook

    hooks = [load_hook(name) for name in available_hooks()]
    if as_json:
        typer.echo(json.dumps({"hooks": [h.describe() for h in hooks]}, indent=2))
        return
    width = max((len(h.name) for h in hooks), default=0)
    for hook in hooks:
        typer.echo(f"{hook.name:<{width}}  {hook.summary}")


def analyze(
    hook: HookArg = None,
    files: FilesArg = None,
    list_hooks: ListOpt = False,
    param: ParamOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
    layout: LayoutOpt = None,
) -> None:
    """Run an analysis hook on tidy CSV files (units in headers: ``dose [nM]``)."""
    if list_hooks:
        _list(as_json)
        return
    if not hook:
        raise typer.BadParameter("give a HOOK and FILE..., or --list", param_hint="HOOK")
    if not files:
        raise typer.BadParameter(f"{hook} needs at least one input FILE", param_hint="FILE")
    from elab.domain.analysis import load_hook, read_table

    chosen = load_hook(hook)
    params = parse_params(param or [])
    if plot is not None and chosen.draw is None:
        from elab.errors import InputError

        raise InputError(f"analysis hook {hook!r} has no plot; leave out --plot")
    tables = [read_table(Path(f)) for f in files]
    from elab.domain.analysis import concat_tables

    table = concat_tables(tables)
    if layout is not None:
        from elab.domain.analysis import join_layout

        table = join_layout(table, read_table(Path(layout)))
    result = chosen.run(table, params)
    data = result.to_json()
    if plot is not None:
        plot.write_bytes(chosen.plot(result))
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_text(data)
        if plot is not None:
            typer.echo(f"plot: {plot}")


def register(app: typer.Typer) -> None:
    """Add ``elab analyze`` to the app."""
    app.command("analyze")(analyze)
