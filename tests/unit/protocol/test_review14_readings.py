"""Review 14, R10 and R11: antibody volumes computed from their solution, and readings
taken once per slide (or per tumour) within their range."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import load_protocol
from elab.domain.protocol.derive import antibody_volumes
from elab.domain.runs.values import check_value
from elab.errors import ProtocolError

PROTOCOLS = Path(__file__).resolve().parents[3] / "protocols"


def _with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (PROTOCOLS / f"{name}.yaml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_ihc_antibody_lines_follow_the_slides() -> None:
    protocol = load_protocol(PROTOCOLS / "ihc-fak.yaml")
    lines = [v.line() for v in antibody_volumes(protocol.step("primary"), protocol)]
    assert lines == ["anti-FAK 1:200: 1 µL per slide in 200 µL × 7 slides = 7 µL",
                     "anti-p-FAK (Y397) 1:100: 2 µL per slide in 200 µL × 7 slides = 14 µL"]


@pytest.mark.parametrize(("name", "old", "new", "says"), [
    # the 1 µL the review found for 7 slides of 200 µL at 1:200
    ("ihc-fak", "{material: anti_fak, volume: 7 uL", "{material: anti_fak, volume: 1 uL",
     "is 7 µL, but the use says 1 µL"),
    # the 300 µL of undiluted anti-E-cadherin (50 µL × 6 coverslips)
    ("immunofluorescence-ecad", "{material: anti_ecad, volume: 1.5 uL",
     "{material: anti_ecad, volume: 300 uL", "is 1.5 µL, but the use says 300 µL"),
])
def test_a_written_antibody_volume_is_checked_against_its_solution(
    tmp_path: Path, name: str, old: str, new: str, says: str
) -> None:
    with pytest.raises(ProtocolError) as raised:
        load_protocol(_with(tmp_path, name, old, new))
    assert says in str(raised.value)


def test_an_h_score_past_300_is_a_deviation() -> None:
    step = load_protocol(PROTOCOLS / "ihc-fak.yaml").step("score")
    assert step.record["h_score"].per == "slide"
    assert step.record["h_score"].count == 16  # 2 antibodies × 2 arms × 3 + 2 + 2 controls
    assert check_value(step, "h_score", "450")[2] is not None
    assert check_value(step, "h_score", "150")[2] is None


def test_the_flow_count_takes_one_reading_per_tumour() -> None:
    spec = load_protocol(PROTOCOLS / "flow-cytometry-til.yaml").step("count").record["cell_count"]
    assert spec.count == 10  # 2 arms × 5 tumours; the bead and pooled controls have no digest
