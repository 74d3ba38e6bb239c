"""Control and bidirectional characters typed into a note or a sample's name reach an HTML
record (and the PDF made from it) as escapes, as the terminal shows them: never a raw ESC
that recolours a terminal, a BEL, or a U+202E that reverses what follows in the browser."""

from __future__ import annotations

from dataclasses import replace

from records_sample import sample_record

from elab.domain.plate.csvio import layout_from_csv
from elab.domain.records.model import DesignRecord, NoteRow, RunRecord, ValueRow
from elab.render.plate_map import plate_map_svg
from elab.render.record import record_html

TYPED = "red \x1b[31m bell \x07 flip \u202eabc"
RAW = ("\x1b", "\x07", "\u202e")


def _record_with_typed_text() -> RunRecord:
    record = sample_record()
    first = record.steps[0]
    step = replace(first, notes=(NoteRow("seed", TYPED),),
                   values=(*first.values,
                           ValueRow("od", "0.5 OD", sample=f"well DMSO{TYPED} #1")))
    return replace(record, steps=(step, *record.steps[1:]))


def test_html_shows_control_and_bidi_characters_as_escapes() -> None:
    html = record_html(_record_with_typed_text())
    assert not [c for c in RAW if c in html]
    assert r"red \u001b[31m bell \u0007 flip \u202eabc" in html  # the note, still legible
    assert r"well DMSO" in html and html.count(r"\u202e") >= 2  # the sample's name too


def test_a_plate_map_with_a_typed_condition_name_carries_no_raw_controls() -> None:
    layout = layout_from_csv("plate,well,condition,replicate,control\n"
                             f"1,A1,DMSO{TYPED},1,vehicle\n1,A2,drug,1,\n")
    svg = plate_map_svg(layout)
    record = replace(sample_record(), design=DesignRecord(("x",), 2, svg))
    html = record_html(record)
    assert not [c for c in RAW if c in svg or c in html]
    assert r"DMSO" in svg and r"\u001b" in svg
