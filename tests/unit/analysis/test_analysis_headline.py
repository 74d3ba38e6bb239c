"""The headline numbers lead: each result carries them, the record and finish screen print them."""

from __future__ import annotations

from elab.domain.analysis import run_hook
from elab.domain.records.build import analysis_from_result
from elab.tui.finish import analysis_summary

CURVE = "dose [uM],response\n0,100\n0.1,95\n0.3,88\n1,70\n3,40\n10,18\n30,8\n100,5\n"


def test_ic50_headline_reaches_record_and_finish_screen() -> None:
    result = run_hook("ic50", CURVE).to_json()
    (sentence,) = result["headline"]
    assert sentence.startswith("IC50 all (relative): ")
    assert "95 % CI" in sentence and "µM" in sentence
    assert analysis_from_result("ic50", result).headline == (sentence,)
    summary = analysis_summary({"hook": "ic50", "result": result})
    assert summary.startswith("ic50: 1 result row(s) — IC50 all (relative): ")
