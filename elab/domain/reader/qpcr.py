"""qPCR exports (QuantStudio, CFX Maestro, ...) through allotropy, and RDML files through
rdmlpython (:mod:`.rdml`), to the Ct table the
``ddct`` hook reads: ``well|position, sample, condition, target, ct, role``.

allotropy's qPCR model holds, per well, the sample (``sample identifier``), the well
(``well location identifier``), the assay (``target DNA description``), the role the software
gave the well and the ``cycle threshold result (qPCR)``; an undetermined Ct has no value.
The condition is the sample's group when the software has one (CFX "Biological Set Name"),
else the sample name without a trailing replicate number (``vehicle-2`` → ``vehicle``, as
``elab dilute qpcr`` names samples), else the sample itself; ``conditions`` overrides it.
Standard-curve wells are left out (they are not samples), with a note.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elab.domain.reader.asm import measurement_documents
from elab.errors import InputError
from elab.safe_text import safe_cell

__all__ = ["CtRow", "condition_for", "csv_from_ct", "ct_records", "ct_rows_from_asm",
           "qpcr_rows_from_bytes"]

_CT = "cycle threshold result (qPCR)"


@dataclass(frozen=True)
class CtRow:
    """One qPCR well."""

    well: str
    sample: str
    condition: str
    target: str
    ct: float | None
    role: str


def _ct(doc: Mapping[str, Any]) -> float | None:
    processed = doc.get("processed data aggregate document", {}).get("processed data document")
    for item in processed or []:
        value = item.get(_CT, {}).get("value") if isinstance(item, Mapping) else None
        if isinstance(value, (int, float)) and math.isfinite(value) and value > 0:
            return float(value)
    return None


def _dye(doc: Mapping[str, Any]) -> str:
    """The reporter dye, standing in for a target the export does not name (CFX's Target
    column left empty: each fluor is its own assay)."""
    controls = doc.get("device control aggregate document", {}).get("device control document")
    first = controls[0] if isinstance(controls, list) and controls else {}
    return str(first.get("reporter dye setting") or "").strip()


def condition_for(sample: str, group: str, samples: set[str]) -> str:
    """The sample's group, else its name without a trailing replicate number, else itself."""
    if group:
        return group
    stem = re.sub(r"[\s_-]+\d+$", "", sample)
    return stem if stem != sample and len(samples) > 1 else sample


def ct_rows_from_asm(
    asm: Mapping[str, Any], source: str, conditions: Mapping[str, str] | None = None
) -> tuple[list[CtRow], list[str]]:
    """The wells with a Ct (or an undetermined one), and notes."""
    raw = []
    for doc in measurement_documents(asm):
        sample_doc = doc.get("sample document", {})
        well = str(sample_doc.get("well location identifier")
                   or sample_doc.get("location identifier") or "").strip()
        if not well or "target DNA description" not in doc:
            continue
        custom = sample_doc.get("custom information document", {}) or {}
        group = str(custom.get("group identifier") or sample_doc.get("group identifier") or "")
        role = str(sample_doc.get("sample role type", "")).replace(" sample role", "")
        target = str(doc["target DNA description"]).strip()
        if target.upper() in ("", "N/A", "NA"):
            target = _dye(doc) or target
        raw.append((well, str(sample_doc.get("sample identifier", "")).strip(),
                    group.strip(), target, _ct(doc), role.replace(" role", "")))
    if not raw:
        raise InputError(f"{source}: allotropy found no qPCR wells with a target in it")
    samples = {r[1] for r in raw}
    rows, standards = [], 0
    for well, sample, group, target, ct, role in raw:
        if role.startswith("standard"):
            standards += 1
            continue
        condition = (conditions or {}).get(sample) or condition_for(sample, group, samples)
        rows.append(CtRow(well, sample, condition, target, ct, role or "unknown"))
    notes = [f"{standards} standard-curve wells left out"] if standards else []
    undetermined = sum(1 for r in rows if r.ct is None)
    if undetermined:
        notes.append(f"{undetermined} wells without a Ct (undetermined) kept as empty")
    return rows, notes


def qpcr_rows_from_bytes(
    data: bytes, filename: str, fmt: str | None = None,
    conditions: Mapping[str, str] | None = None,
) -> tuple[list[CtRow], list[str]]:
    """The export's Ct table; the format is guessed when not given (RDML by its name or
    contents, anything else by allotropy's vendor discovery)."""
    from .rdml import RDML, ct_rows_from_rdml
    from .rdml_file import looks_like_rdml
    from .vendors import asm_from_bytes, guess_vendor

    if fmt:
        chosen = fmt.strip().lower().replace("_", "-")
    else:
        chosen = RDML if looks_like_rdml(data, filename) else guess_vendor(data, filename)
    notes = [] if fmt else [f"{filename}: format {chosen} (guessed; give --format to choose)"]
    if chosen == RDML:
        rows, more = ct_rows_from_rdml(data, filename, conditions)
    else:
        asm = asm_from_bytes(data, chosen, filename)
        rows, more = ct_rows_from_asm(asm, filename, conditions)
    return rows, [*notes, *more]


def ct_records(rows: list[CtRow]) -> list[dict[str, Any]]:
    """Rows for the ddct hook.  The well is named ``well`` only when some well holds two
    targets (multiplex): ddct pairs target and reference by ``well``, which singleplex wells
    (one assay each) cannot satisfy, so there it is ``position``."""
    targets: dict[str, set[str]] = {}
    for r in rows:
        targets.setdefault(r.well, set()).add(r.target)
    key = "well" if any(len(t) > 1 for t in targets.values()) else "position"
    return [{key: r.well, "sample": r.sample, "condition": r.condition, "target": r.target,
             "ct": r.ct, "role": r.role} for r in rows]


def csv_from_ct(rows: list[CtRow]) -> str:
    """``well|position, sample, condition, target, ct, role``, every cell spreadsheet-safe."""
    records = ct_records(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = list(records[0]) if records else ["position", "sample", "condition", "target",
                                              "ct", "role"]
    writer.writerow(names)
    for record in records:
        ct = record["ct"]
        record["ct"] = "Undetermined" if ct is None else f"{ct:.10g}"
        writer.writerow([safe_cell(record[n]) for n in names])
    return out.getvalue()
