"""Run-record rendering: the PDF of a 100-step run with four plots, against its HTML alone.

The record is built as the record service builds one (every step with planned and actual
times, a timer, recorded values, a note; deviations; materials; four analysis plots drawn
by matplotlib), then rendered as HTML (the baseline: Jinja in the sandbox) and as PDF
(the same HTML laid out and printed by WeasyPrint).  Goal: PDF under 3 s.

    .venv/bin/python benchmarks/record.py
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from elab.domain.analysis.plots import figure_png
from elab.domain.records import (
    AnalysisRecord,
    ChainStatus,
    DeviationRow,
    MaterialRow,
    NoteRow,
    ParameterRow,
    PlotImage,
    ResultRow,
    RunRecord,
    SignatureRow,
    StepRecord,
    TimerRow,
    ValueRow,
)
from elab.render.record import EmbeddedOnlyFetcher, record_html, record_pdf

N_STEPS = 100
N_PLOTS = 4
REPEATS = 3


def _plot(k: int) -> bytes:
    import numpy as np

    x = np.logspace(-2, 2, 40)
    y = 100 / (1 + (x / (0.5 + k)) ** 1.2)

    def paint(ax: object) -> None:
        ax.semilogx(x, y, "o-", ms=3)  # type: ignore[attr-defined]
        ax.set_xlabel("dose (µM)")  # type: ignore[attr-defined]
        ax.set_ylabel("viability (%)")  # type: ignore[attr-defined]

    return figure_png(paint, title=f"curve {k + 1}")


def big_record() -> RunRecord:
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    steps = []
    deviations = []
    for i in range(N_STEPS):
        start = t0 + timedelta(minutes=15 * i)
        dev = ()
        if i % 10 == 3:
            deviations.append(DeviationRow(len(deviations) + 1, f"step-{i}", "auto",
                                           f"od600 of step {i} outside 0.4–0.6", start))
            dev = (len(deviations),)
        steps.append(StepRecord(
            id=f"step-{i}", title=f"Step {i + 1}: wash, add reagent and incubate",
            state="done", text="Aspirate the medium, wash twice with PBS and add 100 µL.",
            planned_start=start, planned_end=start + timedelta(minutes=12),
            planned_duration="10–15 min", actual_start=start,
            actual_end=start + timedelta(minutes=13), actual_duration_s=780.0,
            timers=(TimerRow(start, start + timedelta(minutes=10), 600.0, 600.0),),
            values=(ValueRow("od600", "0.52", "0.4–0.6", False, start, "ana"),
                    ValueRow("temperature", "37.1 °C", "36.5–37.5 °C", False, start, "ana")),
            notes=(NoteRow(f"step-{i}", "Plate looked even; no bubbles.", start, "ana"),),
            deviations=dev, operator="ana",
        ))
    plots = tuple(PlotImage(f"curve {k + 1}", _plot(k)) for k in range(N_PLOTS))
    analyses = tuple(
        AnalysisRecord("ic50", "four-parameter logistic fit", ("curve", "IC50", "Hill"),
                       (ResultRow(f"curve {k + 1}", (f"{0.5 + k:.2f} µM", "1.20")),), (),
                       (plots[k],))
        for k in range(N_PLOTS)
    )
    end = t0 + timedelta(minutes=15 * N_STEPS)
    return RunRecord(
        run_id="bench-run", protocol_id="bench", protocol_title="Benchmark protocol",
        protocol_version="1", protocol_sha256="0" * 64, state="completed", operators=("ana",),
        started_at=t0, ended_at=end,
        chain=ChainStatus(True, 400, "f" * 64, 400), generated_at=end,
        parameters=(ParameterRow("cells", "5e4 cells", "1e4 cells", True),),
        steps=tuple(steps), deviations=tuple(deviations),
        materials=tuple(MaterialRow(f"m{i}", f"Reagent {i}", f"LOT-{i}", "2027-06-30")
                        for i in range(10)),
        analyses=analyses,
        signatures=(SignatureRow("ana", "Ana Lima", "performed", end, 400, "f" * 64, True, True),),
    )


def _best(fn: object) -> float:
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    record = big_record()
    record_pdf(record)  # warm: imports, fonts
    html_s = _best(lambda: record_html(record, paper="A4"))
    fetcher = EmbeddedOnlyFetcher()
    pdf_s = _best(lambda: record_pdf(record, fetcher=fetcher))
    pdf = record_pdf(record)
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages)
    print(f"record of {N_STEPS} steps, {N_PLOTS} plots: {pages} pages, {len(pdf) / 1e6:.2f} MB")
    print(f"PDF {pdf_s:.3f} s (best of {REPEATS}); HTML alone {html_s:.3f} s; "
          f"refused fetches: {len(fetcher.refused)}")
    figures = [{
        "name": "record_pdf_100_steps_4_plots",
        "value": round(pdf_s, 3),
        "unit": "s",
        "baseline": round(html_s, 4),
        "ratio": round(pdf_s / html_s, 1),
        "goal": "value < 3",
    }]
    print(json.dumps({"figures": figures}))


if __name__ == "__main__":
    main()
