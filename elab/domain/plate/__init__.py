"""Plate layouts: well algebra, the design spec, layouts, checking, CSV, text grids, wellmap.

Pure code: the CP-SAT solver lives in :mod:`elab.solve.plate_layout` and the pictures in
:mod:`elab.render.plate_map`; both build on the values defined here.
"""

from elab.domain.plate.allocate import PlateProblem, allocate, layout_from_assignments
from elab.domain.plate.check import check_layout
from elab.domain.plate.csvio import csv_from_layout, layout_from_csv
from elab.domain.plate.design import spec_from_design
from elab.domain.plate.grid import codes_for, legend_from_layout, legend_from_spec, text_grid
from elab.domain.plate.layout import EDGE_KIND, Layout, Placement
from elab.domain.plate.quality import ConditionQuality, quality_report, text_from_quality
from elab.domain.plate.shuffle import layout_by_shuffle
from elab.domain.plate.spec import (
    CONTROL_KINDS,
    STYLES,
    Condition,
    Control,
    DesignSpec,
    Factor,
    Pin,
)
from elab.domain.plate.styles import layout_by_style, series_factor
from elab.domain.plate.wellmap import layout_from_wellmap
from elab.domain.plate.wells import (
    FORMATS,
    PlateFormat,
    edge_distance,
    format_from_text,
    ij_from_well,
    is_edge,
    row_name,
    well_from_ij,
)

__all__ = [
    "CONTROL_KINDS",
    "EDGE_KIND",
    "FORMATS",
    "STYLES",
    "Condition",
    "ConditionQuality",
    "Control",
    "DesignSpec",
    "Factor",
    "Layout",
    "Pin",
    "Placement",
    "PlateFormat",
    "PlateProblem",
    "allocate",
    "check_layout",
    "codes_for",
    "csv_from_layout",
    "edge_distance",
    "format_from_text",
    "ij_from_well",
    "is_edge",
    "layout_by_shuffle",
    "layout_by_style",
    "layout_from_assignments",
    "layout_from_csv",
    "layout_from_wellmap",
    "legend_from_layout",
    "legend_from_spec",
    "quality_report",
    "row_name",
    "series_factor",
    "spec_from_design",
    "text_from_quality",
    "text_grid",
    "well_from_ij",
]
