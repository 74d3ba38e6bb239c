"""``elab plate layout|show|gels``: plate layouts from a protocol's design or the command line,
and a design's lysates on gels.

The design on the command line: ``--factor dose=0.1nM,1nM,10nM`` (repeat for more factors),
``--replicates 3``, ``--control vehicle:vehicle:4`` (NAME[:KIND][:COUNT] per plate, or
``@FACTOR`` for one control per level of a factor: ``DMSO:vehicle:1@time``),
``--pin B2=vehicle`` (WELL[@PLATE]=CONDITION, or ``empty``).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

# The domain's EdgeRule and Spread, spelled here so that `elab --help` does not import the
# plate package; mypy checks that every choice is one the domain accepts.
EdgeRule = Literal["empty", "medium", "use"]
Spread = Literal["same", "plates"]

if TYPE_CHECKING:
    from elab.domain.plate import DesignSpec, Layout


class LayoutStyle(StrEnum):
    """How wells are chosen on a plate (the domain's ``Style``)."""

    randomised = "randomised"
    blocked = "blocked"
    by_column = "by-column"

__all__ = ["register"]

plate_app = typer.Typer(help="Plate layouts and maps.", no_args_is_help=True)

FactorOpt = Annotated[
    list[str], typer.Option("--factor", help="NAME=LEVEL,LEVEL,... (repeat per factor).")
]
ControlOpt = Annotated[
    list[str], typer.Option("--control", help="NAME[:KIND][:COUNT] per plate; KIND vehicle, "
                            "untreated, blank, positive, negative, standard, fmo or reference; "
                            "@FACTOR: one "
                            "per level of FACTOR instead (DMSO:vehicle:1@time).")
]
PinOpt = Annotated[list[str], typer.Option("--pin", help="WELL[@PLATE]=CONDITION or =empty.")]
OutOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write .svg, .png, .html or .csv.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the layout as JSON.")]


def _level(text: str) -> str:
    """A level as people write it: quantities normalised (``0.1nM`` → ``0.1 nM``)."""
    from elab.units import format_range, parse_quantity

    try:
        return format_range(parse_quantity(text))
    except ValueError:
        return text.strip()


def _factors(values: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for item in values:
        name, sep, levels = item.partition("=")
        parts = [p for p in (x.strip() for x in levels.split(",")) if p]
        if not sep or not name.strip() or not parts:
            raise typer.BadParameter(f"{item!r} is not NAME=LEVEL,LEVEL", param_hint="--factor")
        out.append((name.strip(), tuple(_level(p) for p in parts)))
    return out


def _controls(values: list[str]) -> list[tuple[str, str, int, tuple[str, ...]]]:
    from elab.domain.plate import CONTROL_KINDS

    out = []
    for value in values:
        item, _, crossed = value.partition("@")
        for_each = tuple(f.strip() for f in crossed.split(",") if f.strip())
        parts = [p.strip() for p in item.split(":")]
        name = parts[0]
        kind = name.lower() if name.lower() in CONTROL_KINDS else "vehicle"
        count = 1
        for part in parts[1:]:
            if part.isdigit():
                count = int(part)
            elif part:
                kind = part.lower()
        if not name or len(parts) > 3 or ("@" in value and not for_each):
            raise typer.BadParameter(f"{value!r} is not NAME[:KIND][:COUNT][@FACTOR]",
                                     param_hint="--control")
        out.append((name, kind, count, for_each))
    return out


def _pins(values: list[str]) -> list[tuple[str, str, int]]:
    out = []
    for item in values:
        where, sep, condition = item.partition("=")
        well, at, plate = where.partition("@")
        if not sep or not well.strip() or not condition.strip() or (at and not plate.isdigit()):
            raise typer.BadParameter(f"{item!r} is not WELL[@PLATE]=CONDITION", param_hint="--pin")
        out.append((condition.strip(), well.strip().upper(), int(plate) if at else 1))
    return out


def _spec(
    protocol: str | None, factor: list[str], replicates: int | None, control: list[str],
    plate: str | None, plates: int | None, edge: EdgeRule | None, edge_width: int,
    spread: Spread | None, pin: list[str], seed: int, plate_by: str | None,
    spec_file: Path | None = None, style: LayoutStyle | None = None,
) -> DesignSpec:
    from dataclasses import replace

    from elab.domain.plate import Control, DesignSpec, Factor, Pin, format_from_text

    if spec_file is not None:
        from elab.domain.plate.spec_file import spec_from_file

        if protocol is not None or factor or control or pin or replicates is not None:
            raise typer.BadParameter("give --spec FILE or a PROTOCOL or --factor/--control/"
                                     "--replicates/--pin, not both", param_hint="--spec")
        spec = spec_from_file(spec_file)
        return replace(spec, style=style.value) if style is not None else spec
    pins = tuple(Pin(c, w, p) for c, w, p in _pins(pin))
    if protocol is not None:
        from elab.cli.options import library
        from elab.services.plates import spec_from_protocol

        if factor or control or replicates is not None:
            raise typer.BadParameter("give a PROTOCOL or --factor/--control/--replicates, not both")
        return spec_from_protocol(
            library(), protocol, plate=plate, seed=seed, edge=edge, edge_width=edge_width,
            spread=spread, plates=plates, pins=pins, plate_by=plate_by,
            style=style.value if style is not None else None,
        )
    if not factor and not control:
        raise typer.BadParameter("give a PROTOCOL or at least one --factor or --control")
    return DesignSpec(
        factors=tuple(Factor(n, levels) for n, levels in _factors(factor)),
        replicates=replicates if replicates is not None else 3,
        controls=tuple(Control(n, k, c, f) for n, k, c, f in _controls(control)),
        plate=format_from_text(plate or 96),
        edge=edge,
        edge_width=edge_width,
        spread=spread or "same",
        plates=plates,
        pins=pins,
        seed=seed,
        plate_by=None if plate_by is None or plate_by.lower() == "none" else plate_by,
        style=style.value if style is not None else "randomised",
    )


def _qpcr_layout(protocol: str, variant: str | None, plate: str | None, plates: int | None,
                 factor: list[str], control: list[str], replicates: int | None,
                 rules: dict[str, object]) -> Layout | None:
    """A qPCR protocol's plate (None for any other design): the wells of `elab dilute qpcr`,
    in gene order, so the layout rules of a randomised plate do not apply to it."""
    from elab.cli.options import library
    from elab.services.plates import qpcr_protocol_layout

    layout = qpcr_protocol_layout(library(), protocol, variant=variant, plate=plate,
                                  plates=plates)
    if layout is None:
        return None
    if factor or control or replicates is not None:
        raise typer.BadParameter("give a PROTOCOL or --factor/--control/--replicates, not both")
    given = [name for name, value in rules.items() if value is not None]
    if given:
        raise typer.BadParameter(
            f"{protocol} is a qPCR design: its plate is the one `elab dilute qpcr` plans "
            "(one well per RNA and gene, in gene order); --plate and --plates apply, "
            f"{', '.join(given)} do not", param_hint=given[0])
    return layout


def _report(layout: Layout, violations: list[str] | None, as_json: bool,
            quality: bool = True) -> None:
    from elab.domain.plate import quality_report, text_from_quality, text_grid

    if as_json:
        out: dict[str, Any] = layout.to_dict()
        out["quality"] = [q.to_dict() for q in quality_report(layout)]
        if violations is not None:
            out["violations"] = violations
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    print(text_grid(layout))
    if quality:  # rows, columns and edges of each condition's wells
        print()
        print(text_from_quality(quality_report(layout)))
    for note in layout.notes:
        print(_wrapped(f"note: {note}"))
    for v in violations or []:
        print(f"violation: {v}")


@plate_app.command("layout")
def layout_cmd(
    protocol: Annotated[str | None, typer.Argument(help="A protocol id or file with a design:.")]
    = None,
    factor: FactorOpt = [],  # noqa: B006
    replicates: Annotated[int | None, typer.Option("--replicates", min=1)] = None,
    control: ControlOpt = [],  # noqa: B006
    plate: Annotated[str | None, typer.Option("--plate", help="6, 12, 24, 48, 96, 384 or RxC.")]
    = None,
    plates: Annotated[int | None, typer.Option("--plates", min=1, help="Number of plates.")]
    = None,
    edge: Annotated[EdgeRule | None, typer.Option(
        "--edge", help="The outer ring: left empty, filled with medium, or used (default: the "
        "design's, else empty on 96- and 384-well plates).")] = None,
    edge_width: Annotated[int, typer.Option("--edge-width", min=0)] = 1,
    spread: Annotated[Spread | None, typer.Option(
        "--spread", help="Replicates on the same plate or spread over plates "
        "(default: the design's, else same).")] = None,
    pin: PinOpt = [],  # noqa: B006
    plate_by: Annotated[str | None, typer.Option(
        "--plate-by", help="A factor whose levels each get their own plate(s), e.g. time "
        "(default: the design's plate_by; 'none' drops it).")] = None,
    style: Annotated[LayoutStyle | None, typer.Option(
        "--style", help="randomised (CP-SAT, spread rules), blocked (a series along each "
        "row, replicates side by side, for multichannel pipettes) or by-column "
        "(default: the design's layout_style, else randomised).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Randomisation seed.")] = 0,
    variant: Annotated[str | None, typer.Option(
        "--variant", help="The protocol variant (a qPCR protocol's reaction).")] = None,
    spec_file: Annotated[Path | None, typer.Option("--spec", help="A plate spec file (YAML or "
                                                   "JSON; `elab schema --plate`).")] = None,
    time_limit: Annotated[float, typer.Option(
        "--time-limit", help="Solver time per plate, in CP-SAT deterministic seconds (about a "
        "second each on an idle core).")] = 20.0,
    output: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Lay out a design on plates (randomised by CP-SAT, blocked or by column), print the grid
    and quality report."""
    from elab.services.plates import plan_layout, write_layout

    if protocol is not None and spec_file is None:
        qpcr = _qpcr_layout(protocol, variant, plate, plates, factor, control, replicates,
                            {"--edge": edge, "--spread": spread, "--pin": pin or None,
                             "--plate-by": plate_by, "--style": style})
        if qpcr is not None:
            if output is not None:
                write_layout(qpcr, output, protocol)
            _report(qpcr, None, as_json, quality=False)
            return
    spec = _spec(protocol, factor, replicates, control, plate, plates, edge, edge_width,
                 spread, pin, seed, plate_by, spec_file, style)
    planned = plan_layout(spec, time_limit=time_limit)
    if output is not None:
        write_layout(planned.layout, output, protocol or "Plate layout")
    _report(planned.layout, list(planned.violations), as_json)


@plate_app.command("show")
def show_cmd(
    file: Annotated[Path, typer.Argument(help="A layout CSV or a wellmap TOML file.")],
    plate: Annotated[str | None, typer.Option("--plate", help="Plate format if not inferred.")]
    = None,
    output: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a saved layout (CSV from `plate layout -o x.csv`, or wellmap TOML)."""
    from elab.services.plates import read_layout, write_layout

    layout = read_layout(file, plate)
    if output is not None:
        write_layout(layout, output, file.name)
    _report(layout, None, as_json)
    sys.stdout.flush()


@plate_app.command("gels")
def gels_cmd(
    protocol: Annotated[str, typer.Argument(help="A protocol id or file with a design:.")],
    wells: Annotated[int | None, typer.Option(
        "--wells", min=1, help="Wells per gel (default: the protocol's gel, else 15).")] = None,
    ladder: Annotated[int, typer.Option("--ladder", min=0, help="Ladder lanes per gel, "
                                        "from lane 1.")] = 1,
    gels: Annotated[int | None, typer.Option(
        "--gels", min=1, help="Gels available (default: as many as keeping the comparisons "
        "together takes).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The design's lysates on gels, lane by lane: each comparison group (densitometry's
    match_by, else plate_by) whole on one gel where it fits, else each replicate whole."""
    from elab.cli.options import library
    from elab.domain.plate.gel_design import gel_plan_from_protocol
    from elab.domain.plate.gels import text_from_gels

    plan = gel_plan_from_protocol(library().load(protocol), wells=wells, ladder=ladder,
                                  gels=gels)
    if as_json:
        print(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(_wrapped(line) for line in text_from_gels(plan).splitlines()))


def _wrapped(line: str) -> str:
    """A long note folded to 80 columns, its continuation lines indented under its text."""
    import textwrap

    indent = " " * 6 if line.startswith("note: ") else "  "
    return textwrap.fill(line, width=80, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False) if len(line) > 80 else line


def register(app: typer.Typer) -> None:
    app.add_typer(plate_app, name="plate")
