"""A hand-built record with every section filled, and hostile text in the typed fields.

Imported by name from the tests of this directory (the name is unique in tests/)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from elab.domain.protocol import load_document
from elab.domain.records import (
    AnalysisRecord,
    AttachmentRow,
    ChainStatus,
    DesignRecord,
    DeviationRow,
    EquipmentRow,
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
from elab.domain.runs import GENESIS, Event, fold, make_event, verify_chain
from elab.domain.runs.clock import iso
from elab.services.records import RunSubject

HOSTILE = '<script>alert(1)</script> [link](http://evil.invalid) **bold** <img src="file:///etc/passwd">'
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _png() -> bytes:
    from elab.domain.analysis.plots import figure_png

    def paint(ax: object) -> None:
        ax.plot([1, 2, 3], [3, 1, 2], marker="o")  # type: ignore[attr-defined]

    return figure_png(paint, title="test plot")


def sample_record(*, chain_ok: bool = True, signatures_cover: bool = True) -> RunRecord:
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    steps = (
        StepRecord(
            id="seed", title="Seed cells", state="done", text="Seed 5e4 cells per well.",
            planned_start=at(0), planned_end=at(30), planned_duration="30 min",
            actual_start=at(1), actual_end=at(35), actual_duration_s=34 * 60,
            values=(ValueRow("cell_count", "4.8e4 cells", "4e4–6e4 cells", False, at(20), "ana"),
                    ValueRow("viability", "72 %", "≥ 90 %", True, at(21), "ana")),
            notes=(NoteRow("seed", HOSTILE, at(22), "ana"),),
            deviations=(1,), operator="ana",
        ),
        StepRecord(
            id="incubate", title="Incubate overnight", state="done",
            planned_start=at(30), planned_end=at(30 + 16 * 60), planned_duration="12–48 h",
            actual_start=at(36), actual_end=at(36 + 18 * 60), actual_duration_s=18 * 3600,
            timers=(TimerRow(at(36), at(36 + 18 * 60), 16 * 3600.0, 18 * 3600.0),),
            deviations=(2,),
        ),
        StepRecord(id="stain", title="Optional stain", state="skipped", optional=True,
                   skip_note="no antibody left"),
    )
    devs = (
        DeviationRow(1, "seed", "auto", "viability 72 % is outside ≥ 90 %", at(21), "ana"),
        DeviationRow(2, "incubate", "manual", HOSTILE, at(40), "ana"),
    )
    head = "ab" * 32
    return RunRecord(
        run_id="r-20261123-0001", protocol_id="cell-seeding", protocol_title="Cell seeding",
        protocol_version="1.2", protocol_sha256="cd" * 32, state="completed",
        operators=("ana", "ben"), started_at=at(0), ended_at=at(20 * 60),
        chain=ChainStatus(chain_ok, 14, head, 14, "" if chain_ok else "event 7: hash mismatch"),
        generated_at=at(21 * 60), variant="", summary="Seeding for a dose response",
        parameters=(ParameterRow("cells_per_well", "5e4 cells", "1e4 cells", True),
                    ParameterRow("volume", "100 µL", "100 µL", False)),
        steps=steps, deviations=devs,
        run_notes=(NoteRow(None, "Run went fine | mostly", at(100), "ben"),),
        materials=(MaterialRow("fbs", "Fetal bovine serum", "LOT-42 " + HOSTILE, "2027-01-31"),
                   MaterialRow("dmso", "DMSO", "D-7", "2025-01-01", expired=True)),
        equipment=(EquipmentRow("incubator", "CO2 incubator", "incubator", ("incubate",)),),
        attachments=(AttachmentRow("plate-reader", "reader.csv", 12345, "ef" * 32, at(50)),),
        design=DesignRecord(("compound: 0, 1, 10 nM", "3 replicates"), 9, ""),
        analyses=(AnalysisRecord("ic50", "4PL fit", ("curve", "IC50", "Hill"),
                                 (ResultRow("drug-a", ("12.3 nM", "1.1")),), ("few points",),
                                 (PlotImage("dose response", _png()),)),),
        signatures=(SignatureRow("ana", "Ana Lima", "performed", at(20 * 60), 14 if signatures_cover else 12,
                                 head, signatures_cover, True),),
    )


class MemoryRuns:
    """A run log of real, hash-chained events in memory, and a way to tamper with it.

    ``rows`` are the stored events: a test replaces one (keeping its hash) to tamper, and
    calls :meth:`rehash` to do what someone who can write the database does after editing.
    """

    def __init__(self, path: Path, parameters: Mapping[str, str] | None = None,
                 start: datetime = T0) -> None:
        document = load_document(path, [path.parent])
        self.start = start  # event n is at start + 10 (n - 1) min
        self.rows: list[Event] = []
        self.files: dict[str, bytes] = {}
        self.append("run_started", {
            "protocol": path.stem, "content": document.content, "sha256": document.sha256,
            "params": dict(parameters or {}), "variant": None})

    def append(self, kind: str, payload: Mapping[str, Any], operator: str = "ana") -> int:
        seq = len(self.rows) + 1
        prev = self.rows[-1].hash if self.rows else GENESIS
        at = iso(self.start + timedelta(minutes=10 * (seq - 1)))
        self.rows.append(make_event("r1", seq, kind, at, operator, dict(payload), prev))
        return seq

    def tamper(self, index: int, payload: Mapping[str, Any]) -> None:
        """Change one stored event's payload and leave its hash as it was."""
        self.rows[index] = replace(self.rows[index], payload=dict(payload))

    def verify(self) -> ChainStatus:
        problem = verify_chain(self.rows)
        head = self.rows[-1]
        if problem is not None:
            return ChainStatus(False, head.seq, head.hash, len(self.rows),
                               f"event {problem.seq}: {problem.reason}", problem.seq)
        return ChainStatus(True, head.seq, head.hash, len(self.rows))

    def rehash(self) -> None:
        rows, self.rows = self.rows, []
        for e in rows:
            self.append(e.type, e.payload, e.operator)

    # RunSource
    def subject(self, run_id: str) -> RunSubject:
        return RunSubject(fold(self.rows), self.verify())

    def append_signature(self, run_id: str, payload: Mapping[str, Any], operator: str) -> int:
        return self.append("signed", payload, operator)

    def attachment(self, run_id: str, name: str) -> bytes:
        return self.files[name]
