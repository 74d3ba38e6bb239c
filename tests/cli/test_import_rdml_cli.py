"""``elab import qpcr FILE.rdml`` and ``elab analyze ddct FILE.rdml`` from the shell."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from cli_calls import run

ROOT = Path(__file__).resolve().parents[2]
CFX = ROOT / "tests" / "data" / "reader" / "rdml_cfx384_gene_expression.rdml"


def test_ddct_straight_from_an_rdml_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["analyze", "ddct", str(CFX), "-p", "reference=Liver",
                          "-p", "control=Placebo", "--json"], capsys)
    assert code == 0, err
    results = json.loads(out)["results"]
    kidney = next(r for r in results
                  if r["condition"] == "Compound A" and r["target"] == "Kidney")
    # By hand from the <cq> of bio_rad_384.xml (reactions 10/34/58/82 Kidney and 6/30/54/78
    # Liver for Compound A; 9/33/57/81 and 5/29/53/77 for Placebo):
    # Compound A: Kidney mean(20.28737, 20.30991, 20.26741, 20.25274) = 20.27936,
    #   Liver mean(19.34285, 19.33999, 19.35391, 19.28522) = 19.33049, ΔCt = 0.94886;
    # Placebo: Kidney mean(19.27143, 19.28802, 19.31342, 19.31090) = 19.29594,
    #   Liver mean(18.30319, 19.55039, 18.28169, 18.30533) = 18.61015, ΔCt = 0.68579;
    # ΔΔCt = 0.26307, fold change = 2^-0.26307 = 0.83331.
    assert kidney["ddct"]["value"] == pytest.approx(0.26307, abs=1e-5)
    assert kidney["fold_change"]["value"] == pytest.approx(0.83331, abs=1e-5)


def test_import_qpcr_writes_the_rdml_ct_table(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    out_file = tmp_path / "ct.csv"
    code, out, err = run(["import", "qpcr", str(CFX), "--format", "rdml",
                          "--condition", "Compound A/B=combination", "-o", str(out_file)],
                         capsys)
    assert code == 0, err
    assert "36 wells written" in out
    assert "12 standard reactions" in out
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "position,sample,condition,target,ct,role"
    assert "A1,Placebo,Placebo,Brain,17.34829756,unknown" in lines
    assert "A11,Compound A/B,combination,Kidney,21.41373853,unknown" in lines


def _zip(member: str, text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, text)
    return out.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    (b"just some text, no XML\n", "not an RDML file (neither a zip archive nor XML)"),
    (_zip("notes.txt", "hello"), "a zip archive without rdml_data.xml"),
    (_zip("rdml_data.xml", "<rdml version='1.5' xmlns='http://www.rdml.org'/>"),
     "RDML version 1.5 is not read"),
])
def test_bad_rdml_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         content: bytes, message: str) -> None:
    bad = tmp_path / "bad.rdml"
    bad.write_bytes(content)
    for args in (["import", "qpcr", str(bad)],
                 ["analyze", "ddct", str(bad), "-p", "reference=Liver", "-p", "control=x"]):
        code, _, err = run(args, capsys)
        assert code == 1
        lines = err.strip().splitlines()
        assert message in lines[-1]
        assert not any("Traceback" in line for line in lines)


def test_rdml_files_are_read_bounded(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import elab.services.reader_import as service

    monkeypatch.setattr(service, "MAX_READER_BYTES", 1000)
    code, _, err = run(["import", "qpcr", str(CFX)], capsys)
    assert code == 1
    assert "over the 1000 byte qPCR file limit" in err
