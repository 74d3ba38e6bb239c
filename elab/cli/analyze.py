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
    list[Path] | None,
    typer.Argument(help="Tidy CSV input file(s), or one plate-reader export with --layout.",
                   show_default=False),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="Read FILE as an instrument export in this format (grid, "
                 "agilent-gen5, moldev-softmax-pro, ...; for ddct rdml, appbio-quantstudio, "
                 "cfxmaestro, ...; see elab import)."),
]
ReadOpt = Annotated[
    int | None, typer.Option("--read", min=1, help="Which read of a reader file (1..N).")
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
    fmt: FormatOpt = None,
    read: ReadOpt = None,
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
    notes: list[str] = []
    extra_warnings: list[str] = []
    if layout is not None and len(files) == 1 and (fmt or not _is_tidy(Path(files[0]))):
        table = _reader_table(Path(files[0]), Path(layout), fmt, read, notes, extra_warnings)
    elif layout is None and len(files) == 1 and read is None and (
            fmt or not _is_table(Path(files[0]))):
        table = _ct_table(Path(files[0]), fmt, notes)
    else:
        if fmt is not None or read is not None:
            raise typer.BadParameter("--format and --read need one reader FILE and --layout",
                                     param_hint="--format")
        tables = [read_table(Path(f)) for f in files]
        from elab.domain.analysis import concat_tables

        table = concat_tables(tables)
        if layout is not None:
            from elab.domain.analysis import join_layout

            table = join_layout(table, read_table(Path(layout)))
    result = chosen.run(table, params)
    data = result.to_json()
    if notes or extra_warnings:
        data["import"] = {"notes": notes, "warnings": extra_warnings}
        data["warnings"] = [*extra_warnings, *data["warnings"]]
    if plot is not None:
        plot.write_bytes(chosen.plot(result))
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for note in notes:
            typer.echo(f"note: {note}")
        _print_text(data)
        if plot is not None:
            typer.echo(f"plot: {plot}")


def _is_tidy(path: Path) -> bool:
    """A tidy table (one row per well or observation, a ``well`` or ``response`` column in
    its header) is joined as it is; anything else is read as a reader export."""
    from elab.domain.analysis import read_table
    from elab.errors import ElabError
    from elab.files import read_bytes
    from elab.services.reader_import import MAX_READER_BYTES

    try:
        text = read_bytes(path, MAX_READER_BYTES, what="data file").decode("utf-8-sig")
        table = read_table(text, source=str(path)) if "\n" in text else None
        return table is not None and (table.has("response") or table.has("well"))
    except (ElabError, UnicodeDecodeError):
        return False


def _is_table(path: Path) -> bool:
    """Any tidy CSV the table reader accepts (the path every hook took before instrument
    files); only a file it refuses is tried as a qPCR export."""
    from elab.domain.analysis import read_table
    from elab.errors import ElabError
    from elab.files import read_bytes
    from elab.services.reader_import import MAX_READER_BYTES

    try:
        text = read_bytes(path, MAX_READER_BYTES, what="data file").decode("utf-8-sig")
        return "\n" in text and len(read_table(text, source=str(path)).names) > 1
    except (ElabError, UnicodeDecodeError):
        return False


def _ct_table(path: Path, fmt: str | None, notes: list[str]) -> Any:
    """A qPCR export (through allotropy) or an RDML file as the ddct hook's Ct table."""
    from elab.domain.analysis.table import table_from_records
    from elab.domain.reader import ct_records
    from elab.services.reader_import import ct_rows_from_file

    rows, more = ct_rows_from_file(path, fmt)
    notes.extend(more)
    return table_from_records(ct_records(rows), source=path.name)


def _reader_table(
    path: Path, layout: Path, fmt: str | None, read: int | None,
    notes: list[str], warnings: list[str],
) -> Any:
    """The reader file joined with the layout, blanks subtracted, as the hook's table."""
    from elab.domain.analysis.table import table_from_records
    from elab.domain.reader import records_from_tidy
    from elab.services.reader_import import tidy_from_files

    tidy = tidy_from_files(path, layout, fmt, read)
    notes.extend(tidy.notes)
    warnings.extend(tidy.warnings)
    records, units = records_from_tidy(tidy)
    return table_from_records(records, units, source=f"{path.name} + {layout.name}")


def register(app: typer.Typer) -> None:
    """Add ``elab analyze`` to the app."""
    app.command("analyze")(analyze)
