"""An analysis parameter ``@STEP.VALUE`` takes one number: a value read once for the run, or
the mean of replicate readings of one thing, never the mean of a value read per sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_calls import run

MTT = Path(__file__).resolve().parents[3] / "protocols" / "mtt-viability.yaml"
BLANK = "blank_od: {unit: OD, range: 0-0.3 OD, required: true,"
PARAMS = "params: {model: 4pl, normalize: vehicle}"


def _mtt(tmp_path: Path, blank: str) -> Path:
    """mtt-viability whose IC50 takes its blank from ``@read.blank_od``, read as ``blank``."""
    text = MTT.read_text(encoding="utf-8")
    assert BLANK in text and PARAMS in text
    path = tmp_path / "mtt.yaml"
    path.write_text(text.replace(BLANK, f"blank_od: {{unit: OD, range: 0-0.3 OD, {blank}")
                    .replace(PARAMS, PARAMS[:-1] + ', blank: "@read.blank_od"}'),
                    encoding="utf-8")
    return path


def test_a_reference_to_a_value_read_per_sample_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _mtt(tmp_path, "per: well, count: 24,")
    code, _out, err = run(["validate", str(path)], capsys)
    assert code == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "@read.blank_od" in text)
    (message,) = [m for m in err.splitlines() if "@read.blank_od" in m]
    assert message.startswith(f"{path}:{line}:")
    assert "parameter blank refers to '@read.blank_od', which is read per well" in message
    assert "different samples" in message


@pytest.mark.parametrize("blank", ["", "count: 3,"])
def test_replicate_readings_of_one_thing_may_be_averaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], blank: str
) -> None:
    code, _out, err = run(["validate", str(_mtt(tmp_path, blank))], capsys)
    assert (code, err) == (0, "")
