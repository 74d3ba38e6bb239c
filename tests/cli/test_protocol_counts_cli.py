"""Commands that read a design point at the level or the ``per:`` word that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_calls import run

DATA = Path(__file__).parents[1] / "unit" / "protocol" / "data"


def test_dilute_serial_on_a_dose_typo_names_the_place_and_the_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["dilute", "serial", str(DATA / "dose_unit_typo.yaml")], capsys)
    assert code == 1
    assert out == ""
    assert err.strip().splitlines() == [
        f"{DATA}/dose_unit_typo.yaml:13:25: level '0.8 um' of factor 'dose' is a length "
        "(um is micrometer); the other levels are molar concentrations in uM (did you mean "
        "'0.8 uM'?)"]


def test_validate_refuses_a_per_word_the_design_cannot_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(["validate", str(DATA / "per_plate_no_plate.yaml")], capsys)
    assert code == 1
    assert f"{DATA}/per_plate_no_plate.yaml:15:53: per: 'plate' is nothing" in err


def test_show_counts_a_per_plate_use_by_the_plates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", str(DATA / "per_plate.yaml")], capsys)
    assert code == 0, err
    assert "solubilise: 12 mL × 1 plate + 10 % overage = 13.2 mL" in out
