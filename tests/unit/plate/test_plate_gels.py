"""Lysates on gels: comparisons kept on one gel where they fit (note 12: "with 4 gels one
plate's lanes can split across two membranes"; before, nothing planned the lanes at all and
the protocol's text put 14 + 14 + 14 + 3 lysates on 4 gels, a 6-well plate across two)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.plate.gel_design import gel_plan_from_protocol
from elab.domain.plate.gels import LADDER, GelGroup, GelSpec, plan_gels
from elab.domain.protocol import load_protocol
from elab.errors import InputError

PROTOCOLS = Path(__file__).resolve().parents[3] / "elab" / "protocols"


@pytest.fixture(scope="module")
def pfak() -> object:
    return load_protocol(PROTOCOLS / "western-blot-pfak.yaml")


def replicates_on(plan: object, group: str) -> dict[str, set[int]]:
    """Gels each replicate (``3 h #1``) of a group runs on."""
    out: dict[str, set[int]] = {}
    for g in plan.spec.groups:  # type: ignore[attr-defined]
        if g.name == group:
            for label, samples in g.units:
                out[label] = {plan.gel_of(s) for s in samples}  # type: ignore[attr-defined]
    return out


def test_pfak_keeps_each_plate_with_its_dmso_on_one_gel(pfak: object) -> None:
    plan = gel_plan_from_protocol(pfak)
    assert len(plan.gels) == 5 and plan.kept == "unit"
    for time in ("3 h", "24 h", "48 h"):
        assert all(len(gels) == 1 for gels in replicates_on(plan, f"time {time}").values())
    gel1 = plan.gels[0].lanes
    assert gel1[:7] == (LADDER, "0.1 nM / 3 h #1", "1 nM / 3 h #1", "10 nM / 3 h #1",
                        "100 nM / 3 h #1", "DMSO / 3 h #1", "0.1 nM / 3 h #2")
    assert "the protocol's steps use 4 gels; keeping the comparisons together takes 5 " \
        "(--gels 4 shows which replicate is split)" in plan.notes
    assert ("time 3 h, time 24 h, time 48 h: 15 samples do not fit the 14 sample lanes of a "
            "15-well gel, so each is kept as whole replicates instead; a gel of 16 wells or "
            "more would hold each whole on one membrane") in plan.notes


def test_four_gels_say_which_plate_they_split(pfak: object) -> None:
    plan = gel_plan_from_protocol(pfak, gels=4)
    assert len(plan.gels) == 4 and plan.kept == "nothing"
    split = [label for label, gels in replicates_on(plan, "time 48 h").items()
             if len(gels) > 1]
    assert split == ["48 h #3"]
    assert any(n.startswith("4 gels cannot keep every replicate on one gel: 48 h #3 over "
                            "gels 4 and 1") and n.endswith("5 gels keep every replicate whole")
               for n in plan.notes)
    # four of its five lanes run beside the other 48 h replicates and their DMSO lanes
    assert sum(plan.gel_of(f"{d} / 48 h #3") == 4 for d in ("0.1 nM", "1 nM", "10 nM",
                                                             "100 nM", "DMSO")) == 4


def test_a_gel_wide_enough_holds_each_time_point_whole(pfak: object) -> None:
    plan = gel_plan_from_protocol(pfak, wells=17)
    assert len(plan.gels) == 3 and plan.kept == "group"
    assert [{s.split(" / ")[1].split(" #")[0] for s in g.lanes if s != LADDER}
            for g in plan.gels] == [{"3 h"}, {"24 h"}, {"48 h"}]


def test_too_few_gels_and_no_sample_lane_are_one_line_each(pfak: object) -> None:
    with pytest.raises(InputError, match=r"^45 samples need at least 4 gels of 14 sample "
                                         r"lanes \(15 wells, 1 for the ladder\); 3 given$"):
        gel_plan_from_protocol(pfak, gels=3)
    with pytest.raises(InputError, match="has no lane for a sample"):
        gel_plan_from_protocol(pfak, wells=1)


def test_the_emt_blot_runs_its_six_lysates_on_one_gel() -> None:
    plan = gel_plan_from_protocol(load_protocol(PROTOCOLS / "western-blot-emt.yaml"))
    assert [len(g.lanes) for g in plan.gels] == [7] and plan.kept == "group"


@st.composite
def specs(draw: st.DrawFn) -> GelSpec:
    wells = draw(st.integers(2, 20))
    ladder = draw(st.integers(0, 2))
    groups = []
    for g in range(draw(st.integers(1, 5))):
        units = tuple((f"g{g} #{u}", tuple(f"s{g}.{u}.{k}" for k in range(size)))
                      for u, size in enumerate(draw(st.lists(st.integers(1, 8), min_size=1,
                                                             max_size=4))))
        groups.append(GelGroup(f"group {g}", units))
    total = sum(len(g.samples) for g in groups)
    lanes = max(wells - ladder, 1)
    least = -(-total // lanes)
    gels = draw(st.one_of(st.none(), st.integers(least, least + 3)))
    return GelSpec(tuple(groups), max(wells, ladder + 1), ladder, gels)


@settings(max_examples=300, deadline=None)
@given(spec=specs())
def test_every_sample_one_lane_and_comparisons_whole_where_they_fit(spec: GelSpec) -> None:
    plan = plan_gels(spec)
    lanes = [s for g in plan.gels for s in g.lanes if s != LADDER]
    everyone = [s for g in spec.groups for s in g.samples]
    assert Counter(lanes) == Counter(everyone)  # each sample once, none forgotten
    for gel in plan.gels:
        assert len(gel.lanes) <= spec.wells
        assert gel.lanes[:spec.ladder] == (LADDER,) * spec.ladder
        assert LADDER not in gel.lanes[spec.ladder:]
    if spec.gels is not None:
        assert len(plan.gels) <= spec.gels
    units = [u for g in spec.groups for u in g.units]
    if plan.kept != "nothing":  # every replicate on one gel
        assert all(len({plan.gel_of(s) for s in samples}) == 1 for _, samples in units)
    if plan.kept == "group":
        assert all(len({plan.gel_of(s) for s in g.samples}) == 1 for g in spec.groups)
    if spec.gels is None and all(len(s) <= spec.lanes for _, s in units):
        assert plan.kept != "nothing"  # free to add gels, no replicate is ever split
        fit = [g for g in spec.groups if len(g.samples) <= spec.lanes]
        assert all(len({plan.gel_of(s) for s in g.samples}) == 1 for g in fit)


def test_gels_follow_the_bench_order_of_their_groups() -> None:
    small = GelGroup("time 3 h", (("3 h #1", ("a", "b", "c", "d", "e")),))
    big = GelGroup("time 24 h", (("24 h #1", tuple(f"x{i}" for i in range(12))),))
    plan = plan_gels(GelSpec((small, big), wells=15))
    assert [g.lanes[1] for g in plan.gels] == ["a", "x0"]  # gel 1 the first group, not the largest
