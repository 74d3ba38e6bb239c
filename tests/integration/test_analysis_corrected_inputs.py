"""An analysis that used a reading corrected after it ran says so, in the record and at the
correction, until it is run again: the record never shows a result beside a reading it was
not computed from without a word."""

from __future__ import annotations

from pathlib import Path

from elab.domain.runs.analysis_inputs import stale_analyses
from elab.services.record_parts import analyses_of
from elab.services.runs import RunService

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "reader"
MTT = ROOT / "protocols" / "mtt-viability.yaml"


def _with_blank(tmp_path: Path) -> Path:
    """mtt-viability whose IC50 subtracts the recorded ``@read.blank_od``."""
    path = tmp_path / "mtt.yaml"
    path.write_text(MTT.read_text(encoding="utf-8").replace(
        "params: {model: 4pl, normalize: vehicle}",
        'params: {model: 4pl, normalize: vehicle, blank: "@read.blank_od"}'), encoding="utf-8")
    return path


def test_a_correction_of_a_reading_an_analysis_used_is_named_until_it_runs_again(
    tmp_path: Path, service: RunService,
) -> None:
    run = service.start(str(_with_blank(tmp_path)))
    [blank] = service.record_values(run, "read", [("blank_od", "0.05")])
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    (done,) = service.finish(run, incomplete="test: only the analysis").analyses
    assert done.data.error is None, done.data.error
    assert stale_analyses(service.state(run)) == []
    [fix] = service.correct(run, blank.seq, [("blank_od", "0.07")], "read the wrong column")
    sentence = (f"analysis ic50 (#{done.seq}) used #{blank.seq}, corrected by #{fix.seq} "
                "since: its result stands on the old reading until it is run again with "
                f"`elab runs analyze {run} ic50`")
    [stale] = stale_analyses(service.state(run))
    assert stale.sentence(run) == sentence
    (shown,) = analyses_of(service.state(run))
    assert sentence in shown.warnings
    service.analyze(run, "ic50")
    assert stale_analyses(service.state(run)) == []
    (shown,) = analyses_of(service.state(run))
    assert sentence not in shown.warnings
