"""From a protocol's ``design:`` block to a :class:`DesignSpec`.

Accepts the protocol model's design object or the plain mapping read from YAML (duck-typed on
``plate``, ``factors`` (name, levels), ``replicates``, ``controls`` (name, kind, count,
for_each) and the layout rules ``plate_by``, ``spread``, ``layout_style`` and ``edge``), so
the layout planner does not depend on how the protocol package shapes its models.  A rule
given as a keyword argument (the command line's) overrides the design's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elab.domain.plate.spec import Control, DesignSpec, EdgeRule, Factor, Pin, Spread, Style
from elab.domain.plate.wells import PlateFormat, format_from_text
from elab.errors import InputError

__all__ = ["spec_from_design"]


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _level_text(level: Any, unit: str | None = None) -> str:
    """A level as written: a QRange's text, a quantity string, a plain word, or a bare number
    with the factor's ``unit`` (``levels: [0.1, 1, 10], unit: nM``)."""
    text = _get(level, "text", None)
    if isinstance(text, str) and text:
        return text
    if unit and isinstance(level, int | float) and not isinstance(level, bool):
        return f"{level:g} {unit}"
    return str(level).strip()


def spec_from_design(
    design: Any,
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
    """The layout spec of a protocol design; keyword arguments override or add layout rules.

    ``plate_by`` ``none`` drops the design's plate split.
    """
    if design is None:
        raise InputError("the protocol has no design: block to lay out")
    fmt_src = plate if plate is not None else _get(design, "plate")
    if fmt_src is None:
        raise InputError("the design names no plate format (add plate: 96, or pass --plate)")
    fmt = fmt_src if isinstance(fmt_src, PlateFormat) else format_from_text(fmt_src)
    factors = tuple(
        Factor(
            str(_get(f, "name")),
            tuple(_level_text(v, _get(f, "unit")) for v in (_get(f, "levels") or ())),
        )
        for f in (_get(design, "factors") or ())
    )
    controls = tuple(
        Control(
            str(_get(c, "name")),
            str(_get(c, "kind", "vehicle") or "vehicle"),
            int(_get(c, "count", 1) or 1),
            _names(_get(c, "for_each")),
        )
        for c in (_get(design, "controls") or ())
    )
    by = plate_by if plate_by is not None else _get(design, "plate_by")
    return DesignSpec(
        factors=factors,
        replicates=int(_get(design, "replicates", 1) or 1),
        controls=controls,
        plate=fmt,
        edge=edge or _get(design, "edge"),
        edge_width=edge_width,
        spread=spread or _get(design, "spread") or "same",
        plates=plates,
        pins=pins,
        seed=seed,
        plate_by=None if by is None or str(by).lower() == "none" else str(by),
        style=style or _get(design, "layout_style") or "randomised",
    )


def _names(value: Any) -> tuple[str, ...]:
    """``for_each``: one factor name or several."""
    if not value:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)
