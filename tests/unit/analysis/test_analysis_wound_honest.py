"""wound-closure on wounds of known speed: the rate over the linear phase only, % closure
per hour, and wells without a time-0 image kept at their real times.

Each wound closes at a stated constant speed (area per hour) until it is closed, then stays
closed; the expected rate is that speed, derived from the model, not read off the data.
"""

from __future__ import annotations

import pytest

from elab.domain.analysis import run_hook


def wound(well: str, cond: str, a0: float, speed: float, times: list[float],
          start: float = 0.0) -> list[str]:
    """Rows of a wound closing at ``speed`` per hour from ``a0`` at time ``start``."""
    return [f"{well},{cond},{t!r},{max(a0 - speed * (t - start), 0.0)!r}" for t in times]


def table(rows: list[str], unit: str = " [um^2]") -> str:
    return f"well,condition,time [h],area{unit}\n" + "\n".join(rows) + "\n"


def by_kind(result: object, kind: str) -> list[dict[str, object]]:
    return [r for r in result.results if r["kind"] == kind]  # type: ignore[attr-defined]


def test_rate_uses_the_linear_phase_not_the_plateau() -> None:
    a0, closes_at = 1_000_000.0, 12.0
    speed = a0 / closes_at
    rows = wound("A1", "ctrl", a0, speed, [0, 6, 12, 24, 36, 48])
    (well,) = by_kind(run_hook("wound-closure", table(rows)), "well")
    assert well["migration_rate"] == {"value": pytest.approx(speed, rel=1e-12),
                                      "unit": "um^2/h"}
    assert well["closure_rate"] == {"value": pytest.approx(100 / closes_at, rel=1e-12),
                                    "unit": "%/h"}
    assert well["fit_times"] == [0.0, 6.0, 12.0]


def test_phase_ends_when_the_area_stops_falling() -> None:
    # Slows to a halt at 60 % closure (a wound that stalls): the stall is not averaged in.
    rows = ["A1,ctrl,0,1000", "A1,ctrl,4,800", "A1,ctrl,8,600", "A1,ctrl,12,400",
            "A1,ctrl,16,400", "A1,ctrl,20,410"]
    (well,) = by_kind(run_hook("wound-closure", table(rows)), "well")
    assert well["fit_times"] == [0.0, 4.0, 8.0, 12.0]
    assert well["migration_rate"]["value"] == pytest.approx(50.0, rel=1e-12)


def test_area_without_unit_is_not_labelled_per_hour_alone() -> None:
    rows = wound("A1", "ctrl", 100.0, 5.0, [0, 4, 8])
    (cond,) = by_kind(run_hook("wound-closure", table(rows, unit="")), "condition")
    assert cond["migration_rate"]["unit"] == "area/h"
    assert cond["closure_rate"]["mean"] == pytest.approx(5.0, rel=1e-12)


def test_well_without_time_zero_keeps_its_real_times() -> None:
    rows = wound("A1", "ctrl", 1000.0, 20.0, [0, 12, 24])
    rows += wound("A2", "ctrl", 1000.0, 20.0, [12, 24], start=0.0)  # no image at 0 h
    result = run_hook("wound-closure", table(rows))
    wells = {w["well"]: w for w in by_kind(result, "well")}
    assert wells["A2"]["closure_pct"] == {"value": None, "unit": "%"}
    assert wells["A2"]["migration_rate"]["value"] == pytest.approx(20.0, rel=1e-12)
    times = {r["time"]["value"]: r["closure_pct"]["n"] for r in by_kind(result, "condition_time")}
    assert times == {0.0: 1, 12.0: 1, 24.0: 1}  # A2 is not shifted into the 0 h and 12 h bins
    assert any(w.startswith("well A2: no image at time 0 h") for w in result.warnings)
    assert result.headline == ["ctrl: closure 2 %/h, n = 1 wells"]
