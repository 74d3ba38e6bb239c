"""Folding a run's events into a record: times, values and ranges, deviations, lots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from elab.domain.protocol import load_protocol
from elab.domain.records import ChainStatus
from elab.domain.records.build import EventView, planned_offsets, record_from_events

DATA = Path(__file__).parent / "data"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _events() -> list[EventView]:
    rows: list[tuple[int, str, dict[str, Any]]] = [
        (0, "started", {"parameters": {"cells_per_well": "5e4 cells"}}),
        (1, "step_started", {"step": "seed"}),
        (20, "value_recorded", {"step": "seed", "name": "viability", "value": 72, "unit": "%"}),
        (21, "deviation", {"step": "seed", "kind": "auto", "note": "viability 72 % < 90 %"}),
        (25, "note", {"step": "seed", "text": "clumpy"}),
        (30, "step_done", {"step": "seed", "values": {"count": "5e4 cells"}}),
        (31, "timer_started", {"step": "attach", "planned_s": 43200}),
        (31 + 14 * 60, "timer_stopped", {"step": "attach"}),
        (31 + 14 * 60, "step_done", {"step": "attach"}),
        (900, "step_skipped", {"step": "stain", "note": "no antibody"}),
        (901, "lot", {"material": "fbs", "lot": "F-42", "expiry": "2027-01-31"}),
        (902, "deviation", {"kind": "manual", "note": "power cut"}),
        (903, "step_done", {"step": "read", "values": {"od": 0.8}}),
        (904, "corrected", {"seq": 13, "values": {"od": 2.5}, "reason": "typo"}),
        (905, "note", {"text": "all fine"}),
        (906, "attached", {"name": "reader", "filename": "r.csv", "size": 10, "sha256": "ab"}),
        (910, "completed", {}),
    ]
    return [EventView(i + 1, kind, T0 + timedelta(minutes=m), "ana", payload, f"h{i + 1}")
            for i, (m, kind, payload) in enumerate(rows)]


def _record() -> Any:
    protocol = load_protocol(DATA / "seeding-assay.yaml")
    chain = ChainStatus(True, 17, "h17", 17)
    return record_from_events(protocol, _events(), run_id="r1", protocol_sha256="0" * 64,
                              chain=chain, now=T0 + timedelta(days=1))


def test_planned_offsets_follow_the_graph() -> None:
    protocol = load_protocol(DATA / "seeding-assay.yaml")
    offsets = planned_offsets(protocol)
    assert offsets["seed"] == (0.0, 1800.0, 1800.0)
    assert offsets["attach"][0] == 1800.0 and offsets["attach"][1] == 1800.0 + 12 * 3600


def test_header_and_parameters() -> None:
    r = _record()
    assert (r.protocol_id, r.protocol_version, r.state) == ("seeding-assay", "2.1", "completed")
    assert r.started_at == T0 and r.ended_at == T0 + timedelta(minutes=910)
    params = {p.name: p for p in r.parameters}
    assert params["cells_per_well"].overridden and params["cells_per_well"].value == "50000 cells"
    assert not params["volume"].overridden and params["volume"].value == "100 µL"


def test_steps_values_ranges_and_deviations() -> None:
    r = _record()
    steps = {s.id: s for s in r.steps}
    seed = steps["seed"]
    assert seed.state == "done" and seed.actual_duration_s == 29 * 60
    values = {v.name: v for v in seed.values}
    assert values["viability"].out_of_range and values["viability"].value == "72%"
    assert not values["count"].out_of_range
    assert seed.deviations == (1,) and seed.notes[0].text == "clumpy"
    assert steps["attach"].timers[0].actual_s == 14 * 3600
    assert steps["stain"].state == "skipped" and steps["stain"].skip_note == "no antibody"
    read = steps["read"].values
    assert not read[0].out_of_range and read[1].out_of_range and read[1].corrects == 13
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
