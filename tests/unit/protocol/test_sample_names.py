"""Sample names a reading can tell apart (review 13b, item 9).

Readings name their sample with case and spaces ignored, and ``;`` separates readings.
Before, controls ``DMSO`` and ``dmso`` both validated and ``dmso / 3 h #1`` was recorded
as ``DMSO / 3 h #1``; levels ``1 nM`` and ``1nM`` sent an exact ``1 nM / 3 h #1`` to
``1nM / 3 h #1``; a control named ``1 nM`` silently switched lysate naming off; and a
control named ``DMSO; 2`` could never be named.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elab.domain.protocol import protocol_from_tree
from elab.domain.protocol.samples import match_sample
from elab.domain.protocol.yamlsource import load_yaml
from elab.errors import ProtocolErrors

PFAK = (Path(__file__).resolve().parents[3] / "elab" / "protocols" /
        "western-blot-pfak.yaml").read_text(encoding="utf-8")
DMSO = "{name: DMSO, kind: vehicle, count: 3, for_each: time}"


def errors_in(old: str, new: str) -> list[str]:
    assert old in PFAK
    with pytest.raises(ProtocolErrors) as caught:
        protocol_from_tree(load_yaml(PFAK.replace(old, new, 1), "p.yaml"), "p.yaml")
    return [str(e) for e in caught.value.errors]


def test_controls_whose_names_differ_by_case_only_are_refused() -> None:
    assert errors_in(DMSO, f"{DMSO}\n    - {{name: dmso, kind: untreated, count: 3, "
                           "for_each: time}") == [
        "p.yaml:99:14: control 'dmso': its samples would be named 'dmso / 3 h', which is "
        "'DMSO / 3 h' of control 'DMSO' once case and spaces are ignored; readings name "
        "their sample, so give the control a name of its own"]


def test_a_control_named_like_a_level_is_refused_not_silently_unnamed() -> None:
    assert errors_in("{name: DMSO, kind: vehicle,", "{name: 1 nM, kind: vehicle,") == [
        "p.yaml:98:14: control '1 nM': its samples would be named '1 nM / 3 h', the name of "
        "a treated condition; readings name their sample, so give the control a name of its "
        "own"]


def test_a_control_holding_the_reading_separator_is_refused() -> None:
    assert errors_in("{name: DMSO, kind: vehicle,", '{name: "DMSO; 2", kind: vehicle,') == [
        "p.yaml:98:14: control 'DMSO; 2' holds ';', which separates readings (name=r1;r2), "
        "so no reading could name its samples"]


def test_an_exact_name_wins_over_a_loose_one() -> None:
    names = ("1 nM / 3 h #1", "1nM / 3 h #1")
    assert match_sample(names, "1 nM / 3 h #1") == "1 nM / 3 h #1"
    assert match_sample(names, "1nM / 3 h #1") == "1nM / 3 h #1"
    assert match_sample(("DMSO / 3 h #1", "dmso / 3 h #1"), "DMSO / 3 h #1") == "DMSO / 3 h #1"


@given(st.lists(st.sampled_from(["DMSO #1", "dmso #1", "DMSO#1", "1 nM #1", "1nM #1",
                                 "1 NM #1"]), min_size=1, max_size=6, unique=True),
       st.data())
def test_every_name_of_a_design_names_itself(names: list[str], data: st.DataObject) -> None:
    """Whatever else a name looks like, written exactly it is that sample."""
    name = data.draw(st.sampled_from(names))
    assert match_sample(tuple(names), name) == name
