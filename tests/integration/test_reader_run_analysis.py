"""A reader's own export attached at the read step is joined with the run's recorded layout
and analysed when the run finishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.errors import InputError, RunStateError
from elab.services.runs import RunService

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "reader"
MTT = str(ROOT / "protocols" / "mtt-viability.yaml")


def test_grid_export_and_recorded_layout_give_the_ic50(service: RunService) -> None:
    run = service.start(MTT)
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    (analysis,) = service.finish(run, incomplete="test: only the analysis is under test").analyses
    assert analysis.data.error is None and analysis.data.result is not None, analysis.data.error
    (curve,) = analysis.data.result["results"]
    assert curve["ic50"]["value"] == pytest.approx(1.0, rel=1e-3)  # the grid's true IC50
    assert curve["ic50"]["unit"] == "uM"
    assert any("blank 0.06 OD (mean of 3 blank wells) subtracted" in n
               for n in analysis.data.import_notes)


def test_a_vendor_workbook_is_read_through_allotropy(service: RunService,
                                                     tmp_path: Path) -> None:
    layout = tmp_path / "layout.csv"
    layout.write_text("plate,well,condition,dose,replicate,control\n"
                      "1,A1,medium,,1,blank\n1,A2,medium,,2,blank\n"
                      "1,A3,vehicle,,1,vehicle\n1,A4,vehicle,,2,vehicle\n"
                      + "".join(f"1,B{c},{d} uM,{d} uM,1,\n"
                                for c, d in zip(range(1, 7), (0.1, 0.3, 1, 3, 10, 30),
                                                strict=True)), encoding="utf-8")
    run = service.start(MTT)
    service.attach(run, "layout", layout)
    service.attach(run, "absorbance", DATA / "magellan_od.xlsx")
    (analysis,) = service.finish(run, incomplete="test: only the analysis is under test").analyses
    assert analysis.data.error is None, analysis.data.error
    assert any("format tecan-magellan" in n for n in analysis.data.import_notes)


def test_without_a_recorded_layout_a_workbook_is_a_clear_error(service: RunService) -> None:
    run = service.start(MTT)
    service.attach(run, "absorbance", DATA / "magellan_od.xlsx")
    (analysis,) = service.finish(run, incomplete="test: only the analysis is under test").analyses
    assert "ic50 needs the plate layout" in (analysis.data.error or "")
    assert f"elab runs attach {run} layout FILE" in (analysis.data.error or "")


def test_a_reader_export_without_a_layout_is_said_before_finishing(service: RunService) -> None:
    run = service.start(MTT)
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    (blocked,) = service.analysis_blockers(run)
    assert blocked.hook == "ic50"
    assert blocked.reason.startswith("ic50 needs the plate layout")
    assert "bench sheet" in blocked.reason and f"elab runs attach {run} layout FILE" in (
        blocked.reason)
    (analysis,) = service.finish(run, incomplete="test: the layout was not kept").analyses
    error = analysis.data.error or ""
    assert error == blocked.reason  # the event says what the warning said, not a row count
    assert "cells, the header" not in error


def test_an_analysis_runs_again_on_the_completed_run_once_the_layout_is_there(
    service: RunService,
) -> None:
    from elab.services.record_parts import analyses_of

    run = service.start(MTT)
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    failed = service.finish(run, incomplete="test: the layout was not kept").analyses[0]
    with pytest.raises(InputError, match=r"nothing was added.*ic50 needs the plate layout"):
        service.analyze(run)
    assert len(service.state(run).analyses) == 1  # a refused rerun appends nothing
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    assert service.analysis_blockers(run) == []
    (event,) = service.analyze(run, "ic50")
    state = service.state(run)
    assert [a.seq for a in state.analyses] == [failed.seq, event.seq]  # the log keeps both
    (curve,) = state.analyses[-1].data.result["results"]  # type: ignore[index]
    assert curve["ic50"]["value"] == pytest.approx(1.0, rel=1e-3)
    assert state.ended_seq is not None and event.seq > state.ended_seq
    (shown,) = analyses_of(state)  # the record shows the latest, run after completion
    assert (shown.seq, shown.after_completion, shown.replaces, shown.operator) == (
        event.seq, True, (failed.seq,), "ana")
    assert shown.error == "" and shown.rows


def test_analyze_is_for_completed_runs_and_known_analyses(service: RunService) -> None:
    run = service.start(MTT)
    with pytest.raises(RunStateError, match="running: its analyses run when it finishes"):
        service.analyze(run)
    service.finish(run, incomplete="test")
    with pytest.raises(InputError, match="has no analysis 'ic5'; its analyses: ic50"):
        service.analyze(run, "ic5")
    aborted = service.start(MTT)
    service.abort(aborted, "contaminated")
    with pytest.raises(RunStateError, match="aborted run is not analysed"):
        service.analyze(aborted)


def test_a_completed_run_says_what_may_still_be_added(service: RunService) -> None:
    run = service.start(MTT)
    service.finish(run, incomplete="test")
    with pytest.raises(RunStateError) as refused:
        service.record_values(run, "read", [("blank_od", "0.06 OD")])
    message = str(refused.value)
    assert "values" in message and "closed" in message
    for allowed in ("elab runs note", "elab runs attach", "elab runs correct",
                    "elab runs analyze", "elab runs sign"):
        assert allowed in message
    service.note(run, None, "an addendum")  # and these are indeed accepted
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")


def test_a_layout_attachment_that_does_not_read_is_named(service: RunService,
                                                          tmp_path: Path) -> None:
    wrong = tmp_path / "plate.csv"
    wrong.write_text("this is not a layout\n", encoding="utf-8")
    run = service.start(MTT)
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    service.attach(run, "layout", wrong)
    (blocked,) = service.analysis_blockers(run)
    assert "the attachment 'layout' (plate.csv) does not read as one" in blocked.reason
    assert f"elab runs attach {run} layout FILE" in blocked.reason


def test_a_table_without_the_hooks_columns_is_said_before_finishing(service: RunService,
                                                                     tmp_path: Path) -> None:
    tidy = tmp_path / "od.csv"
    tidy.write_text("well,od [OD]\nB2,0.5\n", encoding="utf-8")
    run = service.start(MTT)
    service.attach(run, "absorbance", tidy)
    (blocked,) = service.analysis_blockers(run)
    assert blocked.reason.startswith("ic50 cannot run: ")
    assert "attachment absorbance: ic50 needs a column 'dose'" in blocked.reason


QPCR = ROOT / "protocols" / "qrt-pcr-emt.yaml"
QUANTSTUDIO = DATA / "quantstudio_comparative_ct.txt"


def _qpcr_protocol(tmp_path: Path, control: str) -> str:
    """qrt-pcr-emt whose ddct analysis compares with ``control``."""
    path = tmp_path / "qpcr.yaml"
    path.write_text(QPCR.read_text(encoding="utf-8").replace(
        "params: {reference: GAPDH, control: vehicle}",
        f"params: {{reference: GAPDH, control: {control}}}"), encoding="utf-8")
    return str(path)


def test_a_qpcr_export_attached_as_ct_values_is_read_as_analyze_reads_it(
    service: RunService, tmp_path: Path,
) -> None:
    """`elab analyze ddct FILE` reads an instrument export; so does finishing a run."""
    from elab.domain.analysis import load_hook
    from elab.domain.analysis.table import table_from_records
    from elab.domain.reader import ct_records
    from elab.services.reader_import import ct_rows_from_file

    rows, _ = ct_rows_from_file(QUANTSTUDIO)
    params = {"reference": "GAPDH", "control": "Liver"}
    expected = load_hook("ddct").run(table_from_records(ct_records(rows)), params)
    run = service.start(_qpcr_protocol(tmp_path, "Liver"), variant="sybr")
    service.attach(run, "ct_values", QUANTSTUDIO)
    assert service.analysis_blockers(run) == []
    (analysis,) = service.finish(run, incomplete="test: only the analysis is under test").analyses
    assert analysis.data.error is None, analysis.data.error
    assert analysis.data.result is not None
    assert analysis.data.result["results"] == expected.to_json()["results"]
    assert any("format appbio-quantstudio" in n for n in analysis.data.import_notes)


def test_a_qpcr_export_with_the_wrong_control_names_the_conditions_it_has(
    service: RunService,
) -> None:
    run = service.start(str(QPCR), variant="sybr")
    service.attach(run, "ct_values", QUANTSTUDIO)
    (analysis,) = service.finish(run, incomplete="test: only the analysis is under test").analyses
    assert analysis.data.error == ("unknown control condition 'vehicle'; the table's "
                                   "conditions: Liver, Lung")
