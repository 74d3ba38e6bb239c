"""Plate-map pictures: one matplotlib drawing saved as SVG or PNG, an HTML page with escaping;
colour is not the only signal (codes and hatching)."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.plate import Control, DesignSpec, Factor, layout_by_shuffle
from elab.errors import InputError
from elab.render.plate_map import (
    OKABE_ITO,
    plate_map_html,
    plate_map_svg,
    styles_for,
    write_plate_map,
)


def _layout() -> object:
    spec = DesignSpec(
        factors=(Factor("drug", ("<b>A</b>", "B")), Factor("dose", ("1 nM", "10 nM"))),
        replicates=2,
        controls=(Control("vehicle", "vehicle", 2),),
        edge="medium",
    )
    return layout_by_shuffle(spec)


def test_svg_has_codes_hatching_and_escapes() -> None:
    layout = _layout()
    svg = plate_map_svg(layout, "Plate & map")  # type: ignore[arg-type]
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<pattern" in svg and "fill: url(#h" in svg  # matplotlib's hatching of controls
    assert ">v1<" in svg and "Plate &amp; map" in svg
    assert "<b>A</b>" not in svg and "&lt;b&gt;A&lt;/b&gt;" in svg


def test_every_well_has_a_hover_title() -> None:
    layout = _layout()
    svg = plate_map_svg(layout)  # type: ignore[arg-type]
    assert svg.count("<title>") == 96
    vehicle = next(p for p in layout if p.condition == "vehicle")  # type: ignore[attr-defined]
    assert (f"<title>{vehicle.well}: vehicle (replicate {vehicle.replicate})</title>") in svg


def test_a_dollar_in_a_name_is_text_not_mathtext() -> None:
    spec = DesignSpec(factors=(Factor("price", ("$5", "$10")),), replicates=1)
    svg = plate_map_svg(layout_by_shuffle(spec))
    assert "$5" in svg and "$10" in svg


def test_compound_keeps_its_hue_and_controls_are_hatched() -> None:
    styles = styles_for(_layout())  # type: ignore[arg-type]
    assert styles["vehicle"].hatched and not styles["B / 1 nM"].hatched
    assert styles["B / 10 nM"].fill in OKABE_ITO  # the highest level is the full colour
    assert styles["B / 1 nM"].fill != styles["B / 10 nM"].fill


def test_html_and_png(tmp_path: Path) -> None:
    layout = _layout()
    page = plate_map_html(layout, "<script>x</script>")  # type: ignore[arg-type]
    assert "<script>x</script>" not in page and "Layout quality" in page
    write_plate_map(layout, tmp_path / "m.png")  # type: ignore[arg-type]
    assert (tmp_path / "m.png").stat().st_size > 1000
    with pytest.raises(InputError, match=r"\.pdf"):
        write_plate_map(layout, tmp_path / "m.pdf")  # type: ignore[arg-type]
