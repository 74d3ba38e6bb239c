"""``elab import qpcr FILE.rdml`` and ``elab analyze ddct FILE.rdml`` from the shell."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from cli_calls import run

ROOT = Path(__file__).resolve().parents[2]
# RDML 1.4, two runs, a 384-well plate; sources and licences in tests/data/reader/SOURCE.md.
DILUTIONS = ROOT / "tests" / "data" / "reader" / "rdml_dna_dilutions_v1_4.rdml"


def test_ddct_straight_from_an_rdml_file(capsys: pytest.CaptureFixture[str]) -> None:
    # genomic DNA of different donors and amounts: the reference differs by 1.0 cycle between
    # Blood and Buccal Swap because the input did, so the stability limit is raised above it
    code, out, err = run(["analyze", "ddct", str(DILUTIONS), "-p", "reference=FSTL_1_H_201",
                          "-p", "control=Buccal Swap", "-p", "max_ref_shift=2", "--json"],
                         capsys)
    assert code == 0, err
    results = json.loads(out)["results"]
    blood = next(r for r in results
                 if r["condition"] == "Blood" and r["target"] == "FSTL_1_F_109")
    # By hand from the <cq> of run "P10 - DNA Dilutions" in rdml_data.xml (three technical
    # replicates per sample and target; ΔCt = mean FSTL_1_F_109 − mean FSTL_1_H_201 per
    # sample, reactions 19-24, 43-48, 67-72, 91-96, 115-120, 121-126, 127-132, 133-138):
    # Buccal Swap 1: mean(21.575161, 21.666113, 21.750017) − mean(21.530716, 21.558146,
    #   21.367905) = 21.66376 − 21.48559 = 0.17817;
    # Buccal Swap 2: mean(20.618885, 20.705463, 20.780846) − mean(20.739868, 20.715180,
    #   20.679653) = 20.70173 − 20.71157 = −0.00984;
    # Buccal Swap 3: mean(21.258980, 21.171116, 21.102026) − mean(20.911829, 21.169731,
    #   21.050900) = 21.17737 − 21.04415 = 0.13322;
    # Buccal Swap 4: mean(21.786865, 21.357597, 21.878500) − mean(21.576840, 21.647205,
    #   21.427002) = 21.67432 − 21.55035 = 0.12397;
    # Buccal Swap 5: mean(21.565084, 21.649660, 21.612309) − mean(21.038940, 21.348145,
    #   21.113379) = 21.60902 − 21.16682 = 0.44220;
    # Buccal Swap 6: mean(23.216415, 23.222643, 23.302717) − mean(23.072092, 23.170338,
    #   22.963863) = 23.24726 − 23.06876 = 0.17849;
    # Blood 7: mean(21.393755, 21.263105, 20.916822) − mean(20.477177, 19.828012, 20.651590)
    #   = 21.19123 − 20.31893 = 0.87230;
    # Blood 8: mean(20.883032, 20.982038, 20.488583) − mean(20.515488, 20.767672, 20.782745)
    #   = 20.78455 − 20.68864 = 0.09592;
    # ΔCt(Buccal Swap) = mean of six = 0.17437, ΔCt(Blood) = mean of two = 0.48411,
    # ΔΔCt = 0.48411 − 0.17437 = 0.30974, fold change = 2^-0.30974 = 0.80679.
    assert blood["dct"]["value"] == pytest.approx(0.48411, abs=1e-5)
    assert blood["ddct"]["value"] == pytest.approx(0.30974, abs=1e-5)
    assert blood["fold_change"]["value"] == pytest.approx(0.80679, abs=1e-5)
    assert (blood["n"], blood["technical"]) == (2, 6)


def test_import_qpcr_writes_the_rdml_ct_table(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    out_file = tmp_path / "ct.csv"
    code, out, err = run(["import", "qpcr", str(DILUTIONS), "--format", "rdml",
                          "--condition", "Blood 7=donor 7", "-o", str(out_file)],
                         capsys)
    assert code == 0, err
    assert "186 wells written" in out
    assert "396 standard reactions" in out
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "position,sample,condition,target,ct,role"
    assert ("P10 - DNA Dilutions A19,Buccal Swap 1,Buccal Swap,FSTL_1_F_109,21.575161,unknown"
            in lines)
    assert "P10 - DNA Dilutions F7,Blood 7,donor 7,FSTL_1_F_109,21.393755,unknown" in lines
    assert "P10 - DNA Dilutions F13,Blood 8,Blood,FSTL_1_F_109,20.883032,unknown" in lines


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
    code, _, err = run(["import", "qpcr", str(DILUTIONS)], capsys)
    assert code == 1
    assert "over the 1000 byte qPCR file limit" in err
