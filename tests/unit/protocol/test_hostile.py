"""Hostile or absurd protocol files are refused with a located error, never executed."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import load_protocol
from elab.domain.protocol.yamlsource import MAX_BYTES, load_yaml
from elab.errors import ProtocolErrors

DATA = Path(__file__).parent / "data"


def messages(path: Path) -> list[str]:
    with pytest.raises(ProtocolErrors) as caught:
        load_protocol(path)
    return [str(e) for e in caught.value.errors]


def test_object_constructing_tags_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (DATA / "hostile_tag.yaml").read_text().replace("echo pwned", f"touch {marker}")
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    found = messages(path)
    assert found[0].startswith(f"{path}:2:8: YAML tag")
    assert not marker.exists()


def test_alias_bombs_are_refused_without_expanding() -> None:
    found = messages(DATA / "alias_bomb.yaml")
    assert any("aliases (*name) are not allowed" in m for m in found)


def test_huge_files_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("id: huge\n" + "# padding\n" * (MAX_BYTES // 10 + 1))
    size = path.stat().st_size
    assert messages(path) == [f"{path}: {size} bytes is over the {MAX_BYTES} byte protocol file limit"]


def test_non_utf8_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: caf\xe9\n".encode("latin-1"))
    assert messages(path) == [f"{path}: file is not UTF-8 text"]


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    assert messages(path) == [f"{path}:1:1: a protocol file must be a mapping of keys"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e999 min", "'1e999' is too large"),
        ("nan min", "'nan min' is not a quantity"),
        ("-5 min", "'-5 min' cannot be negative"),
        ("2**10 min", "is not a unit"),
        ("__import__('os') min", "is not a quantity"),
        ("5 min + 3 min", "is not a unit"),
    ],
)
def test_absurd_quantities_are_refused(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "absurd.yaml"
    path.write_text(
        f'id: absurd\ntitle: Absurd\nversion: "1"\nsteps:\n  - id: a\n    title: A\n'
        f'    hands_on: "{value}"\n'
    )
    found = messages(path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}:7:15: ")
    assert message in found[0]


def test_bare_c_is_not_taken_for_a_temperature(tmp_path: Path) -> None:
    path = tmp_path / "coulomb.yaml"
    path.write_text(
        'id: c\ntitle: C\nversion: "1"\nsteps:\n  - id: a\n    title: A\n'
        "    incubate: {duration: 1 h, temperature: 37 C}\n"
    )
    assert messages(path) == [
        f"{path}:7:44: bare 'C' is coulomb, not a temperature: write °C or degC"
    ]


def test_unit_definitions_in_a_protocol_are_just_an_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(
        'id: u\ntitle: U\nversion: "1"\nunits:\n  - "smoot = 1.7018 m"\n'
        "steps:\n  - id: a\n    title: A\n"
    )
    found = messages(path)
    assert found[0].startswith(f"{path}:4:1: unknown key 'units'")


def test_an_alias_bomb_is_one_line_per_place_not_one_per_alias() -> None:
    text = 'id: a\ntitle: t\nversion: "1"\nx: &a [1]\ny: [*a, *a, *a, *a]\nsteps: []\n'
    with pytest.raises(ProtocolErrors) as caught:
        load_yaml(text, "p.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "p.yaml:4:4: YAML anchors (&name) are not allowed",
        "p.yaml:4:4: YAML aliases (*name) are not allowed"]
