"""A use's ``per:`` names something the protocol can count, or the file is refused there.

Before, any word but ``run`` was read as the design's unit: ``per: wel`` and ``per: plate``
on the MTT solubiliser both validated and ``elab show`` printed 12 mL × 24 wells.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elab.domain.protocol import load_protocol, protocol_from_content, protocol_from_tree
from elab.domain.protocol.counting import per_words
from elab.domain.protocol.describe import material_totals
from elab.domain.protocol.yamlsource import load_yaml
from elab.errors import ProtocolErrors

DATA = Path(__file__).parent / "data"


def errors_of(name: str) -> list[str]:
    with pytest.raises(ProtocolErrors) as caught:
        load_protocol(DATA / name)
    return [str(e).replace(str(DATA) + "/", "") for e in caught.value.errors]


def test_a_misspelt_per_word_is_located_with_a_did_you_mean() -> None:
    assert errors_of("per_typo.yaml") == [
        "per_typo.yaml:16:45: per: 'wel' is nothing the protocol can count (did you mean "
        "'well'?); this protocol counts per run, well, sample, plate"]


def test_per_plate_on_a_design_without_plates_is_located() -> None:
    assert errors_of("per_plate_no_plate.yaml") == [
        "per_plate_no_plate.yaml:15:53: per: 'plate' is nothing the protocol can count; the "
        "design counts wells and gives no plate: to count plates by (add plate: 96, or write "
        "per: well)"]


def test_a_misspelt_solution_word_is_located() -> None:
    assert errors_of("solution_per_typo.yaml") == [
        "solution_per_typo.yaml:12:36: solution per: 'membrne' is not something a solution "
        "is made per (did you mean 'membrane'?)"]


def _total(protocol_text: str, material: str) -> tuple[float | None, tuple[str, ...]]:
    protocol = protocol_from_tree(load_yaml(protocol_text, "p.yaml"), "p.yaml")
    found = next(t for t in material_totals(protocol) if t.material == material)
    return found.total, found.lines


def test_per_plate_counts_the_plates_of_the_layout() -> None:
    text = (DATA / "per_plate.yaml").read_text()
    total, lines = _total(text, "solubiliser")
    assert total == pytest.approx(13.2)
    assert lines[-1].endswith("12 mL × 1 plate + 10 % overage = 13.2 mL")
    # one plate per dose level: two plates, two reservoirs
    total, lines = _total(text.replace("  overage: 10 %\n", "  plate_by: dose\n"),
                          "solubiliser")
    assert total == pytest.approx(24.0)
    assert lines[-1].endswith("12 mL × 2 plates = 24 mL")


def test_exclude_on_a_per_plate_use_is_located() -> None:
    text = (DATA / "per_plate.yaml").read_text().replace(
        "per: plate}", "per: plate, exclude: [1 uM]}")
    with pytest.raises(ProtocolErrors) as caught:
        protocol_from_tree(load_yaml(text, "p.yaml"), "p.yaml")
    assert [str(e) for e in caught.value.errors] == [
        "p.yaml:22:69: exclude: leaves samples out, but per: plate counts plates (write the "
        "amount per well, or per plate without exclude:)"]


@given(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=9))
def test_every_per_word_is_counted_or_refused_at_its_place(word: str) -> None:
    text = (DATA / "per_typo.yaml").read_text().replace("per: wel}", f'per: "{word}"}}')
    tree = load_yaml(text, "p.yaml")
    protocol = None
    try:
        protocol = protocol_from_tree(tree, "p.yaml")
    except ProtocolErrors as caught:
        assert [(e.location.line, e.location.col) for e in caught.errors
                if e.location is not None] == [(16, 45)]
        assert f"per: {word!r} is nothing the protocol can count" in str(caught)
    if protocol is not None:
        assert word in per_words(protocol.design)
    else:
        assert word not in {"run", "well", "sample", "plate"}


def test_a_runs_stored_copy_reopens_though_its_file_would_now_be_refused() -> None:
    # the stored copy of a run started from such a file: it happened as written
    content = load_yaml((DATA / "per_typo.yaml").read_text(), "per_typo.yaml")
    with pytest.raises(ProtocolErrors):
        protocol_from_tree(content, "per_typo.yaml")
    protocol = protocol_from_content(content)
    assert protocol.step("add-mtt").uses[0].per == "wel"
