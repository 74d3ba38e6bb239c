"""Benchmark: plate layouts by CP-SAT against a seeded shuffle that ignores the rules.

Three instances, each solved for several seeds (two solver workers, model building included)
and laid out by the shuffle (the floor) in the same run; every layout is verified by the
independent checker (:func:`elab.domain.plate.check_layout`) and its violations printed.

- 96 wells: 8 compounds × 3 concentrations × 2 replicates + 8 vehicle controls, edge ring
  empty (56 of the 60 inner wells filled).
- 384 wells: 30 compounds × 3 concentrations × 2 replicates + 20 vehicle controls, edge ring
  empty, rows/columns and control-spacing rules.
- three 384-well plates: 60 compounds × 3 concentrations × 3 replicates spread over the
  plates, 20 vehicle and 8 positive controls on every plate.

PLAID's published solve times on comparable instances: 0.8 s median for 96 wells, 8 s median
(up to 1,346 s) for one 384-well plate, up to 2,210 s for several.  Goals: < 1 s, < 2 s, < 60 s.
``ratio`` is the solver's time over the shuffle's; the goal is on ``value``.  The last line
is the figures JSON.

    .venv/bin/python benchmarks/plate.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from elab.domain.plate import (
    Control,
    DesignSpec,
    Factor,
    check_layout,
    format_from_text,
    layout_by_shuffle,
)
from elab.solve.plate_layout import solve_layout

SEEDS = (1, 2, 3)


def _compounds(n: int) -> Factor:
    return Factor("compound", tuple(f"C{i:02d}" for i in range(1, n + 1)))


CONC = Factor("conc", ("0.1 uM", "1 uM", "10 uM"))

INSTANCES: list[tuple[str, dict[str, Any], float]] = [
    ("plate96", dict(factors=(_compounds(8), CONC), replicates=2,
                     controls=(Control("vehicle", "vehicle", 8),),
                     plate=format_from_text(96), edge="empty"), 1.0),
    ("plate384", dict(factors=(_compounds(30), CONC), replicates=2,
                      controls=(Control("vehicle", "vehicle", 20),),
                      plate=format_from_text(384), edge="empty"), 2.0),
    ("plates384x3", dict(factors=(_compounds(60), CONC), replicates=3, spread="plates",
                         plates=3, controls=(Control("vehicle", "vehicle", 20),
                                             Control("positive", "positive", 8)),
                         plate=format_from_text(384), edge="empty"), 60.0),
]


def _time(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    figures = []
    for name, kwargs, goal in INSTANCES:
        solve_times, shuffle_times = [], []
        solver_violations, shuffle_violations = 0, 0
        for seed in SEEDS:
            spec = DesignSpec(seed=seed, **kwargs)
            limit = goal * 2
            t, layout = _time(lambda spec=spec, limit=limit: solve_layout(spec, time_limit=limit))
            solve_times.append(t)
            found = check_layout(layout, spec)
            solver_violations += len(found)
            for v in found:
                print(f"  {name} seed {seed} VIOLATION: {v}")
            for note in layout.notes:
                print(f"  {name} seed {seed} note: {note}")
            ts, floor = _time(lambda spec=spec: layout_by_shuffle(spec))
            shuffle_times.append(ts)
            shuffle_violations += len(check_layout(floor, spec))
        value = statistics.median(solve_times)
        base = statistics.median(shuffle_times)
        print(f"{name}: solver median {value:.3f} s (max {max(solve_times):.3f} s, "
              f"{solver_violations} violations over {len(SEEDS)} seeds); shuffle "
              f"{base * 1000:.2f} ms, {shuffle_violations / len(SEEDS):.1f} violations/layout")
        figures.append({"name": f"{name}_solve", "value": round(value, 4), "unit": "s",
                        "baseline": round(base, 6), "ratio": round(value / base, 1),
                        "goal": f"value < {goal:g} s"})
        figures.append({"name": f"{name}_violations", "value": solver_violations,
                        "unit": "violations", "baseline": shuffle_violations,
                        "ratio": round(solver_violations / max(shuffle_violations, 1), 3),
                        "goal": "value == 0"})
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
