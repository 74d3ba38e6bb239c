"""BCA readings belong to named lysates, not to the order they were typed in.

The p-FAK design has 45 lysates (4 doses x 3 times x 3 replicates + 3 time-matched DMSO
controls x 3); each is named as the plate layout names its well (``10 nM / 24 h #2``).  A
reading names its lysate or takes the next one without a reading; the loading volume of a
lysate is computed from its own reading alone.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.runs import make_event
from elab.domain.runs.derived import DerivedValue, derived_for_run, step_derived_lines
from elab.domain.runs.kinds import Unreadable, ValueRecorded, decode
from elab.errors import InputError, NotFoundError, RunStateError
from elab.services.runs import RunService

MG_ML = "milligram / milliliter"


def volumes(service: RunService, run: str, name: str = "loading_volume") -> dict[str, float | None]:
    found: DerivedValue = next(v for v in derived_for_run(service.state(run))["denature"]
                               if v.name == name)
    return {s.sample: s.value for s in found.samples}


@pytest.fixture
def run(service: RunService) -> str:
    return service.start("western-blot-pfak", {"protein_per_lane": "20 ug"})


def test_readings_typed_out_of_order_give_each_lysate_its_own_volume(
    service: RunService, run: str,
) -> None:
    """Lysate 7's reading typed before lysate 6's: each lane keeps its own volume."""
    service.record_values(run, "bca", [("protein_conc", "1 nM / 3 h #2: 1.6 mg/mL")])
    service.record_values(run, "bca", [("protein_conc", "0.1 nM / 3 h #2: 2 mg/mL")])
    got = volumes(service, run)
    assert got["0.1 nM / 3 h #2"] == pytest.approx(10.0)  # 20 µg / 2 mg/mL
    assert got["1 nM / 3 h #2"] == pytest.approx(12.5)  # 20 µg / 1.6 mg/mL
    assert got["0.1 nM / 3 h #1"] is None
    assert len(got) == 45
    values = [v for v in service.state(run).values]
    assert [v.sample for v in values] == ["1 nM / 3 h #2", "0.1 nM / 3 h #2"]


def test_an_unnamed_reading_takes_the_next_lysate_without_one(
    service: RunService, run: str,
) -> None:
    service.record_values(run, "bca", [("protein_conc", "0.1 nM / 3 h #1: 2")])
    service.record_values(run, "bca", [("protein_conc", "2.5; 1.6")])
    samples = [v.sample for v in service.state(run).current_values()]
    assert samples == ["0.1 nM / 3 h #1", "1 nM / 3 h #1", "10 nM / 3 h #1"]


def test_names_are_read_without_regard_to_case_or_spaces(service: RunService, run: str) -> None:
    service.record_values(run, "bca", [("protein_conc", "dmso/48h#3: 2")])
    assert service.state(run).current_values()[0].sample == "DMSO / 48 h #3"


def test_an_unknown_lysate_is_refused_with_the_closest_names(
    service: RunService, run: str,
) -> None:
    with pytest.raises(NotFoundError, match=r"unknown lysate 'DMSO / 3 h #4' \(did you mean"):
        service.record_values(run, "bca", [("protein_conc", "DMSO / 3 h #4: 2 mg/mL")])
    assert service.state(run).values == []


def test_a_second_reading_for_a_lysate_is_refused(service: RunService, run: str) -> None:
    service.record_values(run, "bca", [("protein_conc", "1 nM / 3 h #1: 2")])
    with pytest.raises(InputError, match=r"already has its protein_conc reading \(#2\)"):
        service.record_values(run, "bca", [("protein_conc", "1 nM / 3 h #1: 3")])
    with pytest.raises(InputError, match="given two protein_conc readings"):
        service.record_values(run, "bca", [("protein_conc", "0.1 nM / 3 h #1: 2; "
                                                            "0.1 nM / 3 h #1: 3")])
    assert len(service.state(run).values) == 1


def test_a_value_not_read_per_lysate_cannot_name_one(service: RunService, run: str) -> None:
    with pytest.raises(InputError, match="not read per sample"):
        service.record_values(run, "denature", [("loaded", "DMSO / 3 h #1: 20 ug")])


def test_when_every_lysate_has_its_reading_an_unnamed_one_is_refused(
    service: RunService, run: str,
) -> None:
    service.record_values(run, "bca", [("protein_conc", ";".join(["2"] * 45))])
    with pytest.raises(RunStateError, match="every lysate has its protein_conc reading"):
        service.record_values(run, "bca", [("protein_conc", "2")])


def test_a_correction_corrects_that_lysate_only(service: RunService, run: str) -> None:
    service.record_values(run, "bca", [("protein_conc", "2; 1.6; 2.5")])
    first = service.state(run).current_values()[0]
    service.correct(run, first.seq, [("protein_conc", "14")], "misread")
    (deviation,) = service.state(run).deviations  # 14 mg/mL is out of range: named
    assert deviation.note.endswith("(0.1 nM / 3 h #1)")
    service.correct(run, service.state(run).current_values()[-1].seq,
                    [("protein_conc", "4")], "misread again")
    got = volumes(service, run)
    assert [got[n] for n in ("0.1 nM / 3 h #1", "1 nM / 3 h #1", "10 nM / 3 h #1")] == (
        pytest.approx([5.0, 12.5, 8.0]))


def test_a_correction_may_move_a_reading_to_the_lysate_it_belongs_to(
    service: RunService, run: str,
) -> None:
    service.record_values(run, "bca", [("protein_conc", "0.1 nM / 3 h #1: 2")])
    seq = service.state(run).current_values()[0].seq
    service.correct(run, seq, [("protein_conc", "1 nM / 3 h #1: 2")], "wrong tube")
    got = volumes(service, run)
    assert got["0.1 nM / 3 h #1"] is None and got["1 nM / 3 h #1"] == pytest.approx(10.0)


def test_a_missing_reading_leaves_a_null_with_the_reason_and_shifts_nothing(
    service: RunService, run: str,
) -> None:
    service.record_values(run, "bca", [("protein_conc", "0.1 nM / 3 h #1: 2; 10 nM / 3 h #1: 2.5")])
    state = service.state(run)
    loading = next(v for v in derived_for_run(state)["denature"] if v.name == "loading_volume")
    gap = loading.samples[1]
    assert (gap.sample, gap.value, gap.reason) == ("1 nM / 3 h #1", None,
                                                     "no protein_conc reading")
    assert [s.value for s in loading.samples[:3]] == [pytest.approx(10.0), None,
                                                      pytest.approx(8.0)]
    water = volumes(service, run, "water_volume")
    assert water["10 nM / 3 h #1"] == pytest.approx(16.0) and water["1 nM / 3 h #1"] is None
    lines = step_derived_lines(state.protocol, "denature", derived_for_run(state))
    assert ("lysate 1 nM / 3 h #1: loading_volume none, water_volume none "
            "(no protein_conc reading)") in lines


def test_nothing_read_yet_is_said_once_not_per_lysate(service: RunService, run: str) -> None:
    state = service.state(run)
    lines = step_derived_lines(state.protocol, "denature", derived_for_run(state))
    assert lines == [
        "loading_volume = protein_per_lane / protein_conc (with protein_per_lane = 20 µg): "
        "needs protein_conc",
        "water_volume = sample_volume - loading_volume (with sample_volume = 24 µL): "
        "needs protein_conc"]


def test_an_out_of_range_reading_names_its_lysate_in_the_deviation(
    service: RunService, run: str,
) -> None:
    service.record_values(run, "bca", [("protein_conc", "DMSO / 24 h #2: 12 mg/mL")])
    (deviation,) = service.state(run).deviations
    assert deviation.note.endswith("(DMSO / 24 h #2)")


def test_an_old_log_without_sample_keys_still_folds_in_recorded_order(
    service: RunService, run: str,
) -> None:
    """Readings written before they named their lysate keep their meaning: the lysates in
    recorded order; a correction keeps the place of the reading it corrects."""
    head = service.events(run)[-1]
    payloads = [("value_recorded", {"step": "bca", "name": "protein_conc", "value": c,
                                    "unit": MG_ML, "text": f"{c} mg/mL", "in_range": True})
                for c in (2.0, 1.6, 2.5)]
    payloads.append(("correction", {"step": "bca", "name": "protein_conc", "value": 4.0,
                                    "unit": MG_ML, "text": "4 mg/mL", "in_range": True,
                                    "corrects": head.seq + 1, "reason": "misread"}))
    events, prev = [], head.hash
    for seq, (kind, payload) in enumerate(payloads, start=head.seq + 1):
        event = make_event(run, seq, kind, head.at, "ana", payload, prev)
        events.append(event)
        prev = event.hash
    service.store.append(run, events, head.seq)
    state = service.state(run)
    assert state.unreadable == [] and [v.sample for v in state.values] == ["", "", "", ""]
    got = volumes(service, run)
    assert [got[n] for n in ("0.1 nM / 3 h #1", "1 nM / 3 h #1", "10 nM / 3 h #1")] == (
        pytest.approx([5.0, 12.5, 8.0]))  # 20 / 4 (corrected), 20 / 1.6, 20 / 2.5
    # and a new reading without a name goes to the next lysate after them
    service.record_values(run, "bca", [("protein_conc", "2")])
    assert service.state(run).current_values()[-1].sample == "100 nM / 3 h #1"


def test_the_sample_key_is_optional_and_type_checked() -> None:
    old = {"step": "bca", "name": "protein_conc", "value": 2.0, "unit": MG_ML, "text": "2",
           "in_range": True}
    assert decode("value_recorded", old) == ValueRecorded("bca", "protein_conc", 2.0, MG_ML,
                                                          "2", True)
    assert "sample" not in ValueRecorded("bca", "protein_conc", 2.0).to_payload()
    named = ValueRecorded("bca", "protein_conc", 2.0, MG_ML, "2", True, "DMSO / 3 h #1")
    assert decode("value_recorded", named.to_payload()) == named
    wrong = decode("value_recorded", {**old, "sample": 7})
    assert isinstance(wrong, Unreadable) and "sample is int" in wrong.reason


LYSATES = 45


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(range(LYSATES)), st.lists(st.integers(min_value=5, max_value=100),
                                                  min_size=LYSATES, max_size=LYSATES),
       st.integers(min_value=0, max_value=LYSATES))
def test_any_order_of_named_readings_gives_every_lysate_its_own_volume(
    service: RunService, order: list[int], tenths: list[int], typed: int,
) -> None:
    """Whatever order the tubes are read in, and however many are read, each lysate's
    loading volume is 20 µg over its own reading, and a lysate not read has none."""
    run = service.start("western-blot-pfak", {"protein_per_lane": "20 ug"})
    names = list(volumes(service, run))
    for i in order[:typed]:
        service.record_values(run, "bca", [("protein_conc", f"{names[i]}: {tenths[i] / 10}")])
    got = volumes(service, run)
    read = set(order[:typed])
    for i, name in enumerate(names):
        expected = 20 / (tenths[i] / 10) if i in read else None
        assert got[name] == (pytest.approx(expected) if expected is not None else None)


def test_a_zero_reading_leaves_that_lysate_alone_without_a_volume(
    service: RunService, run: str,
) -> None:
    """0 mg/mL (out of range, recorded with a deviation) cannot be divided by: that lysate
    has no volume and says why; the others keep theirs, and nothing crashes."""
    service.record_values(run, "bca", [("protein_conc", "0; 2")])
    state = service.state(run)
    loading = next(v for v in derived_for_run(state)["denature"] if v.name == "loading_volume")
    zero, two = loading.samples[:2]
    assert zero.value is None and "division by zero" in zero.reason and zero.needs == ()
    assert two.value == pytest.approx(10.0)
    assert "no value for 0.1 nM / 3 h #1 (" in loading.text()
    assert "needs protein_conc for 43 more lysates" in loading.text()
    water = next(v for v in derived_for_run(state)["denature"] if v.name == "water_volume")
    assert water.samples[0].value is None and "division by zero" in water.samples[0].reason
