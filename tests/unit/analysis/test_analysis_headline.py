"""The headline numbers lead: each result carries them, the record and finish screen print them."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

from elab.domain.analysis import run_hook
from elab.domain.records.build import analysis_from_result
from elab.domain.runs.kinds import AnalysisDone
from elab.tui.finish import analysis_summary

CURVE = "dose [uM],response\n0,100\n0.1,95\n0.3,88\n1,70\n3,40\n10,18\n30,8\n100,5\n"


def test_ic50_headline_reaches_record_and_finish_screen() -> None:
    result = run_hook("ic50", CURVE).to_json()
    (sentence,) = result["headline"]
    assert sentence.startswith("IC50 all (relative): ")
    assert "95 % CI" in sentence and "µM" in sentence
    assert analysis_from_result("ic50", result).headline == (sentence,)
    summary = analysis_summary(AnalysisDone(hook="ic50", result=result))
    assert summary.startswith("ic50: 1 result row(s) — IC50 all (relative): ")


def _sample_record() -> object:
    path = Path(__file__).parents[1] / "records" / "records_sample.py"
    spec = importlib.util.spec_from_file_location("records_sample_for_headline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sample_record()


def test_record_prints_the_headline_above_the_table() -> None:
    from elab.render.record import record_html, record_markdown

    result = run_hook("ic50", CURVE).to_json()
    analysis = analysis_from_result("ic50", result)
    record = dataclasses.replace(_sample_record(), analyses=(analysis,))  # type: ignore[type-var]
    (sentence,) = analysis.headline
    lead = sentence.split(" (95")[0]  # "IC50 all (relative): 2.1 µM"
    for text in (record_markdown(record), record_html(record)):  # type: ignore[arg-type]
        assert lead in text
        assert text.index(lead) < text.index(result["method"][:20])
