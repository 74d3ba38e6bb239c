"""A reader's own export attached at the read step is joined with the run's recorded layout
and analysed when the run finishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.services.runs import RunService

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "reader"
MTT = str(ROOT / "protocols" / "mtt-viability.yaml")


def test_grid_export_and_recorded_layout_give_the_ic50(service: RunService) -> None:
    run = service.start(MTT)
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    (analysis,) = service.finish(run, incomplete="test: only the analysis is under test").analyses
    assert analysis.data.error is None and analysis.data.result is not None, analysis.data.error
    (curve,) = analysis.data.result["results"]
    assert curve["ic50"]["value"] == pytest.approx(1.0, rel=1e-3)  # the grid's true IC50
    assert curve["ic50"]["unit"] == "uM"
    assert any("blank 0.06 OD (mean of 3 blank wells) subtracted" in n
               for n in analysis.data.import_notes)


def test_a_vendor_workbook_is_read_through_allotropy(service: RunService,
                                                     tmp_path: Path) -> None:
    layout = tmp_path / "layout.csv"
    layout.write_text("plate,well,condition,dose,replicate,control\n"
                      "1,A1,medium,,1,blank\n1,A2,medium,,2,blank\n"
                      "1,A3,vehicle,,1,vehicle\n1,A4,vehicle,,2,vehicle\n"
                      + "".join(f"1,B{c},{d} uM,{d} uM,1,\n"
                                for c, d in zip(range(1, 7), (0.1, 0.3, 1, 3, 10, 30),
                                                strict=True)), encoding="utf-8")
    run = service.start(MTT)
    service.attach(run, "layout", layout)
    service.attach(run, "absorbance", DATA / "magellan_od.xlsx")
    (analysis,) = service.finish(run, incomplete="test: only the analysis is under test").analyses
    assert analysis.data.error is None, analysis.data.error
    assert any("format tecan-magellan" in n for n in analysis.data.import_notes)


def test_without_a_recorded_layout_a_workbook_is_a_clear_error(service: RunService) -> None:
    run = service.start(MTT)
    service.attach(run, "absorbance", DATA / "magellan_od.xlsx")
    (analysis,) = service.finish(run, incomplete="test: only the analysis is under test").analyses
    assert "no recorded layout" in (analysis.data.error or "")
