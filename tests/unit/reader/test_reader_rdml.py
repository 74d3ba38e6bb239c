"""RDML files through rdmlpython to the ddct Ct table (fixtures: real RDML files, sources and
licences in tests/data/reader/SOURCE.md)."""

from __future__ import annotations

import io
import re
import statistics
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.analysis.ddct_checks import is_negative_control
from elab.domain.reader import ct_records, qpcr_rows_from_bytes
from elab.domain.reader.qpcr import CtRow
from elab.domain.reader.rdml import ct_rows_from_rdml
from elab.domain.reader.rdml_file import looks_like_rdml, rdml_text_from_bytes
from elab.errors import InputError

DATA = Path(__file__).parents[2] / "data" / "reader"
DILUTIONS = DATA / "rdml_dna_dilutions_v1_4.rdml"
STEPONE = DATA / "rdml_stepone_std_v1_0.rdml"
OC3 = DATA / "rdml_optical_calibrator_v1_4.rdml"
NS = {"r": "http://www.rdml.org"}


def zipped(xml: str, member: str = "rdml_data.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, xml)
    return out.getvalue()


def xml_of(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(archive.namelist()[0]).decode("utf-8")


@pytest.fixture(scope="module")
def dilutions() -> tuple[list[CtRow], list[str]]:
    """The DNA-dilution file read once: its dPCR run has no Cq, so LinRegPCR takes ~12 s."""
    return qpcr_rows_from_bytes(DILUTIONS.read_bytes(), DILUTIONS.name)


def test_dilutions_ct_table_as_read_by_hand_from_the_xml(
        dilutions: tuple[list[CtRow], list[str]]) -> None:
    rows, notes = dilutions
    assert notes[0] == f"{DILUTIONS.name}: format rdml (guessed; give --format to choose)"
    # Run "P10 - DNA Dilutions" carries <cq>; run "p11 - dPCR" only curves.
    assert any(n.startswith(f"{DILUTIONS.name} run p11 - dPCR: Cq computed from the "
                            "amplification curves by rdmlpython's LinRegPCR") for n in notes)
    assert "left out (not samples of the comparison): 396 standard reactions" in notes
    # 582 reactions in two runs, 396 of them the genomic DNA standards (type std).
    assert len(rows) == 186
    by_well = {r.well: r for r in rows}
    # Read by hand in rdml_data.xml, run "P10 - DNA Dilutions" (pcrFormat 16 rows × 24
    # columns, reactions numbered along the rows): <react id="19"><sample id="Buccal Swap 1"/>
    # <data><tar id="FSTL_1_F_109"/><cq>21.575161 (row A, column 19: A19); react 127 (F7)
    # Blood 7 / FSTL_1_F_109 21.393755; react 138 (F18) Blood 8 / FSTL_1_H_201 20.782745.
    a19 = by_well["P10 - DNA Dilutions A19"]
    f7, f18 = by_well["P10 - DNA Dilutions F7"], by_well["P10 - DNA Dilutions F18"]
    assert (a19.sample, a19.condition, a19.target, a19.ct, a19.role) == (
        "Buccal Swap 1", "Buccal Swap", "FSTL_1_F_109", 21.575161, "unknown")
    assert (f7.sample, f7.condition, f7.target, f7.ct) == (
        "Blood 7", "Blood", "FSTL_1_F_109", 21.393755)
    assert (f18.sample, f18.target, f18.ct) == ("Blood 8", "FSTL_1_H_201", 20.782745)
    # "genomic DNA 0ng" is typed ntc; the standards (0.2 to 20 ng) are left out.
    assert {r.role for r in rows if r.sample == "genomic DNA 0ng"} == {"NTC"}
    standards = {"genomic DNA 0.2ng", "genomic DNA 0.7ng", "genomic DNA 2ng",
                 "genomic DNA 7ng", "genomic DNA 20ng"}
    assert not standards & {r.sample for r in rows}
    assert "position" in ct_records(rows)[0]  # one target per well


def test_an_xml_member_not_named_rdml_data_xml_is_read_and_named() -> None:
    renamed = zipped(xml_of(OC3), "experiment_oc_3.xml")
    rows, notes = qpcr_rows_from_bytes(renamed, "renamed.rdml")
    assert "renamed.rdml: read experiment_oc_3.xml (the archive has no rdml_data.xml)" in notes
    assert len(rows) == 42  # as from the file itself


def test_reference_targets_declared_in_the_file_are_named() -> None:
    xml, n = re.subn(r'(<target id="qPCRa"><type>)toi', r"\1ref", xml_of(OC3))
    assert n == 1
    _, notes = ct_rows_from_rdml(zipped(xml), "ref.rdml")
    assert "reference targets declared in the file: qPCRa" in notes
    _, notes = ct_rows_from_rdml(OC3.read_bytes(), OC3.name)
    assert not any(n.startswith("reference targets") for n in notes)


def test_rdml_1_0_wells_and_the_ntc_type_as_role() -> None:
    rows, notes = ct_rows_from_rdml(STEPONE.read_bytes(), STEPONE.name)
    ntc = [r for r in rows if r.role == "NTC"]
    # stepone_std.rdml: react A1-A3 are sample "NTC_RNase P" (type ntc) with <cq>40.0</cq>.
    assert [(r.well, r.sample, r.ct) for r in ntc] == [
        ("A1", "NTC_RNase P", 40.0), ("A2", "NTC_RNase P", 40.0), ("A3", "NTC_RNase P", 40.0)]
    # ddct knows the well as a negative control by its role, not by the sample's name.
    assert is_negative_control(ntc[0].sample, ntc[0].condition) == ""
    assert is_negative_control(ntc[0].sample, ntc[0].condition, ntc[0].role) == "NTC"
    assert "left out (not samples of the comparison): 15 standard reactions" in notes


def test_nrt_samples_are_no_rt_and_conditions_can_be_named() -> None:
    xml, n = re.subn(r'(<sample id="pop2_RNase P">\s*<type>)unkn', r"\1nrt", xml_of(STEPONE))
    assert n == 1
    rows, _ = ct_rows_from_rdml(zipped(xml), "x.rdml", {"pop1_RNase P": "vehicle"})
    roles = {r.sample: (r.role, r.condition) for r in rows}
    assert roles["pop2_RNase P"] == ("no-RT", "pop2_RNase P")
    assert roles["pop1_RNase P"] == ("unknown", "vehicle")


def test_rdml_1_4_is_read_as_1_3_with_every_cq_as_in_the_xml() -> None:
    rows, notes = ct_rows_from_rdml(OC3.read_bytes(), OC3.name)
    assert any("RDML 1.4 read as 1.3" in n for n in notes)
    # Independently of rdmlpython: every reaction's target and <cq> in the XML (-1 is RDML's
    # "not available", so undetermined).
    root = ET.fromstring(xml_of(OC3))
    expected = []
    for react in root.iter(f"{{{NS['r']}}}react"):
        for data in react.findall("r:data", NS):
            cq = float(data.findtext("r:cq", namespaces=NS) or "-1")
            expected.append((data.find("r:tar", NS).get("id"), cq if cq > 0 else None))  # type: ignore[union-attr]
    assert sorted(((r.target, r.ct) for r in rows), key=str) == sorted(expected, key=str)
    assert len(rows) == 42
    e6 = next(r for r in rows if r.target == "FSTL1-E6")
    assert e6.ct == 23.007  # <react id="78"> ... <tar id="FSTL1-E6"/><cq>23.007</cq>
    assert e6.well == "D6"  # reaction 78 on a 16 × 24 plate: row 4 (D), column 6


def test_amplification_curves_without_cq_get_linregpcr_cq() -> None:
    xml = re.sub(r"<cq>[^<]*</cq>", "", xml_of(OC3))
    rows, notes = ct_rows_from_rdml(zipped(xml), "raw.rdml")
    assert any("LinRegPCR (Ruijter et al. 2009" in n for n in notes)
    import numpy

    assert "NaN" not in vars(numpy)  # the name NumPy 2 removed is given to rdmlpython only

    def mean(rs: list, target: str) -> float:  # type: ignore[type-arg]
        return statistics.fmean(r.ct for r in rs if r.target == target)

    determined = [r for r in rows if r.ct is not None]
    assert {r.target for r in determined} == {"FSTL1-E6", "FSTL1-E10", "qPCRa"}
    # The MYH6 dilutions never amplify (the file's own Cq is -1 for all 33 of them).
    assert sum(1 for r in rows if r.ct is None) == 33
    # LinRegPCR's absolute Cq depends on its threshold, but the difference between two
    # targets of one sample does not: the file's own Cq give FSTL1-E10 − FSTL1-E6 =
    # mean(24.057, 24.372, 24.618) − mean(23.007, 23.036, 23.030) = 1.325 cycles.
    assert mean(determined, "FSTL1-E10") - mean(determined, "FSTL1-E6") == pytest.approx(
        1.325, abs=0.25)


def test_rdml_1_0_curves_without_cq_are_refused() -> None:
    xml = re.sub(r"<cq>[^<]*</cq>", "", xml_of(STEPONE))
    with pytest.raises(InputError, match="holds amplification curves but no Cq") as err:
        ct_rows_from_rdml(zipped(xml), "old.rdml")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("data", "message"), [
    (b"Well,Sample,Cq\nA1,x,20\n", "not an RDML file (neither a zip archive nor XML)"),
    (zipped("hello", "readme.txt"), "a zip archive without rdml_data.xml"),
    (b"<?xml version='1.0'?><plate/>", "no <rdml> root element"),
    (b"<rdml version='2.0' xmlns='http://www.rdml.org'></rdml>",
     "RDML version 2.0 is not read (rdmlpython reads 1.0-1.3, elab also 1.4); export the "
     "run as RDML 1.3 from the instrument software"),
    (b"<rdml version='1.3' xmlns='http://www.rdml.org'><sample", "rdmlpython cannot read it"),
    (b"PK\x03\x04junk", "a damaged zip archive"),
])
def test_bad_files_are_one_line_input_errors(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as err:
        ct_rows_from_rdml(data, "bad.rdml")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_the_xml_size_is_checked_before_it_is_inflated() -> None:
    bomb = zipped("<rdml version='1.3'>" + " " * 2_000_000 + "</rdml>")
    assert len(bomb) < 20_000
    with pytest.raises(InputError, match="inflates to 2000027 bytes, over the 1000000 byte"):
        rdml_text_from_bytes(bomb, "bomb.rdml", limit=1_000_000)


def test_guessing_knows_rdml_by_name_member_or_root() -> None:
    assert looks_like_rdml(b"", "run.RDML")
    assert looks_like_rdml(zipped("<rdml/>"), "export.zip")
    assert looks_like_rdml(b"<?xml version='1.0'?>\n<rdml version='1.3'>", "rdml_data.xml")
    assert not looks_like_rdml(zipped("x", "xl/workbook.xml"), "plate.xlsx")
    assert not looks_like_rdml(b"Well,Cq\n", "ct.csv")


_HEAD = st.sampled_from([
    '<sample id="s"><type>unkn</type></sample>', '<sample id="n"><type>ntc</type></sample>',
    "<sample><type>std</type></sample>", '<target id="t"><type>ref</type></target>', ""])
_FORMAT = st.sampled_from([
    "", "<pcrFormat><rows>8</rows><columns>12</columns><rowLabel>ABC</rowLabel></pcrFormat>",
    "<pcrFormat><rows>x</rows><columns>0</columns></pcrFormat>"])
_REACT = st.sampled_from(['<react id="1">', '<react id="99">', "<react>"])
_SAMPLE = st.sampled_from(['<sample id="s"/>', '<sample id="n"/>', "<sample/>", ""])
_TAR = st.sampled_from(['<tar id="t"/>', "<tar/>", ""])
_VALUE = st.sampled_from([
    "<cq>21.5</cq>", "<cq>-1</cq>", "<cq>x</cq>", "<excl>bad</excl>",
    "<adp><cyc>1</cyc><fluor>2.5</fluor></adp>", "<adp><cyc>2</cyc><fluor>a</fluor></adp>",
    "<adp/>"])


@st.composite
def rdml_junk(draw: st.DrawFn) -> str:
    """An RDML-shaped document whose elements may lack ids or hold non-numbers."""
    reacts = "".join(
        draw(_REACT) + draw(_SAMPLE)
        + "".join(f"<data>{draw(_TAR)}{''.join(draw(st.lists(_VALUE, max_size=4)))}</data>"
                  for _ in range(draw(st.integers(0, 2))))
        + "</react>"
        for _ in range(draw(st.integers(0, 3))))
    head = "".join(draw(st.lists(_HEAD, max_size=4)))
    version = draw(st.sampled_from(["1.0", "1.1", "1.3", "1.4"]))
    return (f'<rdml version="{version}" xmlns="http://www.rdml.org">{head}<experiment id="e">'
            f'<run id="r">{draw(_FORMAT)}{reacts}</run></experiment></rdml>')


@settings(max_examples=120, deadline=None)
@given(rdml_junk())
def test_any_rdml_shaped_junk_is_a_table_or_one_line(xml: str) -> None:
    try:
        rows, notes = ct_rows_from_rdml(zipped(xml), "fuzz.rdml")
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert rows and all(r.ct is None or r.ct > 0 for r in rows)
    assert all("\n" not in n for n in notes)


def test_a_run_without_cq_or_curves_is_left_out_of_a_file_with_others() -> None:
    xml = xml_of(STEPONE)
    empty_run = '<run id="melt only"><react id="B1"><sample id="pop1_RNase P"/></react></run>'
    xml, n = re.subn(r"</run>", "</run>" + empty_run, xml, count=1)
    assert n == 1
    rows, notes = ct_rows_from_rdml(zipped(xml), "two.rdml")
    assert "two.rdml run melt only: holds neither Cq values nor amplification curves; left out" \
        in notes
    assert rows[0].well.endswith(" A1")  # wells named with their run when there are several
    with pytest.raises(InputError, match="no run holds Cq values or amplification curves"):
        ct_rows_from_rdml(zipped(re.sub(r"<run .*</run>", empty_run + empty_run.replace(
            "melt only", "other"), xml, flags=re.S)), "none.rdml")


def test_a_type_given_per_target_wins_over_the_sample_type() -> None:
    xml, n = re.subn(r'(<sample id="FSTL1-E6"><type>unkn</type>)',
                     r'\1<type targetId="FSTL1-E6">ntc</type>', xml_of(OC3))
    assert n == 1
    rows, _ = ct_rows_from_rdml(zipped(xml), "typed.rdml")
    assert {r.role for r in rows if r.sample == "FSTL1-E6"} == {"NTC"}
    assert {r.role for r in rows if r.sample == "FSTL1-E10"} == {"unknown"}
