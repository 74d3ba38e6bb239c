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
        ("loading_volume", ["protein_conc"], [None] * 45),
        ("water_volume", ["protein_conc"], [None] * 45)]
    elab(sqlite_url, "runs", "value", run, "bca", "--value", "protein_conc=2;1.6;0.8 mg/mL")
    after = json.loads(elab(sqlite_url, "runs", "status", run, "--json"))["derived"]
    loading, water = after
    # one place per lysate in bench order, null until its reading is in
    assert loading["values"] == [10.0, 12.5, 25.0, *[None] * 42]  # 20 µg / 2, / 1.6, / 0.8
    assert water["values"] == [14.0, 11.5, -1.0, *[None] * 42]  # 24 µL minus each
    assert loading["outside"] == water["outside"] == [3]
    assert loading["missing"] == 42 and loading["unit"] == "microliter"
    assert loading["samples"][2] == {
        "sample": "10 nM / 3 h #1", "value": 25.0, "reason": None, "outside": True,
        "inputs": ["protein_conc 0.8 mg/mL"], "needs": []}
    assert loading["samples"][3] == {
        "sample": "100 nM / 3 h #1", "value": None, "reason": "no protein_conc reading",
        "outside": False, "inputs": [], "needs": ["protein_conc"]}
    shown = elab(sqlite_url, "runs", "status", run)
    assert ("derived denature.loading_volume (with protein_per_lane = 20 µg): per lysate: "
            "3 of 45 lysates, 10–25 µL; outside 0–24 µL: 10 nM / 3 h #1") in shown
    assert ("denature lysate 1 nM / 3 h #1: protein_conc 1.6 mg/mL → loading_volume 12.5 µL, "
            "water_volume 11.5 µL") in shown


def test_status_says_the_planned_value_a_default_range_gives(sqlite_url: str) -> None:
    """protein_per_lane defaults to 20-30 µg: the loading volumes use 25 µg, and status says
    so beside them, in text and JSON (the review found the 25 µg nowhere)."""
    run = elab(sqlite_url, "runs", "start", "western-blot-pfak").strip()
    elab(sqlite_url, "runs", "value", run, "bca", "--value", "protein_conc=2;1.6 mg/mL")
    loading = json.loads(elab(sqlite_url, "runs", "status", run, "--json"))["derived"][0]
    assert loading["values"][:3] == [12.5, 15.625, None]  # 25 µg / 2, / 1.6 mg/mL
    assert loading["parameters"] == [{
        "name": "protein_per_lane", "value": 25.0, "unit": "microgram", "range": "20–30 µg",
        "default": True,
        "text": "protein_per_lane = 25 µg, planned from the default 20–30 µg"}]
    shown = elab(sqlite_url, "runs", "status", run)
    assert ("derived denature.loading_volume (with protein_per_lane = 25 µg, planned from the "
            "default 20–30 µg): per lysate: 2 of 45 lysates, 12.5–15.625 µL") in shown


def test_status_lists_per_lysate_readings_without_a_mean(sqlite_url: str) -> None:
    """Two lysates' BCA readings are two samples, not replicates: no mean or SD across them."""
    run = elab(sqlite_url, "runs", "start", "western-blot-pfak").strip()
    elab(sqlite_url, "runs", "value", run, "bca", "--value", "protein_conc=2;1.6 mg/mL")
    (readings,) = json.loads(elab(sqlite_url, "runs", "status", run, "--json"))["readings"]
    samples = readings.pop("samples")
    assert readings == {
        "step": "bca", "name": "protein_conc", "per": "lysate", "expected": 45, "n": 2,
        "text": "2 of 45 lysates: 0.1 nM / 3 h #1 = 2 mg/mL, 1 nM / 3 h #1 = 1.6 mg/mL; "
                "next: 10 nM / 3 h #1"}
    assert [(s["sample"], s["value"]) for s in samples[:3]] == [
        ("0.1 nM / 3 h #1", 2.0), ("1 nM / 3 h #1", 1.6), ("10 nM / 3 h #1", None)]
    shown = elab(sqlite_url, "runs", "status", run)
    assert "value bca protein_conc: 2 of 45 lysates: 0.1 nM / 3 h #1 = 2 mg/mL" in shown
    assert "(mean " not in shown and ", SD " not in shown
