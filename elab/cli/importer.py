"""``elab import reader FILE --layout LAYOUT.csv [--format NAME] [-o TIDY.csv] [--json]``.

A plate-reader export joined with the layout that says what each well held: one row per
well with its condition, factor levels (units in the headers), raw reading, the plate's
blank and the blank-corrected response.  Vendor files are read by allotropy; ``grid`` is
elab's own reader for plain grids (see docs/import.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["FormatOpt", "PlateOpt", "ReadOpt", "register"]

FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="grid, or allotropy's vendor name in kebab-case "
                 "(agilent-gen5, moldev-softmax-pro, bmg-mars, perkin-elmer-envision, "
                 "tecan-magellan, thermo-skanit...); guessed when left out."),
]
ReadOpt = Annotated[
    int | None,
    typer.Option("--read", min=1, help="Which read (1..N) of a file with several per well."),
]
PlateOpt = Annotated[
    str | None,
    typer.Option("--plate", help="The one plate (name or 1..N) of a multi-plate file to use."),
]
LayoutOpt = Annotated[
    Path, typer.Option("--layout", help="Plate layout CSV (elab plate layout -o).")
]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write the tidy CSV here.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the rows and notes as JSON.")]
FileArg = Annotated[Path, typer.Argument(help="The reader's export (CSV, TSV, TXT, XLSX).")]

import_app = typer.Typer(help="Read instrument files into tidy tables.", no_args_is_help=True)


@import_app.command("reader")
def reader(
    file: FileArg,
    layout: LayoutOpt,
    fmt: FormatOpt = None,
    read: ReadOpt = None,
    plate: PlateOpt = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A plate-reader export joined with a layout: one row per well, blanks subtracted."""
    from elab.domain.reader import csv_from_tidy, records_from_tidy
    from elab.services.reader_import import tidy_from_files

    tidy = tidy_from_files(file, layout, fmt, read, plate)
    text = csv_from_tidy(tidy)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    if as_json:
        records, units = records_from_tidy(tidy)
        typer.echo(json.dumps({
            "quantity": tidy.quantity,
            "unit": tidy.unit,
            "units": units,
            "blanks": [{"plate": p, "value": b, "wells": n} for p, b, n in tidy.blanks],
            "rows": records,
            "notes": list(tidy.notes),
            "warnings": list(tidy.warnings),
        }, indent=2, ensure_ascii=False))
        return
    for note in tidy.notes:
        typer.echo(f"note: {note}", err=output is None)
    for warning in tidy.warnings:
        typer.echo(f"warning: {warning}", err=output is None)
    if output is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"{len(tidy.rows)} wells written to {output}")


ConditionOpt = Annotated[
    list[str] | None,
    typer.Option("--condition", help="SAMPLE=CONDITION (repeat): the sample's group for ddct."),
]
QpcrFileArg = Annotated[Path, typer.Argument(help="The qPCR instrument's export.")]


@import_app.command("qpcr")
def qpcr(
    file: QpcrFileArg,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="rdml (an RDML file, through rdmlpython) or allotropy's vendor name "
        "in kebab-case (appbio-quantstudio, cfxmaestro, ...); guessed when left out.")] = None,
    condition: ConditionOpt = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A qPCR export (through allotropy) or an RDML file (through rdmlpython) as the Ct table
    ddct reads: well, sample, condition, target, ct, role."""
    from elab.cli.options import parse_params
    from elab.domain.reader import csv_from_ct, ct_records
    from elab.services.reader_import import ct_rows_from_file

    rows, notes = ct_rows_from_file(file, fmt, parse_params(condition, "--condition"))
    text = csv_from_ct(rows)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    if as_json:
        typer.echo(json.dumps({"rows": ct_records(rows), "notes": notes},
                              indent=2, ensure_ascii=False))
        return
    for note in notes:
        typer.echo(f"note: {note}", err=output is None)
    if output is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"{len(rows)} wells written to {output}")


def register(app: typer.Typer) -> None:
    """Add ``elab import`` to the app."""
    app.add_typer(import_app, name="import")
