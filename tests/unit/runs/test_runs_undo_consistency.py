"""An undo never leaves a run inconsistent and never takes another operator's work back with
it; a correction replaces exactly one reading."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from elab.domain.runs import FakeClock
from elab.errors import InputError, RunStateError
from elab.services.runs import RunService


@pytest.fixture
def bob(sqlite_url: str, clock: FakeClock) -> Iterator[RunService]:
    svc = RunService.open(sqlite_url, operator="bob", clock=clock)
    yield svc
    svc.close()


def _refused_undo(service: RunService, run: str, match: str) -> None:
    last = service.last_seq(run)
    with pytest.raises(RunStateError, match=match):
        service.undo(run)
    assert service.last_seq(run) == last  # nothing appended


def test_a_correction_with_two_values_is_refused(service: RunService) -> None:
    run = service.start("mtt-viability")
    service.record_values(run, "read", [("blank_od", "0.06")])
    with pytest.raises(InputError, match=r"^a correction replaces one reading: give event 2 "
                       r"one --value, not 2 \(blank_od=0.07, blank_od=0.08\)$"):
        service.correct(run, 2, [("blank_od", "0.07"), ("blank_od", "0.08")], "x")
    assert service.last_seq(run) == 2


def test_a_correction_naming_two_lysates_is_refused(service: RunService) -> None:
    run = service.start("western-blot-pfak")
    service.record_values(run, "bca", [("protein_conc", "DMSO / 3 h #1: 1.8")])
    with pytest.raises(InputError, match="a correction replaces one reading"):
        service.correct(run, 2, [("protein_conc", "DMSO / 3 h #1: 1.8"),
                                 ("protein_conc", "DMSO / 3 h #2: 1.9")], "x")
    with pytest.raises(InputError, match="a correction replaces one reading"):
        service.correct(run, 2, [("protein_conc", "DMSO / 3 h #1: 1.8; DMSO / 3 h #2: 1.9")],
                        "x")
    assert [v.sample for v in service.state(run).current_values()] == ["DMSO / 3 h #1"]


def test_undoing_a_move_that_would_give_a_lysate_two_readings_is_refused(
    service: RunService, bob: RunService, clock: FakeClock,
) -> None:
    run = service.start("western-blot-pfak")
    service.record_values(run, "bca", [("protein_conc", "DMSO / 3 h #1: 1.8")])
    clock.advance(seconds=5)  # one action is the events appended at one time stamp
    service.correct(run, 2, [("protein_conc", "DMSO / 3 h #2: 1.8")], "wrong tube")
    bob.record_values(run, "bca", [("protein_conc", "DMSO / 3 h #1: 3.0")])
    _refused_undo(service, run, r"^undoing correction bca protein_conc=1.8 mg/mL \(#3\) would "
                  r"give lysate DMSO / 3 h #1 two protein_conc readings \(#2 by ana and #4 by "
                  r"bob\); correct #4 instead$")
    current = service.state(run).current_values()
    assert [(v.seq, v.sample) for v in current] == [(3, "DMSO / 3 h #2"), (4, "DMSO / 3 h #1")]


def test_undoing_a_move_back_to_a_free_lysate_is_allowed(
    service: RunService, clock: FakeClock,
) -> None:
    run = service.start("western-blot-pfak")
    service.record_values(run, "bca", [("protein_conc", "DMSO / 3 h #1: 1.8")])
    clock.advance(seconds=5)
    service.correct(run, 2, [("protein_conc", "DMSO / 3 h #2: 1.8")], "wrong tube")
    service.undo(run)
    assert [(v.seq, v.sample) for v in service.state(run).current_values()] == [
        (2, "DMSO / 3 h #1")]


def test_undoing_my_reading_that_bob_corrected_is_refused_naming_his_correction(
    service: RunService, bob: RunService,
) -> None:
    run = service.start("mtt-viability")
    service.record_values(run, "read", [("blank_od", "0.06")])
    bob.correct(run, 2, [("blank_od", "0.07")], "b")
    _refused_undo(service, run, r"^undoing value_recorded read blank_od=0.06 OD \(#2\) would "
                  r"also take back bob's correction read blank_od=0.07 OD \(#3\), which "
                  r"corrects #2; another operator's work is never undone: correct #3 instead$")
    assert [v.value for v in service.state(run).current_values()] == [0.07]


def test_undoing_my_correction_that_bob_corrected_is_refused(
    service: RunService, bob: RunService, clock: FakeClock,
) -> None:
    run = service.start("mtt-viability")
    service.record_values(run, "read", [("blank_od", "0.06")])
    clock.advance(seconds=5)
    service.correct(run, 2, [("blank_od", "0.065")], "a")
    bob.correct(run, 3, [("blank_od", "0.07")], "b")
    _refused_undo(service, run, r"bob's correction read blank_od=0.07 OD \(#4\), which "
                  r"corrects #3")


def test_undoing_my_timer_that_bob_stopped_is_refused(
    service: RunService, bob: RunService, clock: FakeClock,
) -> None:
    run = service.start("mtt-viability")
    step = next(s.id for s in service.state(run).protocol.steps
                if s.passive is not None and s.id in service.state(run).steps)
    service.timer(run, step, "start")
    clock.advance(seconds=30)
    bob.timer(run, step, "stop")
    _refused_undo(service, run, rf"bob's timer_stopped {step} \(#\d+\), which stops the "
                  r"timer started in #\d+")
    assert not service.state(run).timers[step].running


def test_undoing_bobs_correction_after_a_retraction_of_it_is_no_longer_refused(
    service: RunService, bob: RunService,
) -> None:
    """Once bob takes his correction back, nothing of his rests on my reading."""
    run = service.start("mtt-viability")
    service.record_values(run, "read", [("blank_od", "0.06")])
    bob.correct(run, 2, [("blank_od", "0.07")], "b")
    bob.undo(run)
    service.undo(run)
    assert service.state(run).current_values() == []
