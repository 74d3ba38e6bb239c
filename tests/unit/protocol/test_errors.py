"""Each kind of protocol mistake is reported as FILE:LINE:COL: message at the exact place."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import load_protocol
from elab.errors import ProtocolErrors

DATA = Path(__file__).parent / "data"


def errors_of(name: str, **kwargs: object) -> list[str]:
    path = DATA / name
    with pytest.raises(ProtocolErrors) as caught:
        load_protocol(path, library=[DATA], **kwargs)  # type: ignore[arg-type]
    return [str(e).replace(str(DATA) + "/", "") for e in caught.value.errors]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("syntax.yaml", "syntax.yaml:6:1: YAML syntax error"),
        (
            "unknown_key.yaml",
            "unknown_key.yaml:7:5: unknown key 'incubat' (did you mean 'incubate'?)",
        ),
        ("missing_key.yaml", "missing_key.yaml:1:1: missing required key 'title'"),
        ("bad_quantity.yaml", "bad_quantity.yaml:7:15: 'five minutes' is not a quantity"),
        ("wrong_volume.yaml", "wrong_volume.yaml:10:36: '600 ug' is not a volume (a mass)"),
        (
            "wrong_temperature.yaml",
            "wrong_temperature.yaml:7:44: '37 min' is not a temperature (a duration)",
        ),
        (
            "backwards_range.yaml",
            "backwards_range.yaml:7:26: range '48-12 h' runs backwards: 48 is above 12",
        ),
        (
            "undeclared.yaml",
            "undeclared.yaml:12:20: undeclared material 'mediun' (did you mean 'medium'?)",
        ),
        ("undeclared.yaml", "undeclared.yaml:13:17: undeclared equipment 'centrifuge'"),
        (
            "unknown_after.yaml",
            "unknown_after.yaml:9:13: after: unknown step 'sede' (did you mean 'seed'?)",
        ),
        ("cycle.yaml", "cycle.yaml:7:12: the step graph has a cycle: a -> b -> c -> a"),
        ("duplicate_ids.yaml", "duplicate_ids.yaml:7:9: duplicate step id 'wash'"),
        ("duplicate_key.yaml", 'duplicate_key.yaml:3:1: duplicate key "title" with value "Second"'),
        (
            "fluor_reuse.yaml",
            "fluor_reuse.yaml:7:39: fluorochrome 'FITC' is used twice in the panel ('cd3' and 'cd8')",
        ),
        (
            "extends_missing.yaml",
            "extends_missing.yaml:2:10: cannot find protocol 'base-asay' (did you mean 'base-assay'?)",
        ),
        ("loop_a.yaml", "loop_b.yaml:2:10: extends/include cycle: loop_a -> loop_b -> loop_a"),
    ],
)
def test_error_is_located(name: str, expected: str) -> None:
    found = errors_of(name)
    assert any(e.startswith(expected) for e in found), found


def test_a_file_reports_all_its_errors() -> None:
    found = errors_of("many_errors.yaml")
    assert [e.split(": ")[0] for e in found] == [
        "many_errors.yaml:4:1",
        "many_errors.yaml:8:15",
        "many_errors.yaml:11:13",
    ]
    assert "'5 parsecs' is not a time (a length)" in found[1]


def test_parameter_override_of_the_wrong_unit_is_refused() -> None:
    found = errors_of("base-assay.yaml", params={"incubation": "24 uL"})
    assert found == ["--param: incubation=24 uL: '24 uL' is not a time (a volume)"]


def test_parameter_override_outside_its_range_is_refused() -> None:
    found = errors_of("base-assay.yaml", params={"incubation": "72 h"})
    assert found == ["--param: incubation=72 h is outside the allowed range 12–48 h"]


def test_unknown_parameter_override_suggests_the_name() -> None:
    found = errors_of("base-assay.yaml", params={"incubaton": "24 h"})
    assert "did you mean 'incubation'" in found[0]


def test_parameter_override_flows_into_the_steps() -> None:
    protocol = load_protocol(DATA / "base-assay.yaml", params={"incubation": "36 h"})
    passive = protocol.step("incubate").incubate
    assert passive is not None
    assert passive.duration.low == 36.0
    assert passive.duration.unit == "hour"


def test_override_in_another_unit_is_converted_to_the_declared_one() -> None:
    protocol = load_protocol(DATA / "base-assay.yaml", params={"incubation": "1 d"})
    passive = protocol.step("incubate").incubate
    assert passive is not None
    assert (passive.duration.low, passive.duration.unit) == (24.0, "hour")
