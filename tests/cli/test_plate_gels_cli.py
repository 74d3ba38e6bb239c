"""``elab plate gels``: a design's lysates on gels, lane by lane, from the shell."""

from __future__ import annotations

import json

import pytest
from cli_calls import run


def test_pfak_on_the_gels_that_keep_each_plate_whole(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "gels", "western-blot-pfak"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("45 samples on 5 gels of 15 wells")
    assert "gel 5: 5 of 14 sample lanes" in lines
    assert "  lane 1   ladder" in lines and "  lane 6   DMSO / 48 h #3" in lines
    assert max(len(line) for line in lines) <= 80


def test_json_names_every_lane_and_four_gels_say_what_they_split(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["plate", "gels", "western-blot-pfak", "--gels", "4", "--json"],
                         capsys)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["kept"] == "nothing" and len(plan["gels"]) == 4
    assert sum(len(g["lanes"]) for g in plan["gels"]) == 45 + 4
    assert any("48 h #3 over gels 4 and 1" in n for n in plan["notes"])


def test_too_few_gels_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["plate", "gels", "western-blot-pfak", "--gels", "3"], capsys)
    assert (code, err.strip()) == (1, "elab: 45 samples need at least 4 gels of 14 sample "
                                      "lanes (15 wells, 1 for the ladder); 3 given")


@pytest.mark.parametrize("args", [["--wells", "99999999999999999999999"], ["--gels", "100000"]])
def test_absurd_gel_sizes_are_refused_in_one_line(
        args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["plate", "gels", "western-blot-pfak", *args], capsys)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and ("1 to 60" in err or "200 gels" in err)
