"""A plate spec file: frozen pydantic models, every error at its FILE:LINE:COL."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from elab.domain.plate import Control, Factor, Pin, format_from_text
from elab.domain.plate.spec_file import PlateSpecFile, plate_spec_schema, spec_from_file
from elab.errors import ProtocolErrors

SPECS = Path(__file__).parent / "data" / "specs"


def test_the_mtt_spec_becomes_a_design_spec() -> None:
    spec = spec_from_file(SPECS / "mtt.yaml")
    assert spec.factors == (Factor("dose", ("0.01 uM", "0.1 uM", "1 uM", "10 uM")),)
    assert spec.controls == (Control("vehicle", "vehicle", 3), Control("medium only", "blank", 3))
    assert spec.replicates == 3 and spec.edge == "medium"
    assert spec.plate == format_from_text(96)
    assert spec.pins == (Pin("vehicle", "B2", 1),)


def test_every_shape_error_is_reported_at_its_place() -> None:
    with pytest.raises(ProtocolErrors) as caught:
        spec_from_file(SPECS / "typos.yaml")
    lines = [str(e) for e in caught.value.errors]
    file = str(SPECS / "typos.yaml")
    assert f"{file}:3:18: unknown key 'levls' (did you mean 'levels'?)" in lines
    assert f"{file}:3:5: missing required key 'levels'" in lines
    assert any(line.startswith(f"{file}:4:13: replicates:") for line in lines)
    assert any(line.startswith(f"{file}:6:27: controls.0.kind:") and "did you mean 'vehicle'"
               in line for line in lines)
    assert any(line.startswith(f"{file}:7:7: edge:") for line in lines)
    assert len(lines) == 5


def test_a_pin_on_an_unknown_condition_names_the_file() -> None:
    with pytest.raises(ProtocolErrors, match="unknown condition 'vehicle'") as caught:
        spec_from_file(SPECS / "unknown_pin.yaml")
    assert caught.value.location is not None
    assert caught.value.location.file == str(SPECS / "unknown_pin.yaml")


def test_models_are_frozen_and_refuse_unknown_keys() -> None:
    model = PlateSpecFile.model_validate({"factors": [{"name": "d", "levels": ["1 nM"]}]})
    with pytest.raises(ValidationError):
        model.replicates = 5  # type: ignore[misc]
    with pytest.raises(ValidationError, match="repeated"):
        PlateSpecFile.model_validate({"factors": [{"name": "d", "levels": ["1 nM", "1 nM"]}]})


def test_the_schema_lists_the_keys_and_the_control_kinds() -> None:
    schema = plate_spec_schema()
    assert {"factors", "replicates", "controls", "pins", "edge"} <= set(schema["properties"])
    assert "vehicle" in schema["$defs"]["ControlEntry"]["properties"]["kind"]["enum"]
    assert schema["additionalProperties"] is False
