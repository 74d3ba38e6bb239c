"""The design's samples by name: the names the plate layout gives its wells, in bench order;
a ``per:`` record reads one value for each of them, and its count must say so
(a science check: a count the design does not have is an error of `elab validate`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elab.domain.protocol import load_document, load_protocol, protocol_from_tree
from elab.domain.protocol.samples import match_sample, record_samples, sample_key, sample_names
from elab.domain.protocol.science import science_findings
from elab.domain.runs.values import split_sample
from elab.errors import InputError, NotFoundError

PROTOCOLS = Path(__file__).resolve().parents[3] / "elab" / "protocols"
PFAK = load_protocol(PROTOCOLS / "western-blot-pfak.yaml")
NAMES = sample_names(PFAK.design)

DESIGN = """\
id: lysates
title: Lysates named by the design
version: "1"
design:
  factors:
    - {{name: dose, levels: [1 nM, 10 nM]}}
  replicates: 2
  controls:
    - {{name: DMSO, kind: vehicle, count: 2}}
steps:
  - id: bca
    title: BCA
    record:
      protein_conc: {{unit: mg/mL, per: lysate, count: {count}}}
"""


def write(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "lysates.yaml"
    path.write_text(DESIGN.format(count=count), encoding="utf-8")
    return path


def test_pfak_lysates_are_named_as_the_layout_names_wells_in_bench_order() -> None:
    # one 6-well plate (a replicate of a time point) after another, the 3 h plates first
    assert NAMES[:6] == ("0.1 nM / 3 h #1", "1 nM / 3 h #1", "10 nM / 3 h #1",
                         "100 nM / 3 h #1", "DMSO / 3 h #1", "0.1 nM / 3 h #2")
    assert len(NAMES) == len(set(NAMES)) == PFAK.design.sample_count == 45  # type: ignore[union-attr]
    assert NAMES[-1] == "DMSO / 48 h #3"
    assert record_samples(PFAK, PFAK.step("bca").record["protein_conc"]) == NAMES


def test_a_count_the_design_does_not_have_is_a_located_error(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, 5))
    protocol = protocol_from_tree(document.tree, document.path)
    (error,) = [f for f in science_findings(protocol, document.tree, document.path)
                if f.check == "samples"]
    assert (error.severity, error.location.line, error.location.col) == ("error", 14, 55)
    assert error.message == (
        "record 'protein_conc' is read per lysate, once for each of the design's 6 samples "
        "(1 nM #1, 10 nM #1, ...), but its count is 5 (write count: 6)")
    # the run keeps such readings in recorded order, unnamed
    assert record_samples(protocol, protocol.step("bca").record["protein_conc"]) == ()


def test_a_plain_control_is_named_with_its_count(tmp_path: Path) -> None:
    protocol = load_protocol(write(tmp_path, 6))
    assert sample_names(protocol.design) == (
        "1 nM #1", "10 nM #1", "DMSO #1", "1 nM #2", "10 nM #2", "DMSO #2")


def test_an_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(NotFoundError, match=r"unknown lysate 'DMSO / 3 h #4' \(did you mean"):
        match_sample(NAMES, "DMSO / 3 h #4", "lysate")
    with pytest.raises(InputError, match="a lysate name of 100000 characters") as caught:
        match_sample(NAMES, "x" * 100_000, "lysate")
    assert len(str(caught.value)) < 100


spellings = st.tuples(st.sampled_from(NAMES), st.lists(st.booleans(), max_size=40),
                      st.sampled_from([str.lower, str.upper, str]))


@given(spellings)
def test_any_spacing_or_case_names_the_same_lysate(
    spelled: tuple[str, list[bool], object],
) -> None:
    name, spaces, case = spelled
    text = "".join(c + (" " if i < len(spaces) and spaces[i] else "")
                   for i, c in enumerate(name.replace(" ", "")))
    text = case(text)  # type: ignore[operator]
    assert match_sample(NAMES, text) == name
    assert sample_key(text) == sample_key(name)


@given(st.sampled_from(NAMES), st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_a_named_reading_splits_back_into_its_lysate_and_value(name: str, value: float) -> None:
    assert split_sample(f"{name}: {value:g} mg/mL") == (name, f"{value:g} mg/mL")
    assert split_sample(f"{value:g}") == (None, f"{value:g}")
