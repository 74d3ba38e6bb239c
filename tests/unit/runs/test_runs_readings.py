"""Readings in one line: replicates get a mean and SD, readings of different samples do not
(the review: a mean and SD across four different lysates means nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import Protocol, load_protocol
from elab.domain.runs.readings import ReadingsKind, readings_kind, readings_line

MG_ML = "milligram / milliliter"
PROTOCOLS = Path(__file__).resolve().parents[3] / "protocols"

TEXT = """\
id: readings-kinds
title: Readings of one thing and of many
version: "1"
steps:
  - id: measure
    title: Measure
    record:
      od: {unit: OD}
      conc: {unit: mg/mL, count: 6}
      cells: {unit: cells, per: well, count: 12}
"""


@pytest.fixture(scope="module")
def protocol(tmp_path_factory: pytest.TempPathFactory) -> Protocol:
    path: Path = tmp_path_factory.mktemp("readings") / "readings-kinds.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return load_protocol(path)


def test_replicates_of_one_value_get_their_mean_and_sd() -> None:
    line = readings_line([(2.1, MG_ML), (1.8, MG_ML), (2.0, MG_ML)], ReadingsKind())
    assert line == "2.1, 1.8, 2 mg/mL (mean 1.967, SD 0.1528, n = 3)"


def test_readings_of_different_samples_get_no_mean() -> None:
    kind = ReadingsKind("lysate", 45)
    line = readings_line([(2.0, MG_ML), (1.6, MG_ML), (0.8, MG_ML), (3.2, MG_ML)], kind)
    assert line == ("2, 1.6, 0.8, 3.2 mg/mL per lysate (lysates 1–4 of 45 in recorded order; "
                    "0.8–3.2 mg/mL)")
    assert "mean" not in line and "SD" not in line
    assert readings_line([(2.0, MG_ML)], kind) == "2 mg/mL per lysate (lysate 1 of 45 in recorded order)"


def test_what_the_protocol_says_of_its_readings(protocol: Protocol) -> None:
    assert readings_kind(protocol, "measure", "od") == ReadingsKind(None, 1)  # replicates
    assert readings_kind(protocol, "measure", "conc") == ReadingsKind("sample", 6)
    assert readings_kind(protocol, "measure", "cells") == ReadingsKind("well", 12)
    assert readings_kind(protocol, "nowhere", "od") == ReadingsKind()


def test_pfak_protein_concentrations_are_one_per_lysate() -> None:
    """The loading volume is derived once per lysate from them: their sample is the lysate."""
    pfak = load_protocol(PROTOCOLS / "western-blot-pfak.yaml")
    assert readings_kind(pfak, "bca", "protein_conc") == ReadingsKind("lysate", 45)
