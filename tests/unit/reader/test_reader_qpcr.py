"""qPCR exports through allotropy to the ddct Ct table (fixtures: allotropy's test data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from elab.domain.reader import csv_from_ct, ct_records, qpcr_rows_from_bytes
from elab.domain.reader.qpcr import ct_rows_from_asm
from elab.errors import InputError

DATA = Path(__file__).parents[2] / "data" / "reader"


def load(name: str, fmt: str | None = None):  # type: ignore[no-untyped-def]
    return qpcr_rows_from_bytes((DATA / name).read_bytes(), name, fmt)


def test_quantstudio_singleplex_ct_table() -> None:
    rows, notes = load("quantstudio_comparative_ct.txt")
    assert "format appbio-quantstudio (guessed" in notes[0]
    assert len(rows) == 9
    d1 = next(r for r in rows if r.well == "D1")
    assert (d1.sample, d1.condition, d1.target, d1.ct) == ("Lung", "Lung", "TGF-B", 30.155)
    records = ct_records(rows)
    assert "position" in records[0] and "well" not in records[0]  # one assay per well


def test_cfx_multiplex_wells_pair_by_well_and_dyes_stand_for_targets() -> None:
    rows, _ = load("cfx_maestro_example01.csv", "cfxmaestro")
    a01 = [r for r in rows if r.well == "A01"]
    assert {r.target for r in a01} == {"FAM", "VIC"}
    assert a01[0].condition == "PBS Baseline"  # CFX's Biological Set Name
    assert a01[0].ct == pytest.approx(21.1877528266099)
    assert "well" in ct_records(rows)[0]


def _doc(sample: str, target: str, ct: float | None, role: str = "unknown sample role",
         well: str = "A1") -> dict[str, Any]:
    processed = [{"cycle threshold result (qPCR)": {"value": ct, "unit": "(unitless)"}}] \
        if ct is not None else [{}]
    return {"sample document": {"sample identifier": sample, "well location identifier": well,
                                "sample role type": role},
            "target DNA description": target,
            "processed data aggregate document": {"processed data document": processed}}


def test_conditions_undetermined_and_standards() -> None:
    asm = {"qpcr aggregate document": {"qpcr document": [{"measurement aggregate document": {
        "measurement document": [
            _doc("vehicle-1", "ZEB1", 24.0, well="A1"),
            _doc("vehicle-2", "ZEB1", None, well="A2"),
            _doc("defactinib-1", "ZEB1", 26.5, well="A3"),
            _doc("std 1", "ZEB1", 18.0, role="standard sample role", well="A4"),
        ]}}]}}
    rows, notes = ct_rows_from_asm(asm, "x")
    assert [(r.condition, r.ct) for r in rows] == [("vehicle", 24.0), ("vehicle", None),
                                                    ("defactinib", 26.5)]
    assert notes == ["1 standard-curve wells left out",
                     "1 wells without a Ct (undetermined) kept as empty"]
    assert "A2,vehicle-2,vehicle,ZEB1,Undetermined,unknown" in csv_from_ct(rows)
    renamed, _ = ct_rows_from_asm(asm, "x", {"vehicle-1": "DMSO"})
    assert renamed[0].condition == "DMSO"


def test_a_plate_reader_file_is_not_a_qpcr_file() -> None:
    with pytest.raises(InputError, match="no qPCR wells"):
        load("gen5_abs450_ovrflw.txt", "agilent-gen5")
