"""What an analysis takes from the run: one number per ``@STEP.VALUE`` parameter, and every
file it read (the reader's export and the plate layout that said what each well held), named
in its event and in the record; and what the record says of the earlier attempts."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import load_document
from elab.domain.runs import fold
from elab.domain.runs.events import GENESIS, new_event
from elab.domain.runs.kinds import RunEvent, RunStarted, ValueRecorded
from elab.services.analysis_runner import analysis_blockers, run_protocol_analyses
from elab.services.runs import RunService

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "reader"
MTT = ROOT / "protocols" / "mtt-viability.yaml"
AT = "2026-11-23T09:00:00+00:00"


def _protocol(tmp_path: Path, blank: str) -> Path:
    """mtt-viability whose IC50 subtracts ``@read.blank_od``, declared with ``blank``."""
    text = MTT.read_text(encoding="utf-8")
    path = tmp_path / "mtt.yaml"
    path.write_text(
        text.replace("blank_od: {unit: OD, range: 0-0.3 OD, required: true,",
                     f"blank_od: {{unit: OD, range: 0-0.3 OD, required: true, {blank}")
        .replace("params: {model: 4pl, normalize: vehicle}",
                 'params: {model: 4pl, normalize: vehicle, blank: "@read.blank_od"}'),
        encoding="utf-8")
    return path


def _stored_run(path: Path, readings: list[tuple[float, str]]) -> object:
    """A run as a log stores it, started from ``path`` as it was (whatever validation says
    of it now), with these blank readings (value, sample)."""
    data: list[RunEvent] = [RunStarted(protocol="mtt", content=load_document(path).content)]
    data += [ValueRecorded(step="read", name="blank_od", value=v, unit="OD", text=str(v),
                           sample=s) for v, s in readings]
    events, prev = [], GENESIS
    for seq, item in enumerate(data, 1):
        event = new_event("r", seq, item, AT, "ana", prev)
        events.append(event)
        prev = event.hash
    return fold(events)


def _no_file(sha256: str) -> bytes:
    raise LookupError(sha256)


@pytest.mark.parametrize(("blank", "readings", "why"), [
    ("per: well, count: 24,", [(0.05, "0.032 uM #1"), (0.25, "0.16 uM #1")], "is read per well"),
    ("count: 2,", [(0.05, "0.032 uM #1"), (0.25, "0.16 uM #1")],
     "was read for 2 different samples (0.032 uM #1, 0.16 uM #1)"),
])
def test_a_stored_protocol_referring_to_a_per_sample_value_is_refused_not_averaged(
    tmp_path: Path, blank: str, readings: list[tuple[float, str]], why: str,
) -> None:
    state = _stored_run(_protocol(tmp_path, blank), readings)
    (blocked,) = analysis_blockers(state, _no_file)  # type: ignore[arg-type]
    assert f"parameter blank refers to '@read.blank_od', which {why}" in blocked.reason
    (done,) = run_protocol_analyses(state, _no_file)  # type: ignore[arg-type]
    assert done.result is None and "mix different samples" in (done.error or "")
    assert done.params["blank"] == "@read.blank_od"  # no mean of 0.05 and 0.25 anywhere


def test_replicate_readings_of_one_thing_are_averaged(tmp_path: Path,
                                                     service: RunService) -> None:
    run = service.start(str(_protocol(tmp_path, "count: 2,")))
    service.record_values(run, "read", [("blank_od", "0.05; 0.07")])
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    (done,) = service.finish(run, incomplete="test: only the analysis").analyses
    assert done.data.error is None, done.data.error
    assert float(done.data.params["blank"]) == pytest.approx(0.06)
