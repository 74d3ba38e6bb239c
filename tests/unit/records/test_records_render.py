"""The record renderer: escaping in every format, the sandbox, the fetcher, the warnings."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from records_sample import sample_record

from elab.errors import InputError
from elab.render.record import (
    EmbeddedOnlyFetcher,
    css_string,
    md_escape,
    record_html,
    record_markdown,
    record_pdf,
)


class Page(HTMLParser):
    """Tags, attributes and text of an HTML page, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "style":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_html_escapes_hostile_text_and_shows_it_as_text() -> None:
    page = parse(record_html(sample_record()))
    assert [t for t, _ in page.tags].count("script") == 0
    imgs = [a for t, a in page.tags if t == "img"]
    assert imgs and all((a.get("src") or "").startswith("data:image/png;base64,") for a in imgs)
    assert not [t for t, _ in page.tags if t == "a"]
    assert "<script>alert(1)</script>" in page.plain
    assert '<img src="file:///etc/passwd">' in page.plain


def test_html_shows_values_deviations_lots_and_signatures() -> None:
    plain = parse(record_html(sample_record())).plain
    for text in ("4.8e4 cells", "72 %", "out of range", "Deviation D1 (auto)", "LOT-42",
                 "2027-01-31", "Ana Lima", "performed", "valid, covers the whole run",
                 "overridden", "skipped", "no antibody left", "12.3 nM", "ef" * 32):
        assert text in plain, text
    assert "WARNING" not in plain


def test_markdown_escapes_markup() -> None:
    md = record_markdown(sample_record())
    assert "<script>" not in md and "\\<script\\>" in md
    assert "[link](" not in md and "\\[link\\](" in md
    assert "**bold**" not in md
    assert "Ana Lima" in md and "LOT-42" in md and "**OUT OF RANGE**" in md


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", "a\\|b"),
        ("# heading", "\\# heading"),
        ("1. first", "1\\. first"),
        ("1.5 mL", "1.5 mL"),
        ("cells_per_well", "cells_per_well"),
        ("_x_", "\\_x\\_"),
        ("line\nbreak", "line break"),
        ("&lt;", "\\&lt;"),
        ("`code`", "\\`code\\`"),
        ("$x$", "\\$x\\$"),
    ],
)
def test_md_escape(text: str, expected: str) -> None:
    assert md_escape(text) == expected


def test_css_string_cannot_break_out() -> None:
    out = str(css_string('x";} </style><script>'))
    assert out.startswith('"') and out.endswith('"')
    assert "<" not in out and '";' not in out


def test_pdf_has_the_facts_and_fetches_nothing() -> None:
    fetcher = EmbeddedOnlyFetcher()
    text = pdf_text(record_pdf(sample_record(), fetcher=fetcher))
    assert fetcher.refused == []
    for item in ("4.8e4 cells", "LOT-42", "Ana Lima", "Deviation D1", "<script>alert(1)</script>",
                 "r-20261123-0001", "Page 1 of"):
        assert item in text, item


def test_fetcher_refuses_files_and_network() -> None:
    fetcher = EmbeddedOnlyFetcher()
    for url in ("file:///etc/passwd", "http://example.invalid/x.png", "/etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.refused == ["file:///etc/passwd", "http://example.invalid/x.png", "/etc/passwd"]
    assert fetcher.fetch("data:text/plain,hi%21") == (b"hi!", "text/plain")


def test_a_lab_template_that_emits_a_file_url_still_fetches_nothing(tmp_path: Path) -> None:
    (tmp_path / "letterhead.html.j2").write_text(
        '<p>Smith lab</p><img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="http://example.invalid/x.css">', encoding="utf-8")
    fetcher = EmbeddedOnlyFetcher()
    text = pdf_text(record_pdf(sample_record(), lab_templates=tmp_path, fetcher=fetcher))
    assert "Smith lab" in text
    assert "file:///etc/passwd" in fetcher.refused
    assert "root:" not in text


def test_lab_template_overrides_and_extends(tmp_path: Path) -> None:
    (tmp_path / "record.html.j2").write_text(
        '{% extends "elab/record.html.j2" %}{% block letterhead %}<h1>Smith lab {{ r.run_id }}'
        "</h1>{% endblock %}", encoding="utf-8")
    plain = parse(record_html(sample_record(), lab_templates=tmp_path)).plain
    assert "Smith lab r-20261123-0001" in plain and "Ana Lima" in plain


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ r.__class__.__init__.__globals__ }}",
        "{{ ().__class__.__base__.__subclasses__() }}",
        "{{ r.steps.__class__.__mro__[1].__subclasses__() }}",
    ],
)
def test_sandbox_blocks_python_internals(tmp_path: Path, source: str) -> None:
    (tmp_path / "letterhead.html.j2").write_text(source, encoding="utf-8")
    with pytest.raises(InputError, match="template"):
        record_html(sample_record(), lab_templates=tmp_path)


def test_broken_lab_template_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "record.md.j2").write_text("{% for %}", encoding="utf-8")
    with pytest.raises(InputError, match=r"record\.md\.j2:1"):
        record_markdown(sample_record(), lab_templates=tmp_path)


def test_unverified_chain_renders_a_prominent_warning_everywhere() -> None:
    record = sample_record(chain_ok=False)
    page = parse(record_html(record))
    assert any(a.get("id") == "chain-warning" for _, a in page.tags)
    assert "does not verify" in page.plain and "event 7: hash mismatch" in page.plain
    assert "WARNING: this run's event chain does not verify" in record_markdown(record)
    text = pdf_text(record_pdf(record))
    assert "WARNING" in text and "NOT VERIFIED" in text


def test_signature_that_no_longer_covers_the_run_is_marked() -> None:
    record = sample_record(signatures_cover=False)
    plain = parse(record_html(record)).plain
    assert "does not cover later events" in plain and "no longer cover the whole run" in plain
    assert "does not cover later events" in record_markdown(record)
