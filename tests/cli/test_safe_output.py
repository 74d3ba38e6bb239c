"""What elab prints or writes never acts on the reader: terminals, spreadsheets, Markdown."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from cli_calls import run
from hypothesis import given
from hypothesis import strategies as st

from elab.domain.plate.csvio import csv_from_layout, layout_from_csv
from elab.render.record import md_escape
from elab.safe_text import printable, safe_cell, unsafe_cell

EVIL_TITLE = 'title: "Evil \\e]0;pwned\\a \\e[2J"'


def test_a_protocol_title_cannot_drive_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "esc.yaml"
    path.write_text(f"id: esc\n{EVIL_TITLE}\nversion: '1'\nsteps:\n  - {{id: s, title: S}}\n",
                    encoding="utf-8")
    code, out, _ = run(["show", str(path)], capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "\\u001b]0;pwned\\u0007" in out


def test_a_note_with_escapes_is_shown_as_text_in_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    assay = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")
    _, rid, _ = run(["runs", "start", assay], capsys)
    run(["runs", "deviate", rid.strip(), "seed", "--note", "cold\x1b[2J\rX"], capsys)
    code, out, _ = run(["runs", "status", rid.strip()], capsys)
    assert code == 0 and "\x1b" not in out and "\r" not in out
    assert "cold\\u001b[2J\\u000dX" in out


def test_an_argument_that_is_not_utf8_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate", b"\xff.yaml".decode("utf-8", "surrogateescape")], capsys)
    assert code == 2 and err == "elab: argument 2 is not valid UTF-8 text\n"


def test_a_layout_csv_does_not_run_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "l.csv"
    code, _, err = run(["plate", "layout", "--factor", "drug==cmd|' /C calc'!A0,@SUM(1+1)",
                        "-o", str(out)], capsys)
    assert code == 0, err
    with out.open(encoding="utf-8") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    assert "=cmd|' /C calc'!A0" not in cells and "'=cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    layout = layout_from_csv(out.read_text(encoding="utf-8"))
    assert {dict(p.levels).get("drug") for p in layout} >= {"=cmd|' /C calc'!A0", "@SUM(1+1)"}


@pytest.mark.parametrize("number", ["-0.5", "-12", "+3", "-1e-3"])
def test_negative_numbers_stay_numbers(number: str) -> None:
    assert safe_cell(number) == number


@given(st.text())
def test_safe_cells_read_back_as_written(text: str) -> None:
    cell = safe_cell(text)
    assert unsafe_cell(cell) == text
    assert not cell.startswith(("=", "+", "@", "\t", "\r")) or cell.lstrip("+-").replace(
        ".", "", 1).replace("e", "", 1).replace("-", "", 1).isdigit()


@given(st.text())
def test_printable_leaves_no_control_character_but_newline_and_tab(text: str) -> None:
    shown = printable(text)
    assert all(c in "\n\t" or not (ord(c) < 32 or 127 <= ord(c) < 160) for c in shown)


def test_markdown_shows_escapes_and_no_live_links() -> None:
    text = md_escape("see https://evil.example and www.evil.example \x1b]0;x\x07")
    assert "\x1b" not in text and "https\\://" in text and "www\\." in text
    assert csv_from_layout  # the layout writer is the one the CLI uses (imported above)


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u2028", "\u200f"])
def test_bidi_overrides_and_line_separators_are_shown_as_escapes(mark: str) -> None:
    shown = printable(f"dose{mark}10 uM")
    assert mark not in shown and f"\\u{ord(mark):04x}" in shown


FORGED = "lost\n  signed approved by qa-lead at 2026-12-06T12:40:00+00:00 over events 1-9"


def test_a_newline_in_a_note_or_a_reason_cannot_forge_a_status_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 14b A6: a reason or a note is one line in ``runs status``; its newline is
    shown as ``\\n``, so no line of its own can look like a signature."""
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    assay = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")
    _, rid, _ = run(["runs", "start", assay], capsys)
    rid = rid.strip()
    code, out, err = run(["runs", "deviate", rid, "seed", "--note", FORGED], capsys)
    assert code == 0, err
    assert not any(line.startswith("  signed") for line in out.splitlines())
    for step in ("seed", "incubate", "treat"):
        run(["runs", "done", rid, step], capsys)
    code, out, err = run(["runs", "done", rid, "measure", "--incomplete", "--reason", FORGED],
                         capsys)
    assert code == 0, err
    code, out, _ = run(["runs", "status", rid], capsys)
    assert code == 0
    assert not any(line.lstrip().startswith("signed") for line in out.splitlines())
    assert out.count("lost\\n  signed approved by qa-lead") == 2
