"""The run screen's bench sheet: which step gets a dose series, and the plate it proposes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from elab.domain.plate import check_layout, spec_from_design
from elab.services.bench_sheet import run_layout, step_sheet
from elab.services.runs import RunService

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"


@pytest.mark.parametrize(("protocol", "step", "series"), [
    # the design's volumes: 90 µL seeded + 10 µL added (not 90 µL in all), 2 mL + 2 µL
    ("mtt-viability", "treat", "6-point 5-fold series from 100 µM, 90 µL in the well + 10 µL"),
    ("western-blot-pfak", "treat", "4-point 10-fold series from 100 nM, 2 mL in the well + 2 µL"),
])
def test_the_dosing_step_gets_its_dilution_series(service: RunService, protocol: str, step: str,
                                                  series: str) -> None:
    run = service.start(str(PROTOCOLS / f"{protocol}.yaml"))
    sheet = step_sheet(service.state(run), step)
    assert series in sheet.dilution
    assert sheet.note == ""


@pytest.mark.parametrize(("protocol", "step"), [
    ("mtt-viability", "add-mtt"),  # MTT reagent has a stock, but it is not the dosed compound
    ("combination-synergy", "treat"),  # a matrix with 0 levels is not one serial dilution
    ("bca-assay", "standards"),  # a standard curve is not a fold series
])
def test_other_steps_get_no_series_and_no_false_alarm(service: RunService, protocol: str,
                                                      step: str) -> None:
    run = service.start(str(PROTOCOLS / f"{protocol}.yaml"))
    sheet = step_sheet(service.state(run), step)
    assert (sheet.dilution, sheet.note) == ("", "")
    assert sheet.materials  # the step's own amounts are still listed


def test_the_proposed_plate_is_stable_and_valid(service: RunService) -> None:
    run = service.start(str(PROTOCOLS / "mtt-viability.yaml"))
    state = service.state(run)
    first, recorded = run_layout(state, service.store.attachment)
    again, _ = run_layout(state, service.store.attachment)
    assert first is not None and not recorded
    assert first == again  # the seed comes from the run id: the same run, the same plate
    assert state.protocol.design is not None
    assert check_layout(first, spec_from_design(state.protocol.design)) == []


def test_protocols_without_a_plate_propose_none(service: RunService) -> None:
    run = service.start(str(PROTOCOLS / "western-blot-emt.yaml"))
    assert run_layout(service.state(run), service.store.attachment) == (None, False)


@pytest.mark.parametrize("protocol", ["mtt-viability", "western-blot-pfak"])
def test_the_bench_sheet_pipettes_the_designs_plan(service: RunService, protocol: str) -> None:
    """The run screen's table is the plan of `elab dilute serial PROTOCOL`: one set of numbers."""
    from elab.domain.dilution import plan_serial, serial_spec_from_protocol

    run = service.start(str(PROTOCOLS / f"{protocol}.yaml"))
    state = service.state(run)
    sheet = step_sheet(state, "treat")
    plan = plan_serial(serial_spec_from_protocol(state.protocol).spec)
    assert sheet.dilution.splitlines()[1:] == plan.text().splitlines()[1:]


def test_pfak_counts_the_wells_the_design_declares(service: RunService) -> None:
    """Each dose in 3 replicates × 3 time points = 9 wells; 3 time-matched DMSO controls of 3
    wells = 9 vehicle wells (not one control set per time point on top: 27); 6-well plates
    hold 2 mL, so 2 µL of a series point is 1:1001 (99.9 nM from 100 µM)."""
    run = service.start(str(PROTOCOLS / "western-blot-pfak.yaml"))
    sheet = step_sheet(service.state(run), "treat")
    wells = [line for line in sheet.dilution.splitlines() if line.startswith(("wells", "vehicle"))]
    assert len(wells) == 5 and all("each of 9 wells" in line for line in wells)
    assert "99.9 nM" in wells[0] and "2.002 mL" in wells[0]
    assert "0.0999 %" in wells[-1]


@pytest.mark.parametrize("protocol", ["mtt-viability", "western-blot-pfak"])
def test_the_bench_sheet_shows_the_plate_elab_plate_layout_prints_for_the_run_seed(
    service: RunService, protocol: str, capsys: pytest.CaptureFixture[str],
) -> None:
    from cli_calls import run as cli

    from elab.services.plates import run_seed

    run = service.start(str(PROTOCOLS / f"{protocol}.yaml"))
    sheet, recorded = run_layout(service.state(run), service.store.attachment)
    assert sheet is not None and not recorded
    code, out, err = cli(["plate", "layout", str(PROTOCOLS / f"{protocol}.yaml"),
                          "--seed", str(run_seed(run)), "--json"], capsys)
    assert code == 0, err
    printed = json.loads(out)
    assert printed["wells"] == sheet.to_dict()["wells"]
    assert printed["plates"] == sheet.plates


def _wells_codes(dilution: str) -> dict[str, str]:
    """``wells 6`` → its plate code, read off the sheet's table."""
    import re

    found = {}
    for line in dilution.splitlines():
        match = re.match(r"(wells \d+)\s+(\S+)\s", line)  # the code stands next to the step
        if match:
            found[match[1]] = match[2]
    return found


def test_the_sheet_names_wells_by_the_plate_map_beside_it(service: RunService) -> None:
    """The series' rows carry the codes of the plate shown with them: the proposed plate's
    (MTT: code 6 is 100 µM, and so is wells 6), and a kept plate's when its legend numbers the
    doses otherwise (here top first), so one code is one dose on the screen."""
    from dataclasses import replace

    from elab.domain.plate import codes_for

    run = service.start(str(PROTOCOLS / "mtt-viability.yaml"))
    state = service.state(run)
    layout, _ = run_layout(state, service.store.attachment)
    assert layout is not None
    codes = codes_for(layout)
    sheet = step_sheet(state, "treat", layout)
    assert _wells_codes(sheet.dilution) == {f"wells {codes[d]}": codes[d] for d in
                                            ("0.032 uM", "0.16 uM", "0.8 uM", "4 uM", "20 uM",
                                             "100 uM")}
    assert codes["100 uM"] == "6" and "100 µM" in next(
        line for line in sheet.dilution.splitlines() if line.startswith("wells 6"))
    top_first = replace(layout, order=tuple(reversed(layout.order)))
    kept = codes_for(top_first)
    assert kept["100 uM"] == "1"
    sheet = step_sheet(state, "treat", top_first)
    wells_1 = next(line for line in sheet.dilution.splitlines() if line.startswith("wells 1"))
    assert "100 µM" in wells_1 and _wells_codes(sheet.dilution)["wells 1"] == "1"


@pytest.mark.parametrize("variant", ["sybr", "taqman"])
def test_a_qpcr_run_proposes_the_plate_of_elab_dilute_qpcr(
    service: RunService, variant: str, capsys: pytest.CaptureFixture[str],
) -> None:
    """Every well names its gene and its RNA (no n1/n2), and the wells are those of
    `elab dilute qpcr` and the 54 reactions of `elab show` (N2)."""
    from cli_calls import run as cli

    path = str(PROTOCOLS / "qrt-pcr-emt.yaml")
    run = service.start(path, variant=variant)
    sheet, recorded = run_layout(service.state(run), service.store.attachment)
    assert sheet is not None and not recorded
    code, out, err = cli(["dilute", "qpcr", path, "--variant", variant, "--json"], capsys)
    assert code == 0, err
    planned = {(w["well"], w["gene"]) for w in json.loads(out)["wells"]}
    assert {(p.well, dict(p.levels)["gene"]) for p in sheet} == planned
    assert len(sheet.placements) == 54
    genes = ("SNAI1", "ZEB1", "TWIST1", "CDH1", "GAPDH", "ACTB")
    for p in sheet:
        named = [g for g in genes if p.condition.startswith(g + " ")]
        assert len(named) == 1, p.condition
        assert "NTC" in p.condition or any(
            f"{t}-{r}" in p.condition for t in ("vehicle", "defactinib") for r in (1, 2, 3))
