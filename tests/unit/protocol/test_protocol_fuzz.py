"""Whatever text is in a protocol file, loading it gives a Protocol or located errors."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elab.domain.protocol import load_protocol
from elab.domain.protocol.loader import protocol_from_tree
from elab.domain.protocol.yamlsource import load_yaml
from elab.errors import ProtocolErrors

BASE = (Path(__file__).parent / "data" / "base-assay.yaml").read_text(encoding="utf-8")


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_is_a_protocol_or_located_errors(text: str) -> None:
    try:
        tree = load_yaml(text, "fuzz.yaml")
        protocol_from_tree(tree, "fuzz.yaml")
    except ProtocolErrors as exc:
        assert exc.errors
        for error in exc.errors:
            assert error.location is not None
            assert error.location.file == "fuzz.yaml"


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(BASE) - 1), st.text(min_size=1, max_size=12))
def test_a_corrupted_library_file_never_crashes(position: int, junk: str) -> None:
    text = BASE[:position] + junk + BASE[position:]
    try:
        protocol_from_tree(load_yaml(text, "corrupt.yaml"), "corrupt.yaml")
    except ProtocolErrors as exc:
        assert all(e.location is not None and e.location.line >= 1 for e in exc.errors)


def test_the_unchanged_base_loads(tmp_path: Path) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_protocol(path).id == "base-assay"
