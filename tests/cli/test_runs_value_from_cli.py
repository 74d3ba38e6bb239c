"""``elab runs value RUN STEP --from FILE``: values from an instrument file, file attached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_calls import run

ROOT = Path(__file__).resolve().parents[2]
NANODROP = str(ROOT / "tests" / "data" / "reader" / "nanodrop_eight_rna.txt")


def test_nanodrop_values_recorded_and_file_attached(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    code, out, err = run(["runs", "start", "qrt-pcr-emt"], capsys)
    assert code == 0, err
    run_id = out.strip()
    code, out, err = run(["runs", "value", run_id, "quantify-rna", "--from", NANODROP], capsys)
    assert code == 0, err
    code, out, err = run(["runs", "status", run_id, "--json"], capsys)
    status = json.loads(out)
    assert [v["value"] for v in status["values"]] == [704.986, 686.535, 710.13]
    assert status["attachments"][0]["filename"] == "nanodrop_eight_rna.txt"
    code, _, err = run(["runs", "value", run_id, "cdna", "--from", NANODROP], capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1
