"""Review 14b A3, A4: a value's declared number of readings holds within one command too,
and a per-sample value given too many readings says how many, not a correction of nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import run

Capsys = pytest.CaptureFixture[str]
SEVEN = "rna_conc=100;100;100;100;100;100;100 ng/uL"
H_SCORES = "h_score=" + ";".join(["5"] * 17)


@pytest.fixture(autouse=True)
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")


def _start(protocol: str, capsys: Capsys) -> str:
    code, out, err = run(["runs", "start", protocol], capsys)
    assert code == 0, err
    return out.strip()


def _refused(args: list[str], capsys: Capsys) -> str:
    code, out, err = run(args, capsys)
    assert code == 1 and out == "", (out, err)
    return err


def _values(run_id: str, capsys: Capsys) -> list[object]:
    code, out, err = run(["runs", "status", run_id, "--json"], capsys)
    assert code == 0, err
    values: list[object] = json.loads(out)["values"]
    return values


@pytest.mark.parametrize("command", ["value", "done"])
def test_seven_readings_for_a_value_that_takes_six_are_refused(
        command: str, capsys: Capsys) -> None:
    rid = _start("qrt-pcr-emt", capsys)
    err = _refused(["runs", command, rid, "quantify-rna", "--value", SEVEN], capsys)
    assert err == "elab: 7 readings given, rna_conc takes 6; add --another for a replicate\n"
    assert _values(rid, capsys) == []


def test_the_limit_counts_readings_already_recorded_and_another_lifts_it(
        capsys: Capsys) -> None:
    rid = _start("qrt-pcr-emt", capsys)
    code, _, err = run(["runs", "value", rid, "quantify-rna", "--value",
                        "rna_conc=100;100 ng/uL"], capsys)
    assert code == 0, err
    five = "rna_conc=1;2;3;4;5 ng/uL"
    err = _refused(["runs", "value", rid, "quantify-rna", "--value", five], capsys)
    assert err == ("elab: 5 readings given, rna_conc takes 4 more (2 of 6 in); "
                   "add --another for a replicate\n")
    code, _, err = run(["runs", "value", rid, "quantify-rna", "--another", "--value", five],
                       capsys)
    assert code == 0, err
    assert len(_values(rid, capsys)) == 7


@pytest.mark.parametrize("args", [
    ["runs", "done", "RUN", "score", "--value", "positive_control_ok=yes", "--value", H_SCORES],
    ["runs", "done", "RUN", "score", "--another", "--value", "positive_control_ok=yes",
     "--value", H_SCORES],
    ["runs", "value", "RUN", "score", "--value", H_SCORES],
])
def test_too_many_per_slide_readings_say_how_many_without_a_correction(
        args: list[str], capsys: Capsys) -> None:
    rid = _start("ihc-fak", capsys)
    err = _refused([rid if a == "RUN" else a for a in args], capsys)
    assert err == "elab: 17 h_score readings given for 16 slides; give one per slide\n"
    assert "runs correct" not in err
    assert _values(rid, capsys) == []
