"""Every library protocol's analysis hook runs from a finished run of that protocol."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from sample_data import (
    bands_csv,
    ddct_csv,
    flow_csv,
    ic50_csv,
    synergy_csv,
    transwell_csv,
    tumour_csv,
    wound_csv,
)

from elab.domain.runs.kinds import AnalysisDone
from elab.services.runs import RunService

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"


def pfak_bands_csv() -> str:
    """Lanes named as the layout CSV names them, each time point with its own DMSO lanes:
    p-FAK falls to 0.5 of DMSO at 3 h and 0.25 at 48 h, while DMSO itself drifts."""
    rows = ["lane,condition,time,target,intensity"]
    lane = 0
    for time, dmso, treated in (("3 h", 800, 400), ("48 h", 1200, 300)):
        for condition, pfak in ((f"DMSO / {time}", dmso), (f"10 nM / {time}", treated)):
            lane += 1
            rows += [f"{lane},{condition},{time},total FAK,1000",
                     f"{lane},{condition},{time},p-FAK Y397,{pfak}"]
    return "\n".join(rows)


CASES: dict[str, tuple[str, Callable[[], str]]] = {
    "mtt-viability": ("absorbance", ic50_csv),
    "combination-synergy": ("viability", synergy_csv),
    "qrt-pcr-emt": ("ct_values", ddct_csv),
    "transwell-migration": ("counts", transwell_csv),
    "matrigel-invasion": ("counts", transwell_csv),
    "wound-healing": ("wound_areas", wound_csv),
    "xenograft-combination": ("tumours", tumour_csv),
    "western-blot-emt": ("bands", lambda: bands_csv("beta-actin", "vehicle")),
    "western-blot-pfak": ("bands", lambda: pfak_bands_csv()),
    "flow-cytometry-til": ("gates", flow_csv),
}
# protocols with a second analysis entry on another attachment (the EMT blot's FAK membrane)
MORE: dict[str, tuple[str, Callable[[], str]]] = {
    "western-blot-emt": ("fak_bands", lambda: bands_csv("total FAK", "vehicle")),
}


# Values an analysis takes from the run (`@step.value` in its parameters).
RECORDED: dict[str, list[tuple[str, str, str]]] = {}


@pytest.mark.parametrize("protocol", sorted(CASES))
def test_finishing_a_run_runs_its_analysis(
    protocol: str, service: RunService, tmp_path: Path
) -> None:
    run = service.start(str(PROTOCOLS / f"{protocol}.yaml"))
    inputs = [CASES[protocol], *([MORE[protocol]] if protocol in MORE else [])]
    for name, make in inputs:
        data = tmp_path / f"{name}.csv"
        data.write_text(make() + "\n", encoding="utf-8")
        service.attach(run, name, data)
    for step, value, text in RECORDED.get(protocol, []):
        service.record_values(run, step, [(value, text)])
    state = service.finish(run, incomplete="test: only the finish is under test")
    assert len(state.analyses) == len(inputs)
    if protocol == "western-blot-pfak":  # each time point against its own vehicle
        rows = _result(state.analyses[0].data)["results"]
        relative = {(r["time"], r["condition"]): r["relative"]["mean"]
                    for r in rows if r["kind"] == "condition"}
        assert relative == {("3 h", "DMSO"): 1.0, ("3 h", "10 nM"): 0.5,
                            ("48 h", "DMSO"): 1.0, ("48 h", "10 nM"): 0.25}
    for logged in state.analyses:
        result = _result(logged.data)
        assert result["results"], result
        assert result["method"]
        for row in result["results"]:
            for value in row.values():
                if isinstance(value, float):
                    assert not math.isnan(value)


def _result(analysis: AnalysisDone) -> Mapping[str, Any]:
    """The analysis's result; an analysis that stopped fails the test with its error."""
    assert analysis.error is None, analysis.error
    assert analysis.result is not None
    return analysis.result


def test_every_protocol_with_analysis_is_covered() -> None:
    from elab.domain.protocol import load_protocol

    with_analysis = {
        p.stem
        for p in PROTOCOLS.glob("*.yaml")
        if load_protocol(p, library=[PROTOCOLS]).analysis
    }
    assert with_analysis == set(CASES)


def test_a_recorded_blank_reaches_the_fit_and_its_absence_is_said(
    service: RunService, tmp_path: Path
) -> None:
    """A protocol whose fit takes the blank read at the bench (blank: "@read.blank_od")."""
    data = tmp_path / "absorbance.csv"
    data.write_text(ic50_csv() + "\n", encoding="utf-8")
    text = (PROTOCOLS / "mtt-viability.yaml").read_text(encoding="utf-8")
    protocol = tmp_path / "mtt-bench-blank.yaml"
    protocol.write_text(text.replace("id: mtt-viability", "id: mtt-bench-blank").replace(
        "params: {model: 4pl, normalize: vehicle}",
        'params: {model: 4pl, normalize: vehicle, blank: "@read.blank_od"}'), encoding="utf-8")
    with_blank = service.start(str(protocol))
    service.attach(with_blank, "absorbance", data)
    service.record_values(with_blank, "read", [("blank_od", "0.05 OD")])
    (done,) = service.finish(with_blank, incomplete="test").analyses
    assert done.data.params["blank"] == "0.05"
    assert "A blank of 0.05 was subtracted from every response." in _result(done.data)["method"]
    without = service.start(str(protocol))
    service.attach(without, "absorbance", data)
    (missing,) = service.finish(without, incomplete="test").analyses
    assert "needs the value blank_od of step read" in (missing.data.error or "")


def test_pfak_bands_by_well_are_joined_with_the_kept_layout(
    service: RunService, tmp_path: Path
) -> None:
    """Bands exported by plate and well: the run's kept layout gives each lane its condition
    and time, and each time point is compared with its own DMSO."""
    import csv
    import io

    from elab.services.bench_sheet import LAYOUT_NAME, layout_csv, run_layout

    run = service.start(str(PROTOCOLS / "western-blot-pfak.yaml"))
    layout, _ = run_layout(service.state(run), service.store.attachment)
    assert layout is not None
    kept = tmp_path / "layout.csv"
    kept.write_bytes(layout_csv(layout))
    service.attach(run, LAYOUT_NAME, kept)
    drift = {"3 h": 1.0, "24 h": 1.5, "48 h": 2.0}
    bands = ["lane,plate,well,target,intensity"]
    rows = csv.DictReader(io.StringIO(kept.read_text(encoding="utf-8")))
    for lane, row in enumerate(rows, start=1):
        pfak = (400 if row["dose"] else 800) * drift[row["time"]]
        bands += [f"{lane},{row['plate']},{row['well']},total FAK,1000",
                  f"{lane},{row['plate']},{row['well']},p-FAK Y397,{pfak}"]
    data = tmp_path / "bands.csv"
    data.write_text("\n".join(bands) + "\n", encoding="utf-8")
    service.attach(run, "bands", data)
    state = service.finish(run, incomplete="test: only the analysis is under test")
    (analysis,) = state.analyses
    relative = {(r["time"], r["condition"]): r["relative"]["mean"]
                for r in _result(analysis.data)["results"] if r["kind"] == "condition"}
    assert len(relative) == 15
    for (_, condition), value in relative.items():
        assert value == pytest.approx(1.0 if condition == "DMSO" else 0.5, rel=1e-12)
