"""A run reopens whatever order its stored protocol copy lists the derived values in.

The copy a run keeps is canonical JSON with sorted keys, so ``dmso_volume`` (which uses
``stock_volume``) comes first in it; the loader used to refuse that copy, and with it
``runs status``, ``finish`` and ``record`` of the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROTOCOL = """\
id: dmso-last
title: A working stock whose vehicle volume sorts before the stock volume it uses
version: "1"
parameters:
  drug_conc: {default: 1 uM, range: 0.01-5 uM}
  working_volume: {default: 20 uL, range: 10-100 uL}
materials:
  drug: {name: drug stock in DMSO, vehicle: dmso}
  dmso: {name: DMSO}
steps:
  - id: thaw
    title: Thaw the stock and note its concentration
    record:
      stock_conc: {unit: mM, range: 1-50 mM, required: true}
  - id: mix
    title: Make the 1000x working stock
    after: [thaw]
    derive:
      stock_volume: {expr: drug_conc * 1000 * working_volume / stock_conc, unit: uL}
      dmso_volume: {expr: working_volume - stock_volume, unit: uL}
    uses:
      - {material: drug, note: stock_volume}
      - {material: dmso, note: dmso_volume}
"""


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str) -> dict[str, str]:
    folder = tmp_path / "protocols"
    folder.mkdir()
    (folder / "dmso-last.yaml").write_text(PROTOCOL, encoding="utf-8")
    return {**os.environ, "ELAB_DATABASE_URL": sqlite_url, "ELAB_OPERATOR": "ana",
            "ELAB_PROTOCOLS": str(folder)}


def elab(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "elab.cli.main", *args], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def derived(env: dict[str, str], run: str) -> dict[str, tuple[list[float | None], list[str]]]:
    shown = json.loads(elab(env, "runs", "status", run, "--json"))["derived"]
    return {d["name"]: (d["values"], d["needs"]) for d in shown}


def test_a_run_computes_reopens_finishes_and_records(env: dict[str, str], tmp_path: Path) -> None:
    run = elab(env, "runs", "start", "dmso-last").strip()
    # dmso_volume waits for what stock_volume waits for, not for stock_volume itself
    assert derived(env, run) == {"dmso_volume": ([], ["stock_conc"]),
                                 "stock_volume": ([], ["stock_conc"])}
    elab(env, "runs", "done", run, "thaw", "--value", "stock_conc=10 mM")
    # 1 µM × 1000 × 20 µL / 10 mM = 2 µL of stock, 18 µL of DMSO
    assert derived(env, run) == {"dmso_volume": ([18.0], []), "stock_volume": ([2.0], [])}
    elab(env, "runs", "done", run, "mix")
    elab(env, "runs", "finish", run)
    out = tmp_path / "record.md"
    elab(env, "record", run, "--format", "md", "--output", str(out))
    text = out.read_text(encoding="utf-8")
    assert "dmso_volume = working_volume - stock_volume (with working_volume = 20 µL): 18 µL" \
        in text
    assert "stock_volume = drug_conc \\* 1000 \\* working_volume / stock_conc" in text
    assert "chain intact" in elab(env, "runs", "verify", run)


def test_a_run_stored_by_earlier_versions_reopens_and_verifies(env: dict[str, str]) -> None:
    """The stored copy as every version has written it: sorted keys, hashed as such."""
    from elab.domain.protocol import load_document
    from elab.domain.runs.events import GENESIS, canonical_json, new_event
    from elab.domain.runs.kinds import RunStarted
    from elab.store import EventStore, open_engine

    path = Path(env["ELAB_PROTOCOLS"]) / "dmso-last.yaml"
    document = load_document(path)
    content = json.loads(canonical_json(document.content))
    assert list(content["steps"][1]["derive"]) == ["dmso_volume", "stock_volume"]
    started = RunStarted(protocol="dmso-last", title="old", version="1", path=str(path),
                         content=content, sha256=document.sha256, params={}, variant=None)
    first = new_event("20261123-0a1d0a1d0a1d", 1, started, "2026-11-23T09:00:00Z", "ana",
                      GENESIS)
    store = EventStore(open_engine(env["ELAB_DATABASE_URL"]))
    store.create_run(first, "dmso-last")
    store.engine.dispose()
    run = first.run_id
    elab(env, "runs", "value", run, "thaw", "--value", "stock_conc=5 mM")
    assert derived(env, run) == {"dmso_volume": ([16.0], []), "stock_volume": ([4.0], [])}
    assert "chain intact" in elab(env, "runs", "verify", run)
