"""Arms from the shell: `elab show` lists each time point's steps, `elab validate` locates
an arm mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PFAK = ROOT / "protocols" / "western-blot-pfak.yaml"


def elab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "elab.cli.main", *args],
                          capture_output=True, text=True, timeout=120)


def test_show_names_the_arms_and_each_time_points_exposure() -> None:
    result = elab("show", "western-blot-pfak")
    assert result.returncode == 0, result.stderr
    assert ("arms: time (3 h, 24 h, 48 h), stagger: harvest; steps exposure, lyse, spin, "
            "store") in result.stdout
    rows = {line.split()[0]: line for line in result.stdout.splitlines()
            if line.startswith("  exposure")}
    assert list(rows) == ["exposure.3h", "exposure.24h", "exposure.48h"]
    assert "2 d" in rows["exposure.48h"] and "Exposure for 48 h" in rows["exposure.48h"]
    steps = json.loads(elab("show", "western-blot-pfak", "--json").stdout)["steps"]
    bca = next(s for s in steps if s["id"] == "bca")
    assert bca["after"] == ["store.3h", "store.24h", "store.48h"]


def test_validate_locates_an_unknown_factor(tmp_path: Path) -> None:
    text = PFAK.read_text(encoding="utf-8").replace("for_each: time\n    incubate",
                                                    "for_each: times\n    incubate")
    path = tmp_path / "western-blot-pfak.yaml"
    path.write_text(text, encoding="utf-8")
    result = elab("validate", str(path))
    assert result.returncode == 1
    line = text[: text.index("for_each: times")].count("\n") + 1
    assert f"western-blot-pfak.yaml:{line}:15: for_each: unknown design factor 'times' " \
           "(did you mean 'time'?)" in result.stderr
    assert "Traceback" not in result.stderr
