"""`runs status` shows the protocol's derived values, as the run screen and the record do."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def elab(url: str, *args: str) -> str:
    env = {**os.environ, "ELAB_DATABASE_URL": url, "ELAB_OPERATOR": "ana"}
    result = subprocess.run([sys.executable, "-m", "elab.cli.main", *args], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_status_gives_loading_volumes_from_the_bca_readings(sqlite_url: str) -> None:
    run = elab(sqlite_url, "runs", "start", "western-blot-pfak",
               "--param", "protein_per_lane=20ug").strip()
    before = json.loads(elab(sqlite_url, "runs", "status", run, "--json"))["derived"]
    assert [(d["name"], d["needs"], d["values"]) for d in before] == [
        ("loading_volume", ["protein_conc"], []), ("water_volume", ["protein_conc"], [])]
    elab(sqlite_url, "runs", "value", run, "bca", "--value", "protein_conc=2;1.6;0.8 mg/mL")
    after = json.loads(elab(sqlite_url, "runs", "status", run, "--json"))["derived"]
    loading, water = after
    assert loading["values"] == [10.0, 12.5, 25.0]  # 20 µg / 2, / 1.6, / 0.8 mg/mL
    assert water["values"] == [14.0, 11.5, -1.0]  # 24 µL minus each
    assert loading["outside"] == water["outside"] == [3]
    assert loading["missing"] == 42 and loading["unit"] == "microliter"
    shown = elab(sqlite_url, "runs", "status", run)
    assert "derived denature.loading_volume: 10, 12.5, 25 µL per lysate" in shown
