"""Plate use cases: a protocol's design as a layout spec, a layout planned, read and written.

The shells hand in a :class:`~elab.domain.plate.DesignSpec` (or a protocol name) and get
layouts back; the CP-SAT planner (``elab.solve``) and the plate-map renderer
(``elab.render``) are reached only from here, so the command line and the TUI never import
them.  :func:`plan_layout` is the one planner both call (``elab plate layout`` and a run's
bench sheet), so the same design and seed give the same plate in both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from elab.domain.plate import (
    DesignSpec,
    Layout,
    Pin,
    PlateFormat,
    check_layout,
    csv_from_layout,
    format_from_text,
    layout_from_csv,
    layout_from_wellmap,
)
from elab.domain.plate.spec import EdgeRule, Spread, Style
from elab.errors import InputError
from elab.services.protocol_library import ProtocolLibrary

__all__ = [
    "PlannedLayout",
    "plan_layout",
    "qpcr_protocol_layout",
    "read_layout",
    "run_seed",
    "spec_from_protocol",
    "write_layout",
]

# One worker: CP-SAT with several is not reproducible run to run, and the bench sheet must
# show the plate `elab plate layout --seed` prints.
_WORKERS = 1


@dataclass(frozen=True)
class PlannedLayout:
    """A planned layout and what the independent checker found wrong with it (nothing, normally)."""

    layout: Layout
    violations: tuple[str, ...]


def spec_from_protocol(
    library: ProtocolLibrary,
    protocol: str,
    *,
    plate: PlateFormat | int | str | None = None,
    seed: int = 0,
    edge: EdgeRule | None = None,
    edge_width: int = 1,
    spread: Spread | None = None,
    plates: int | None = None,
    pins: tuple[Pin, ...] = (),
    plate_by: str | None = None,
    style: Style | None = None,
) -> DesignSpec:
    """The layout spec of a protocol's ``design:`` block; rules given override the design's."""
    from elab.domain.plate.design import spec_from_design

    loaded = library.load(protocol)
    if loaded.design is None:
        raise InputError(f"protocol {protocol!r} has no design: block to lay out")
    return spec_from_design(
        loaded.design, plate=plate, seed=seed, edge=edge, edge_width=edge_width,
        spread=spread, plates=plates, pins=pins, plate_by=plate_by, style=style,
    )


def qpcr_protocol_layout(
    library: ProtocolLibrary,
    protocol: str,
    *,
    variant: str | None = None,
    plate: str | None = None,
    plates: int | None = None,
) -> Layout | None:
    """A qPCR protocol's plate, the one `elab dilute qpcr` and the run screen show (one well
    per RNA and gene, NTCs, the design's no-RTs); None when the design has no gene factor."""
    from elab.domain.dilution.gene_mix import gene_factor
    from elab.domain.dilution.qpcr_design import QpcrChoices
    from elab.domain.dilution.qpcr_layout import qpcr_layout

    loaded = library.load(protocol)
    if variant is not None and variant not in (loaded.variants or {}):
        known = ", ".join(loaded.variants or {}) or "none"
        raise InputError(f"protocol {loaded.id!r} has no variant {variant!r} (variants: {known})")
    if loaded.design is None or gene_factor(loaded) is None:
        return None
    choices = QpcrChoices(plate=format_from_text(plate) if plate is not None else None,
                          plates=plates or 1)
    return qpcr_layout(loaded, variant, choices)


def run_seed(run_id: str) -> int:
    """The seed of the layout a run proposes: stable for the run, different between runs."""
    return int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:4], "big")


def plan_layout(spec: DesignSpec, *, time_limit: float = 20.0) -> PlannedLayout:
    """Lay the spec out in its style (CP-SAT when randomised) and check it independently."""
    if spec.style == "randomised":
        from elab.solve.plate_layout import solve_layout

        layout = solve_layout(spec, time_limit=time_limit, workers=_WORKERS)
    else:
        from elab.domain.plate.styles import layout_by_style

        layout = layout_by_style(spec)
    return PlannedLayout(layout, tuple(check_layout(layout, spec)))


def read_layout(path: Path, plate: str | None = None) -> Layout:
    """A saved layout: wellmap TOML by its suffix, else the CSV ``plate layout -o`` writes."""
    if path.suffix.lower() == ".toml":
        return layout_from_wellmap(path)
    fmt = format_from_text(plate) if plate else None
    return layout_from_csv(path.read_text(encoding="utf-8"), fmt, source=str(path))


def write_layout(layout: Layout, output: Path, title: str) -> None:
    """Write ``.csv`` (one row per well) or a plate map (``.svg``, ``.png``, ``.html``)."""
    if output.suffix.lower() == ".csv":
        output.write_text(csv_from_layout(layout), encoding="utf-8")
        return
    from elab.render.plate_map import write_plate_map

    write_plate_map(layout, output, title)
