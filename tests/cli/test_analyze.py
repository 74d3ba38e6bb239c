"""``elab analyze`` from the shell: listing, running hooks, JSON contract, plots, bad input,
and a third-party plugin installed from ``tests/data/plugin_pkg``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_calls import run

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "unit" / "analysis" / "data"
PLUGIN = ROOT / "tests" / "data" / "plugin_pkg"


def shell(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "elab.cli.main", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)


def test_list_names_every_built_in(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["analyze", "--list"], capsys)
    assert code == 0, err
    for name in ("ic50", "combination-index", "ddct", "wound-closure", "transwell",
                 "tumour-growth", "densitometry", "flow-frequencies"):
        assert name in out
    code, out, _ = run(["analyze", "--list", "--json"], capsys)
    hooks = {h["name"]: h for h in json.loads(out)["hooks"]}
    assert [p["name"] for p in hooks["ic50"]["params"]] == [
        "model", "bottom", "normalize", "blank", "constrain", "reference"]


def test_ic50_json_contract_and_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png = tmp_path / "curve.png"
    code, out, err = run(["analyze", "ic50", str(DATA / "drc_ryegrass.csv"), "--json",
                          "--plot", str(png)], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"hook", "method", "results", "warnings", "headline"}
    (curve,) = data["results"]
    assert curve["absolute_ic50"]["unit"] == "mM"
    assert {"group", "ic50", "hill", "top", "bottom", "r2", "n"} <= set(curve)
    assert curve["ic50"]["unit"] == "mM"
    assert curve["ic50"]["value"] == pytest.approx(3.05795, rel=1e-4)
    assert len(curve["ic50"]["ci95"]) == 2
    assert png.read_bytes().startswith(b"\x89PNG")


def test_params_and_several_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = (DATA / "drc_ryegrass.csv").read_text().splitlines()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join(lines[:13]) + "\n")
    second.write_text("\n".join([lines[0], *lines[13:]]) + "\n")
    code, out, err = run(["analyze", "ic50", str(first), str(second), "--param", "model=3pl",
                          "--param", "bottom=0", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["results"][0]["n"] == 24
    assert json.loads(out)["results"][0]["bottom"]["value"] == 0


def test_text_output_states_method_and_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    # the published example normalises a 0.96-cycle GAPDH difference: above the default limit
    code, out, err = run(["analyze", "ddct", str(DATA / "livak_separate_tube.csv"),
                          "-p", "reference=GAPDH", "-p", "control=brain",
                          "-p", "max_ref_shift=1"], capsys)
    assert code == 0, err
    assert out.startswith("ddct: Livak & Schmittgen (2001) 2^-ΔΔCt method")
    assert "fold_change: 5.637" in out
    assert "» c-myc in kidney vs brain: 5.637-fold, n = 1 vs 1" in out
    code, out, err = run(["analyze", "ddct", str(DATA / "livak_separate_tube.csv"),
                          "-p", "reference=GAPDH", "-p", "control=brain"], capsys)
    assert code == 0, err
    assert "» c-myc in kidney vs brain: no fold change (unstable reference gene GAPDH" in out


def test_an_unknown_control_lists_the_table_s_conditions(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["analyze", "ddct", str(DATA / "livak_separate_tube.csv"),
                        "-p", "reference=GAPDH", "-p", "control=vehicle"], capsys)
    assert code == 1
    assert "unknown control condition 'vehicle'; the table's conditions: brain, kidney" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "ic5", "x.csv"], "did you mean 'ic50'"),
        (["analyze", "ic50", "missing.csv"], "missing.csv"),
        (["analyze", "ic50", "BADDATA", "--param", "modle=3pl"], "did you mean 'model'"),
        (["analyze", "ddct", "BADDATA"], "needs a column 'sample'"),
    ],
)
def test_bad_input_is_one_line_exit_1(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(DATA / "drc_ryegrass.csv") if a == "BADDATA" else a for a in args]
    code, out, err = run(args, capsys)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["analyze"], capsys)[0] == 2
    assert run(["analyze", "ic50"], capsys)[0] == 2
    assert run(["analyze", "ic50", str(DATA / "drc_ryegrass.csv"), "-p", "novalue"], capsys)[0] == 2


def test_real_process_has_no_traceback() -> None:
    done = shell(["analyze", "ic50", str(DATA / "drc_ryegrass.csv"), "--param", "model=5pl"])
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("elab: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_third_party_plugin_is_listed_and_runs(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(PLUGIN, source)  # build in a copy: setuptools writes egg-info beside it
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    listed = shell(["analyze", "--list"], env)
    assert listed.returncode == 0, listed.stderr
    assert "cell-count-total" in listed.stdout and "ic50" in listed.stdout
    counts = tmp_path / "counts.csv"
    counts.write_text("condition,count\nctrl,10\nctrl,5\ndrug,2\n")
    ran = shell(["analyze", "cell-count-total", str(counts), "--param", "scale=2", "--json"], env)
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert data["hook"] == "cell-count-total"
    assert data["results"] == [{"condition": "ctrl", "total": 30.0},
                               {"condition": "drug", "total": 4.0}]
    # Without the plugin on the path it is unknown, and the error names what is installed.
    missing = shell(["analyze", "cell-count-total", str(counts)])
    assert missing.returncode == 1
    assert "unknown analysis hook 'cell-count-total'" in missing.stderr
    assert "installed hooks: combination-index, ddct" in missing.stderr


def test_ic50_with_plate_layout_subtracts_blanks_and_scales_to_vehicle(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Readings from a stated model: signal = 0.05 background + 1.2 × 1/(1 + (dose/150 nM)),
    # doses written in the layout in mixed units, as elab plate layout writes them.
    ic50, background, top = 150.0, 0.05, 1.2
    layout = ["plate,well,condition,dose,replicate,control"]
    reads = ["well,response"]
    doses = [("10 nM", 10.0), ("30 nM", 30.0), ("100 nM", 100.0), ("300 nM", 300.0),
             ("1 uM", 1000.0), ("3 uM", 3000.0), ("10 uM", 10000.0)]
    wells = iter(f"{r}{c}" for r in "BCDEFG" for c in range(2, 12))
    for text, nm in doses:
        for rep in (1, 2):
            well = next(wells)
            layout.append(f"1,{well},{text},{text},{rep},")
            reads.append(f"{well},{background + top / (1 + nm / ic50)!r}")
    for kind, value in (("vehicle", background + top), ("blank", background)):
        for rep in (1, 2, 3):
            well = next(wells)
            layout.append(f"1,{well},{kind},,{rep},{kind}")
            reads.append(f"{well},{value!r}")
    (tmp_path / "layout.csv").write_text("\n".join(layout) + "\n")
    (tmp_path / "reads.csv").write_text("\n".join(reads) + "\n")
    code, out, err = run(["analyze", "ic50", str(tmp_path / "reads.csv"), "--layout",
                          str(tmp_path / "layout.csv"), "-p", "normalize=vehicle", "--json"],
                         capsys)
    assert code == 0, err
    data = json.loads(out)
    (curve,) = data["results"]
    assert curve["absolute_ic50"]["unit"] == "nM"
    assert curve["absolute_ic50"]["value"] == pytest.approx(ic50, rel=1e-6)
    assert curve["top"]["value"] == 100.0
    assert "blank wells was subtracted" in data["method"]


def test_layout_without_the_well_is_one_line_error(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "layout.csv").write_text("plate,well,condition,dose,replicate,control\n"
                                         "1,B2,a,1 uM,1,\n")
    (tmp_path / "reads.csv").write_text("well,response\nB02,1.0\nC3,0.5\n")
    code, _, err = run(["analyze", "ic50", str(tmp_path / "reads.csv"), "--layout",
                        str(tmp_path / "layout.csv")], capsys)
    assert code == 1
    assert "well C3 is not in the layout" in err
