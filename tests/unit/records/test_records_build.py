"""Folding a run's events into a record: times, values and ranges, deviations, lots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from records_sample import MemoryRuns

from elab.domain.protocol import load_protocol
from elab.domain.records.build import planned_offsets, record_from_run
from elab.domain.runs import fold

DATA = Path(__file__).parent / "data"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _runs() -> MemoryRuns:
    """A run of real events, ten minutes apart (event n at T0 + 10 (n - 1) min)."""
    runs = MemoryRuns(DATA / "seeding-assay.yaml", {"cells_per_well": "5e4 cells"})
    for kind, payload in [
        ("step_started", {"step": "seed"}),                                            # 2
        ("value_recorded", {"step": "seed", "name": "viability", "value": 72.0, "unit": "%",
                            "text": "72 %", "in_range": False}),                       # 3
        ("deviation", {"step": "seed", "kind": "auto", "note": "viability 72 % < 90 %"}),  # 4
        ("note", {"step": "seed", "text": "clumpy"}),                                  # 5
        ("value_recorded", {"step": "seed", "name": "count", "value": 5e4, "unit": "cells",
                            "text": "5e4 cells", "in_range": None}),                   # 6
        ("step_done", {"step": "seed"}),                                               # 7
        ("step_started", {"step": "attach"}),                                          # 8
        ("timer_started", {"step": "attach", "min_s": 43200.0, "max_s": None}),        # 9
        ("timer_stopped", {"step": "attach", "elapsed_s": 600.0}),                     # 10
        ("step_done", {"step": "attach"}),                                             # 11
        ("step_skipped", {"step": "stain", "note": "no antibody"}),                    # 12
        ("lot_recorded", {"material": "fbs", "lot": "F-42", "expiry": "2027-01-31"}),  # 13
        ("deviation", {"step": None, "kind": "manual", "note": "power cut"}),          # 14
        ("value_recorded", {"step": "read", "name": "od", "value": 0.8, "unit": "",
                            "text": "0.8", "in_range": None}),                         # 15
        ("step_done", {"step": "read"}),                                               # 16
        ("correction", {"step": "read", "name": "od", "value": 2.5, "unit": "",
                        "text": "2.5", "in_range": None, "corrects": 15,
                        "reason": "typo"}),                                            # 17
        ("note", {"step": None, "text": "all fine"}),                                  # 18
        ("attachment", {"name": "reader", "filename": "r.csv", "size": 10,
                        "sha256": "ab"}),                                              # 19
        ("completed", {}),                                                             # 20
    ]:
        runs.append(kind, payload)
    return runs


def _record() -> Any:
    runs = _runs()
    return record_from_run(fold(runs.rows), chain=runs.verify(), now=T0 + timedelta(days=1))


def test_planned_offsets_follow_the_graph() -> None:
    protocol = load_protocol(DATA / "seeding-assay.yaml")
    offsets = planned_offsets(protocol)
    assert offsets["seed"] == (0.0, 1800.0, 1800.0)
    assert offsets["attach"][0] == 1800.0 and offsets["attach"][1] == 1800.0 + 12 * 3600


def test_header_and_parameters() -> None:
    r = _record()
    assert (r.protocol_id, r.protocol_version, r.state) == ("seeding-assay", "2.1", "completed")
    assert r.started_at == T0 and r.ended_at == T0 + timedelta(minutes=190)
    assert r.completed_seq == 20 and len(r.events) == 20 and r.events[8].type == "timer_started"
    params = {p.name: p for p in r.parameters}
    assert params["cells_per_well"].overridden and params["cells_per_well"].value == "50000 cells"
    assert not params["volume"].overridden and params["volume"].value == "100 µL"


def test_steps_values_ranges_and_deviations() -> None:
    r = _record()
    steps = {s.id: s for s in r.steps}
    seed = steps["seed"]
    assert seed.state == "done" and seed.actual_duration_s == 50 * 60 and seed.operator == "ana"
    values = {v.name: v for v in seed.values}
    assert values["viability"].out_of_range and values["viability"].value == "72%"
    assert not values["count"].out_of_range
    assert seed.deviations == (1,) and seed.notes[0].text == "clumpy"
    assert steps["attach"].timers[0].actual_s == 10 * 60
    assert steps["attach"].timers[0].planned_s == 12 * 3600
    assert steps["stain"].state == "skipped" and steps["stain"].skip_note == "no antibody"
    read = steps["read"].values
    assert not read[0].out_of_range and read[1].out_of_range and read[1].corrects == 15
    assert read[0].replaced_by == 17 and read[0].replaced_reason == "typo"
    assert (read[0].value, read[1].value) == ("0.8", "2.5")
    assert [d.kind for d in r.deviations] == ["auto", "manual"]
    assert r.deviations[1].step is None and r.run_notes[0].text == "all fine"
    assert steps["seed"].planned_start == T0


def test_materials_equipment_attachments_design() -> None:
    r = _record()
    fbs = next(m for m in r.materials if m.id == "fbs")
    assert (fbs.lot, fbs.expiry, fbs.expired, fbs.supplier) == ("F-42", "2027-01-31", False, "Gibco")
    assert {e.id: e.steps for e in r.equipment}["incubator"] == ("attach",)
    assert r.attachments[0].filename == "r.csv"
    assert r.design is not None and r.design.samples == 12


def test_analysis_result_becomes_a_table() -> None:
    from elab.domain.records.build import analysis_from_result

    result = {"hook": "ic50", "method": "4PL", "warnings": ["few doses"], "results": [
        {"group": "a", "ic50": {"value": 1.0, "unit": "uM", "ci95": [0.94, 1.06]}, "hill": 1.0,
         "r2": 0.99951, "converged": True},
        {"group": "b", "ic50": {"value": None, "unit": "uM"}, "hill": 2.5, "r2": 0.5,
         "converged": False}]}
    a = analysis_from_result("ic50", result)
    assert a.columns == ("group", "ic50", "hill", "r2", "converged")
    assert a.rows[0].label == "a" and a.rows[0].cells[0] == "1 µM (95 % CI 0.94–1.06)"
    assert a.rows[1].cells == ("—", "2.5", "0.5", "no")
    assert a.warnings == ("few doses",)


def test_planned_times_given_by_the_caller_are_the_ones_shown() -> None:
    runs = _runs()
    monday = T0 + timedelta(days=7)
    record = record_from_run(fold(runs.rows), chain=runs.verify(), now=T0 + timedelta(days=1),
                             planned={"attach": (monday, monday + timedelta(hours=12))},
                             planned_note="planned on the calendar")
    steps = {s.id: s for s in record.steps}
    assert (steps["attach"].planned_start, steps["attach"].planned_end) == (
        monday, monday + timedelta(hours=12))
    # a step the caller did not plan is laid along the graph; what was done stays as done
    assert steps["seed"].planned_start == T0
    assert steps["seed"].actual_end == _record().steps[0].actual_end
    assert record.planned_note == "planned on the calendar"
