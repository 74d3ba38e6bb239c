"""Nothing of a printed record lies off the page, on A4 or Letter (WeasyPrint)."""

from __future__ import annotations

import pytest
from pdf_boxes import LONG_FILE, crowded_record, off_page, text_boxes

from elab.render.record import record_pdf


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_no_text_crosses_the_printable_area(paper: str) -> None:
    pdf = record_pdf(crowded_record(), paper=paper)  # type: ignore[arg-type]
    boxes = text_boxes(pdf)
    squeezed = "".join("".join(b.text.split()) for b in boxes)
    assert "unbroken" * 60 in squeezed and LONG_FILE in squeezed  # all of it is printed
    assert "column_10_with_a_long_header" in squeezed
    bad = off_page(boxes)
    assert not bad, [(b.page, b.text[:40], round(b.x0), round(b.x1), round(b.width))
                     for b in bad[:5]]
