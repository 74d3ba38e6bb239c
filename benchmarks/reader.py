"""Plate-reader import: a 384-well reader file to tidy data and an IC50, and allotropy's cost.

1. A 16 × 24 grid export (metadata lines above it) and its layout (23 doses × 16 replicates,
   8 blank and 8 vehicle wells) through ``elab analyze ic50 FILE --layout L.csv``'s path,
   in process: bounded read, grid reader, layout join, blank subtraction, tidy table, the
   4PL fit.  Goal: < 1 s.  Baseline, in the same run: the same grid read with a plain
   ``csv`` loop and joined with the layout by a dict (no checks, no units, no fit).
2. The import alone (no fit) beside the same baseline, as a ratio.
3. A vendor file (BMG MARS, 384 wells, allotropy's test data) converted by allotropy and
   joined, after allotropy is imported; allotropy's import time is printed beside it (it is
   paid once per process, and only when a vendor format is read: ``grid`` never imports it).

Run: ``.venv/bin/python benchmarks/reader.py``.  The last line is the figures JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "tests" / "data" / "reader" / "bmg_mars_abs_384.csv"
ROWS, COLS = "ABCDEFGHIJKLMNOP", 24
DOSES = [0.001 * 10 ** (i * 5 / 22) for i in range(23)]  # 1 nM .. 100 uM, in uM


def files(folder: Path) -> tuple[Path, Path]:
    """A 384-well grid whose readings follow 0.05 + 1/(1 + dose/1 uM), and its layout."""
    wells = [f"{r}{c}" for r in ROWS for c in range(1, COLS + 1)]
    layout = ["plate,well,condition,dose,replicate,control"]
    values: dict[str, float] = {}
    for i, well in enumerate(wells):
        if i < 8:
            layout.append(f"1,{well},medium only,,{i + 1},blank")
            values[well] = 0.05 + 0.001 * (i % 3)
        elif i < 16:
            layout.append(f"1,{well},vehicle,,{i - 7},vehicle")
            values[well] = 1.05
        else:
            dose = DOSES[(i - 16) % 23]
            layout.append(f"1,{well},{dose:.6g} uM,{dose:.6g} uM,{(i - 16) // 23 + 1},")
            values[well] = 0.05 + 1 / (1 + dose) + 0.01 * math.sin(i)
    lines = ["Reader: bench 384", "Absorbance 570 nm", "", "," + ",".join(map(str, range(1, 25)))]
    lines += [r + "," + ",".join(f"{values[f'{r}{c}']:.4f}" for c in range(1, 25)) for r in ROWS]
    grid, lay = folder / "plate384.csv", folder / "layout384.csv"
    grid.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lay.write_text("\n".join(layout) + "\n", encoding="utf-8")
    return grid, lay


def baseline(grid: Path, layout: Path) -> int:
    """The plain loop: csv rows to a well → float dict, joined with the layout by well."""
    values: dict[str, float] = {}
    for row in csv.reader(io.StringIO(grid.read_text(encoding="utf-8"))):
        if row and len(row) == 25 and row[0] in ROWS:
            for c, cell in enumerate(row[1:], start=1):
                values[f"{row[0]}{c}"] = float(cell)
    joined = [(r["well"], r["dose"], values[r["well"]])
              for r in csv.DictReader(io.StringIO(layout.read_text(encoding="utf-8")))]
    return len(joined)


def elab_import(grid: Path, layout: Path, fmt: str = "grid") -> int:
    from elab.domain.reader import csv_from_tidy
    from elab.services.reader_import import tidy_from_files

    tidy = tidy_from_files(grid, layout, fmt)
    csv_from_tidy(tidy)
    return len(tidy.rows)


def elab_import_and_ic50(grid: Path, layout: Path) -> float:
    from elab.domain.analysis import load_hook
    from elab.domain.analysis.table import table_from_records
    from elab.domain.reader import records_from_tidy
    from elab.services.reader_import import tidy_from_files

    records, units = records_from_tidy(tidy_from_files(grid, layout, "grid"))
    result = load_hook("ic50").run(table_from_records(records, units), {}).to_json()
    return float(result["results"][0]["ic50"]["value"])


def timed(fn, *args, repeat: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        grid, layout = files(Path(tmp))
        start = time.perf_counter()
        ic50 = elab_import_and_ic50(grid, layout)
        t_cold = time.perf_counter() - start
        t_full, ic50 = timed(elab_import_and_ic50, grid, layout)
        t_import, n = timed(elab_import, grid, layout)
        t_base, n_base = timed(baseline, grid, layout, repeat=20)
        assert n == n_base == 384
        start = time.perf_counter()
        from elab.domain.reader.vendors import _vendor

        _vendor("bmg-mars")  # imports allotropy
        t_allotropy_import = time.perf_counter() - start
        vendor_layout = Path(tmp) / "vendor_layout.csv"
        vendor_layout.write_text("plate,well,condition,replicate,control\n" + "".join(
            f"1,{r}{c},s,1,\n" for r in "ABCDEFGHI" for c in range(1, 7)) + "1,A1,b,2,blank\n"
            .replace("1,A1,b,2,blank\n", ""), encoding="utf-8")
        t_vendor, _ = timed(elab_import, VENDOR, vendor_layout, "bmg-mars", repeat=3)
    print(f"reader: 384-well grid, import + ic50 (IC50 {ic50:.3g} uM, true 1 uM): "
          f"{t_full * 1000:.1f} ms warm, {t_cold * 1000:.0f} ms first call (imports)")
    print(f"  import alone {t_import * 1000:.1f} ms; plain csv loop {t_base * 1000:.2f} ms")
    print(f"  BMG MARS 384 through allotropy: {t_vendor * 1000:.0f} ms per file; "
          f"importing allotropy once: {t_allotropy_import:.1f} s")
    figures = {"figures": [
        {"name": "reader 384-well grid import + ic50", "value": round(t_full, 4), "unit": "s",
         "baseline": round(t_base, 5), "ratio": round(t_full / t_base, 1), "goal": "value < 1"},
        {"name": "reader 384-well grid import + ic50, first call", "value": round(t_cold, 3),
         "unit": "s", "baseline": round(t_base, 5), "ratio": round(t_cold / t_base, 1),
         "goal": "value < 1"},
        {"name": "reader 384-well grid import alone", "value": round(t_import, 4), "unit": "s",
         "baseline": round(t_base, 5), "ratio": round(t_import / t_base, 1),
         "goal": "ratio <= 50"},
        {"name": "reader BMG MARS 384 via allotropy (after import)", "value": round(t_vendor, 3),
         "unit": "s", "baseline": round(t_allotropy_import, 2),
         "ratio": round(t_vendor / t_allotropy_import, 3), "goal": "value < 1"},
    ]}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
