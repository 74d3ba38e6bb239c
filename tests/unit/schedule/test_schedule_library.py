"""Every protocol of the library (and of the test data) expands and plans on its own.

The library in ``protocols/`` grows with the seed documents; this test covers each file
that is there, so a new protocol that the scheduler cannot read shows up at once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from schedule_cases import BERLIN, MONDAY

from elab.domain.protocol import load_protocol
from elab.domain.protocol.library import list_protocol_files
from elab.domain.schedule import LabCalendar, check_schedule
from elab.domain.schedule.expand import expand_protocol
from elab.domain.schedule.problem import problem_from_expansions
from elab.errors import InfeasibleError, InputError
from elab.services.protocol_library import bundled_dir
from elab.solve.schedule import SolveOptions, solve_schedule

DATA = Path(__file__).parent / "data" / "protocols"


def test_each_protocol_expands_and_plans() -> None:
    files = list_protocol_files([DATA, bundled_dir()])
    assert len(files) >= 5
    problems: list[str] = []
    for path in files:
        protocol = load_protocol(path, library=[path.parent])
        for variant in [None, *protocol.variants]:
            run = protocol.id + (f":{variant}" if variant else "")
            expansion = expand_protocol(protocol, run, date(2026, 11, 23), BERLIN, variant)
            names = {a.step for a in expansion.activities}
            assert names, run
            for a in expansion.activities:
                assert all(lag.step in names for lag in a.after), (run, a.step)
                assert a.min_min <= a.max_min
            for step in protocol.active_steps(variant):
                assert expansion.steps.get(step.id), (run, step.id)
            problem = problem_from_expansions([expansion], LabCalendar(timezone="Europe/Berlin"),
                                              MONDAY)
            try:
                schedule = solve_schedule(problem, SolveOptions(time_limit_s=5,
                                                                allow_out_of_hours=True))
            except (InputError, InfeasibleError) as exc:
                assert str(exc), run  # a sentence, not a crash
                problems.append(f"{run}: {exc}")
                continue
            kinds = {v.kind for v in check_schedule(problem, schedule).violations}
            assert kinds <= {"hours"}, (run, kinds)
    assert not problems, problems  # every protocol of the library can be planned
