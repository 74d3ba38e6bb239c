"""What an analysis takes from the run: one number per ``@STEP.VALUE`` parameter, and every
file it read (the reader's export and the plate layout that said what each well held), named
in its event and in the record; and what the record says of the earlier attempts."""

from __future__ import annotations

import hashlib
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
    # the readings it took the mean of are named in the event and the record
    seqs = [v.seq for v in service.state(run).values]
    assert done.data.values == {"blank": {"ref": "@read.blank_od", "seqs": seqs}}
    from elab.services.record_parts import analyses_of

    (shown,) = analyses_of(service.state(run))
    (blank,) = [v for k, v in shown.params if k == "blank"]
    assert blank.endswith(f" (@read.blank_od: #{seqs[0]}, #{seqs[1]})")


def _layout_in_nm(tmp_path: Path) -> Path:
    """The grid's layout with every dose in nM instead of µM: the same wells, another IC50."""
    lines = (DATA / "grid_mtt_layout.csv").read_text(encoding="utf-8").splitlines()
    out = tmp_path / "layout-nm.csv"
    out.write_text("\n".join(line.replace(" uM", " nM") for line in lines) + "\n",
                   encoding="utf-8")
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_file_an_analysis_read_is_named_the_layout_included(
    tmp_path: Path, service: RunService,
) -> None:
    from elab.services.record_parts import analyses_of

    run = service.start(str(MTT))
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    (first,) = service.finish(run, incomplete="test: only the analysis").analyses
    files = {f["name"]: f for f in first.data.files}
    seqs = {a.data.name: a.seq for a in service.state(run).attachments}
    assert files["layout"] == {"name": "layout", "filename": "grid_mtt_layout.csv",
                               "seq": seqs["layout"],
                               "sha256": _sha(DATA / "grid_mtt_layout.csv")}
    assert files["absorbance"]["seq"] == seqs["absorbance"]

    service.attach(run, "layout", _layout_in_nm(tmp_path))
    service.analyze(run, "ic50")
    state = service.state(run)
    layout_b = state.attachments[-1]
    (curve,) = state.analyses[-1].data.result["results"]  # type: ignore[index]
    assert curve["ic50"]["unit"] == "nM"  # the new layout changed the result...
    (shown,) = analyses_of(state)
    named = {f.name: f for f in shown.inputs}
    # ...and the record says which layout it used: its event number and SHA-256
    assert (named["layout"].seq, named["layout"].sha256, named["layout"].filename) == (
        layout_b.seq, _sha(tmp_path / "layout-nm.csv"), "layout-nm.csv")
    assert named["absorbance"].seq == seqs["absorbance"]


def test_an_analysis_of_a_tidy_table_naming_its_conditions_reads_no_layout(
    tmp_path: Path, service: RunService,
) -> None:
    tidy = tmp_path / "od.csv"
    tidy.write_text("condition,dose [uM],response,control\nvehicle,,1,vehicle\n"
                    + "".join(f"{d} uM,{d},{r},\n" for d, r in ((0.1, 0.9), (1, 0.5), (10, 0.1)))
                    , encoding="utf-8")
    run = service.start(str(MTT))
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    service.attach(run, "absorbance", tidy)
    (done,) = service.finish(run, incomplete="test").analyses
    assert [f["name"] for f in done.data.files] == ["absorbance"]


def test_earlier_attempts_say_which_failed_rather_than_counting_them_as_results(
    tmp_path: Path, service: RunService,
) -> None:
    from elab.services.record_parts import analyses_of
    from elab.services.record_source import ServiceRunSource
    from elab.services.records import render_record

    run = service.start(str(MTT))
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    (failed,) = service.finish(run, incomplete="test: the layout was not kept").analyses
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    (result,) = service.analyze(run, "ic50")
    (latest,) = service.analyze(run, "ic50")
    (shown,) = analyses_of(service.state(run))
    assert (shown.replaces, shown.failed) == ((failed.seq, result.seq), (failed.seq,))
    assert latest.seq == shown.seq
    md, _ = render_record(run, "md", source=ServiceRunSource(service), lab_templates=tmp_path)
    html, _ = render_record(run, "html", source=ServiceRunSource(service), lab_templates=tmp_path)
    said = (f"earlier attempts in the log: #{failed.seq} (failed), #{result.seq}")
    assert said in md.decode() and said in html.decode()
    assert "earlier results" not in md.decode()


def test_the_record_names_the_layout_among_the_inputs(tmp_path: Path,
                                                      service: RunService) -> None:
    from elab.services.record_source import ServiceRunSource
    from elab.services.records import render_record

    run = service.start(str(MTT))
    service.attach(run, "absorbance", DATA / "grid_mtt.csv")
    service.attach(run, "layout", DATA / "grid_mtt_layout.csv")
    service.finish(run, incomplete="test: only the analysis")
    layout = service.state(run).attachments[-1]
    md, _ = render_record(run, "md", source=ServiceRunSource(service), lab_templates=tmp_path)
    assert (f"- Input layout (grid_mtt_layout.csv, #{layout.seq}): SHA-256 "
            f"{layout.data.sha256}") in md.decode()


def test_events_written_before_files_were_named_still_read() -> None:
    from elab.domain.runs.kinds import AnalysisDone

    old = {"hook": "ic50", "inputs": ["absorbance"], "params": {}, "error": "not run"}
    event = AnalysisDone.from_payload(old)
    assert event.files == () and event.to_payload() == old  # the new key is optional
