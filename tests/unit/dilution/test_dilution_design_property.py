"""For any valid design, the dilution plan makes the design's doses and vehicle fraction.

A design is generated the way a scientist writes one: geometric dose levels, a working volume,
an addition, a vehicle percentage, and either no intermediate (the series point goes straight
into the well: the vehicle is addition / (working + addition)) or an intermediate 1:I in
medium; the series top is what makes the top dose, the stock at or above it.  The science
checks must accept it (that is what "valid" means), and the plan from it must then give every
final dose and the vehicle fraction within 1 % of the design's, pipette rounding included.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from elab.domain.dilution import plan_serial, serial_spec_from_protocol
from elab.domain.protocol.model import Protocol
from elab.domain.protocol.science import science_findings


@st.composite
def designs(draw: st.DrawFn) -> tuple[Protocol, list[float], float]:
    top_nm = draw(st.floats(1.0, 10_000.0))
    fold = draw(st.sampled_from([2.0, 3.0, 4.0, 5.0, 10.0]))
    points = draw(st.integers(2, 8))
    levels = [top_nm / fold**k for k in range(points)]
    working = float(draw(st.integers(50, 3000)))
    addition = float(draw(st.integers(1, 50)))
    direct = draw(st.booleans())
    if direct:
        intermediate = 1.0
        vehicle = addition / (working + addition)
    else:
        intermediate = float(draw(st.integers(2, 1000)))
        vehicle = addition / (working + addition) / intermediate
    series_top_nm = top_nm / vehicle
    stock_nm = series_top_nm * draw(st.sampled_from([1.0, 2.0, 10.0, 50.0]))
    dosing: dict[str, Any] = {"material": "drug", "factor": "dose",
                              "series_stock": f"{series_top_nm:.12g} nM",
                              "addition": f"{addition:g} uL", "step": "treat"}
    if not direct:
        dosing["intermediate"] = f"1:{intermediate:g}"
    protocol = Protocol.model_validate({
        "id": "generated",
        "title": "generated design",
        "version": "1",
        "materials": {"drug": {"name": "drug", "stock": f"{stock_nm:.12g} nM"},
                      "dmso": {"name": "DMSO"}},
        "design": {
            "unit": "well",
            "factors": [{"name": "dose", "levels": [f"{v:.12g} nM" for v in levels]}],
            "replicates": draw(st.integers(1, 4)),
            "controls": [{"name": "vehicle", "kind": "vehicle", "count": draw(st.integers(1, 6))}],
            "vehicle": {"material": "dmso", "final": f"{vehicle * 100:.12g} % v/v"},
            "working_volume": f"{working:g} uL",
            "dosing": [dosing],
        },
        "steps": [{"id": "treat", "title": "treat",
                   "uses": [{"material": "drug", "per": "well"},
                            {"material": "dmso", "per": "well"}]}],
    })
    return protocol, levels, vehicle


@settings(max_examples=80, deadline=None)
@given(designs())
def test_the_plan_gives_the_designs_doses_and_vehicle(
    generated: tuple[Protocol, list[float], float],
) -> None:
    protocol, levels, vehicle = generated
    errors = [f for f in science_findings(protocol, {}, "generated.yaml") if f.severity == "error"
              and f.check in ("vehicle", "volumes")]
    assert errors == []  # the generated design is a valid one
    designed = serial_spec_from_protocol(protocol)
    assert designed.changes == ()  # nothing overridden, nothing defaulted
    plan = plan_serial(designed.spec)
    finals = plan.figures["finals"]
    assert len(finals) == len(levels)
    for final, level in zip(finals, levels, strict=True):
        assert abs(final / level - 1) <= 0.01, (final, level, plan.text())
    for fraction in plan.figures["vehicle_fraction"]:
        assert abs(fraction / vehicle - 1) <= 0.01, (fraction, vehicle, plan.text())
