"""A run's record lists the materials of its own variant, not another's (N14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from elab.domain.protocol import load_protocol
from elab.domain.records.protocol_rows import material_rows

QPCR = Path(__file__).resolve().parents[3] / "protocols" / "qrt-pcr-emt.yaml"


@pytest.mark.parametrize(("variant", "absent", "present"), [
    ("sybr", {"taqman_mix", "taqman_assay"}, {"sybr_mix", "primers", "water"}),
    ("taqman", {"sybr_mix", "primers"}, {"taqman_mix", "taqman_assay", "water"}),
])
def test_materials_of_another_variant_are_left_out(
    variant: str, absent: set[str], present: set[str],
) -> None:
    listed = {row.id for row in material_rows(load_protocol(QPCR), {}, variant)}
    assert not listed & absent
    assert present <= listed


def test_a_lot_recorded_for_another_variants_material_is_still_shown() -> None:
    from datetime import UTC, datetime

    lots = {"taqman_mix": ("L1", "", datetime(2026, 1, 1, tzinfo=UTC))}
    rows = material_rows(load_protocol(QPCR), lots, "sybr")
    assert [r.lot for r in rows if r.id == "taqman_mix"] == ["L1"]
