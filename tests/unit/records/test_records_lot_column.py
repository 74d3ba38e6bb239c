"""The PDF record's materials table keeps a lot and "not recorded" on one line (review 13,
item 18: the Lot column was squeezed to a few letters, "not / record / ed"), and a long lot
still wraps inside its column rather than leaving the page."""

from __future__ import annotations

import dataclasses

import pytest
from pdf_boxes import off_page, text_boxes
from records_sample import sample_record

from elab.domain.records import MaterialRow
from elab.render.record import record_pdf

LONG_LOT = "LOT-" + "A1B2C3D4" * 8


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_lots_and_not_recorded_print_on_one_line(paper: str) -> None:
    materials = (
        MaterialRow("cells", "cancer cell line of interest"),
        MaterialRow("defactinib", "defactinib (VS-6063)",
                    details="stock 100 mM; dissolved in DMSO; check the lot's solubility sheet"),
        MaterialRow("medium", "complete culture medium", "LOT-2291A", "2027-03-01"),
        MaterialRow("mtt", "MTT reagent", details="stock 5 mg/mL; storage 4 °C in the dark"),
        MaterialRow("solubiliser", "solubilisation solution (DMSO or acidified isopropanol)"),
    )
    record = dataclasses.replace(sample_record(), materials=materials)
    boxes = text_boxes(record_pdf(record, paper=paper))  # type: ignore[arg-type]
    lines = [b.text for b in boxes]
    # a text line may run on into the next cell ("not recorded —"), never break inside
    assert sum("not recorded" in t for t in lines) == 4, [t for t in lines if "record" in t]
    assert any("LOT-2291A" in t for t in lines), [t for t in lines if "LOT" in t]


def test_a_long_lot_wraps_inside_its_column() -> None:
    materials = (MaterialRow("medium", "complete culture medium", LONG_LOT, "2027-03-01"),)
    record = dataclasses.replace(sample_record(), materials=materials)
    boxes = text_boxes(record_pdf(record))
    squeezed = "".join("".join(b.text.split()) for b in boxes)
    assert LONG_LOT in squeezed  # all of it is printed
    assert not off_page(boxes)
