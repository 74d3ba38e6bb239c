"""The HTML record printed by headless Chromium (Debian's ``chromium``) fits A4 and Letter.

A record is often printed from a browser rather than through ``elab record -f pdf``; the
print stylesheet must hold there too.  ``.ci/run`` installs chromium; where it is missing
this test fails and says how to install it, so a green run always means it printed.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pdf_boxes import LONG_FILE, MM, crowded_record, off_page, text_boxes
from pypdf import PdfReader
from records_sample import sample_record

from elab.domain.records import DesignRecord
from elab.render.record import record_html, record_pdf

DATA = Path(__file__).parent / "data"
SIZES = {"A4": (595.3, 841.9), "letter": (612.0, 792.0)}


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("headless Chromium is needed to test the browser print of records: "
                    "apt-get install -y chromium (.ci/run does this)")
    return found


def print_pdf(html: str, tmp_path: Path) -> bytes:
    page = tmp_path / "record.html"
    page.write_text(html, encoding="utf-8")
    out = tmp_path / "record.pdf"
    subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={out}", page.as_uri()],
        check=True, capture_output=True, timeout=300,
    )
    return out.read_bytes()


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_chromium_print_keeps_every_text_on_the_page(paper: str, tmp_path: Path) -> None:
    record = crowded_record()
    pdf = print_pdf(record_html(record, paper=paper), tmp_path)  # type: ignore[arg-type]
    pages = PdfReader(io.BytesIO(pdf)).pages
    width, height = SIZES[paper]
    assert all(abs(float(p.mediabox.width) - width) < 1 and
               abs(float(p.mediabox.height) - height) < 1 for p in pages)
    weasy = len(PdfReader(io.BytesIO(record_pdf(record, paper=paper))).pages)  # type: ignore[arg-type]
    assert abs(len(pages) - weasy) <= 1, (len(pages), weasy)
    boxes = text_boxes(pdf)
    squeezed = "".join("".join(b.text.split()) for b in boxes)
    assert "unbroken" * 60 in squeezed and LONG_FILE in squeezed
    assert "column_10_with_a_long_header" in squeezed
    bad = off_page(boxes)
    assert not bad, [(b.page, b.text[:40], round(b.x0), round(b.x1)) for b in bad[:5]]


def test_the_plate_map_is_small_enough_not_to_leave_half_a_page_empty(tmp_path: Path) -> None:
    from elab.domain.plate.csvio import layout_from_csv
    from elab.render.plate_map import plate_map_svg

    layout = layout_from_csv((DATA / "seeding-layout.csv").read_text(encoding="utf-8"))
    base = sample_record()
    assert base.design is not None
    record = dataclasses.replace(
        base, design=DesignRecord(base.design.lines, base.design.samples, plate_map_svg(layout)))
    pdf = print_pdf(record_html(record, paper="A4"), tmp_path)
    boxes = text_boxes(pdf)
    design = next(b for b in boxes if b.text.strip() == "Design")
    after = next(b for b in boxes if b.text.strip() == "Analysis")
    # Kept whole, the map moves to the next page when it does not fit; at most 9 cm high
    # it fits under most content (it was 16 cm, and half a page went empty before it).
    # The map is drawn as paths, so where it went is read from the heading after it: on the
    # design's page, or at the very top of the next one (something else did not fit); had the
    # map been pushed over, the next heading would stand below it, half a page down.
    if after.page == design.page:
        assert (design.y0 - after.y1) / MM < 90 + 25
    else:
        assert after.page == design.page + 1
        assert (after.height - after.y1) / MM < 40
    assert not off_page(boxes)
