"""`elab validate`, `elab show` and `elab schema` as a scientist runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "unit" / "protocol" / "data"
ROOT = Path(__file__).resolve().parents[2]


def elab(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "elab.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_validate_valid_file_exits_0() -> None:
    result = elab("validate", str(DATA / "base-assay.yaml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 protocol valid"


def test_validate_invalid_file_exits_1_with_located_lines_and_no_traceback() -> None:
    result = elab("validate", "many_errors.yaml", cwd=DATA)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "many_errors.yaml:4:1: unknown key 'stepz' (did you mean 'steps'?)"
    assert len(lines) == 3
    assert "Traceback" not in result.stderr


def test_validate_json_lists_errors() -> None:
    result = elab("validate", "--json", "wrong_temperature.yaml", cwd=DATA)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["errors"][0] == {
        "file": "wrong_temperature.yaml",
        "line": 7,
        "col": 44,
        "severity": "error",
        "check": None,
        "message": "'37 min' is not a temperature (a duration)",
    }


def test_the_library_validates() -> None:
    result = elab("validate", str(ROOT / "protocols"))
    assert result.returncode == 0, result.stderr


def test_the_whole_library_passes_strict() -> None:
    result = elab("validate", "--strict", str(ROOT / "protocols"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_strict_turns_a_science_warning_into_a_failure(tmp_path: Path) -> None:
    source = (ROOT / "protocols" / "bca-assay.yaml").read_text(encoding="utf-8")
    unused = source.replace("  working:", "  spare: {name: spare tube}\n  working:")
    path = tmp_path / "bca-assay.yaml"
    path.write_text(unused, encoding="utf-8")
    relaxed = elab("validate", str(path))
    assert relaxed.returncode == 0
    assert "warning: material 'spare' is declared but no step" in relaxed.stderr
    strict = elab("validate", "--strict", str(path))
    assert strict.returncode == 1
    line = unused.splitlines().index("  spare: {name: spare tube}") + 1
    assert f"{path}:{line}:10: warning: material 'spare'" in strict.stderr


def test_show_prints_times_and_totals() -> None:
    result = elab("show", str(DATA / "timing.yaml"))
    assert result.returncode == 0, result.stderr
    assert "time: 14 h 5 min to open; hands-on 45 min" in result.stdout
    assert "critical path: seed → attach → treat → wash → pcr" in result.stdout


def test_show_json_and_markdown() -> None:
    result = elab("show", str(DATA / "base-assay.yaml"), "--format", "json")
    data = json.loads(result.stdout)
    assert data["critical_path"] == ["seed", "incubate", "read"]
    assert data["min_s"] == (15 + 24 * 60 + 10) * 60
    md = elab("show", str(DATA / "base-assay.yaml"), "--format", "md").stdout
    assert md.startswith("# Base assay")
    assert "| seed | Seed cells | 15 min | 15 min |" in md


def test_show_with_a_bad_param_exits_1() -> None:
    result = elab("show", str(DATA / "base-assay.yaml"), "--param", "incubation=3 d")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "--param: incubation=3 d is outside the allowed range 12–48 h"
    )


def test_unknown_protocol_suggests_the_closest() -> None:
    result = elab("show", "mtt-viabilty")
    assert result.returncode == 1
    assert result.stderr.startswith("elab: unknown protocol 'mtt-viabilty'")


def test_usage_errors_exit_2() -> None:
    assert elab("valdate").returncode == 2
    assert elab("show", "x", "--format", "pdf").returncode == 2


def test_committed_schema_matches_the_model() -> None:
    result = elab("schema")
    assert result.returncode == 0
    committed = (ROOT / "protocols" / "protocol.schema.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json.loads(committed)
    assert "steps" in json.loads(committed)["required"]


def test_a_finding_in_a_parent_is_reported_once(tmp_path: Path) -> None:
    for name in ("transwell-migration", "matrigel-invasion"):
        text = (ROOT / "protocols" / f"{name}.yaml").read_text(encoding="utf-8")
        if name == "transwell-migration":
            text = text.replace("  pbs: {name: PBS}", "  pbs: {name: PBS}\n  spare: {name: spare}")
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    result = elab("validate", "--json", str(tmp_path))
    report = json.loads(result.stdout)
    spare = [w for w in report["warnings"] if "'spare'" in w["message"]]
    assert len(spare) == 1
    assert spare[0]["file"].endswith("transwell-migration.yaml")
    assert report["valid"] == 2


def test_a_tumour_past_the_humane_endpoint_is_an_automatic_deviation(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "ELAB_DATABASE_URL": f"sqlite:///{tmp_path / 'runs.db'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "elab.cli.main", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    started = run("runs", "start", "xenograft-combination")
    assert started.returncode == 0, started.stderr
    run_id = started.stdout.strip()
    assert run("runs", "value", run_id, "calipers", "--value", "length=16 mm").returncode == 0
    status = json.loads(run("runs", "status", run_id, "--json").stdout)
    assert [(d["step"], d["kind"], d["note"]) for d in status["deviations"]] == [
        ("calipers", "auto", "length 16 mm is outside 0–15 mm")]


def test_validate_without_a_path_checks_the_library(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "ELAB_PROTOCOLS": str(DATA), "XDG_DATA_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "elab.cli.main", "validate", "--json"],
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
                            check=False)
    checked = [Path(p) for p in json.loads(result.stdout)["checked"]]
    bundled = sorted((ROOT / "elab" / "protocols").glob("*.yaml"))
    assert {p.resolve() for p in bundled} <= {p.resolve() for p in checked}
    assert any(p.parent == DATA for p in checked)  # ELAB_PROTOCOLS comes first
    assert checked[0].parent == DATA


def test_an_addition_of_nothing_is_one_located_line_for_validate_and_runs_start(
        tmp_path: Path) -> None:
    """Review 13b item 7: it was a ZeroDivisionError traceback, and runs start took it."""
    text = (ROOT / "elab" / "protocols" / "mtt-viability.yaml").read_text(encoding="utf-8")
    assert "addition: 10 uL" in text
    (tmp_path / "mtt.yaml").write_text(text.replace("addition: 10 uL", "addition: 0 uL"),
                                       encoding="utf-8")
    expected = ("mtt.yaml:61:17: dosing of defactinib: addition must be more than 0 µL (the "
                "volume of each series point pipetted into a well)")
    result = elab("validate", "mtt.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (1, expected)
    started = subprocess.run(
        [sys.executable, "-m", "elab.cli.main", "runs", "start", "mtt.yaml"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**os.environ, "ELAB_DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}",
             "ELAB_SIGNER_DIR": str(tmp_path / "signers"),
             "ELAB_CACHE_DIR": str(tmp_path / "cache"),
             "ELAB_RECORDS_DIR": str(tmp_path / "records")})
    assert (started.returncode, started.stderr.strip(), started.stdout) == (1, expected, "")
