"""Where every piece of text sits on the pages of a PDF, to check nothing is off the page.

Imported by name from the record layout tests (the name is unique in tests/)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from records_sample import sample_record

from elab.domain.records import AnalysisRecord, AttachmentRow, NoteRow, ResultRow, RunRecord

MM = 72 / 25.4
# The record's @page margins (record.html.j2): 15 mm top, 14 mm sides, 19 mm bottom.
SIDE_MM = 14.0
LONG_NOTE = "unbroken" * 60
LONG_FILE = "plate-reader-export-" + "with-a-very-long-instrument-generated-name-" * 4 + ".csv"


@dataclass(frozen=True)
class Box:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    height: float


def text_boxes(pdf: bytes) -> list[Box]:
    """Every text line of every page with its bounding box in points (pdfminer.six)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    boxes = []
    for number, page in enumerate(extract_pages(io.BytesIO(pdf), laparams=LAParams()), 1):
        width, height = page.width, page.height
        stack = list(page)[::-1]
        while stack:
            item = stack.pop()
            if isinstance(item, LTTextLine):
                text = item.get_text().strip()
                if text:
                    boxes.append(Box(number, text, item.x0, item.y0, item.x1, item.y1,
                                     width, height))
            elif isinstance(item, LTTextContainer):
                stack.extend(list(item)[::-1])
    return boxes


def off_page(boxes: list[Box], side_mm: float = SIDE_MM) -> list[Box]:
    """Text that crosses the printable area: past a side margin or off the sheet."""
    tol = 1.0  # a point: glyph side bearings
    left, bad = side_mm * MM - tol, []
    for b in boxes:
        right = b.width - side_mm * MM + tol
        if b.x0 < left or b.x1 > right or b.y0 < 0 or b.y1 > b.height:
            bad.append(b)
    return bad


def crowded_record() -> RunRecord:
    """The sample record with a long unbroken note, a long file name and a wide table."""
    import dataclasses

    base = sample_record()
    columns = ("group", *(f"column_{i}_with_a_long_header" for i in range(11)))
    rows = tuple(ResultRow(f"group-{k}", tuple(f"{k * 1.2345:.4f} µM (95 % CI 0.1234–9.8765)"
                                                for _ in columns[1:]))
                 for k in range(4))
    wide = AnalysisRecord("densitometry", "band intensity / loading control", columns, rows,
                          headline=("summary: " + "normalised to beta-actin " * 6,))
    steps = list(base.steps)
    steps[0] = dataclasses.replace(steps[0], notes=(*steps[0].notes,
                                                    NoteRow("seed", LONG_NOTE, None, "ana", 7)))
    return dataclasses.replace(
        base, steps=tuple(steps),
        run_notes=(*base.run_notes, NoteRow(None, LONG_NOTE, None, "ben", 9)),
        attachments=(*base.attachments,
                     AttachmentRow(LONG_FILE[:60], LONG_FILE, 10**6, "ab" * 32, None, 11)),
        analyses=(*base.analyses, wide),
    )
