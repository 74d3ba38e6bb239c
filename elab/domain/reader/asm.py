"""Readings from an Allotrope Simple Model (ASM) document, as allotropy writes it.

ASM nests a ``measurement document`` list per plate (or per well) under the technique's
aggregate document; each measurement names its well (``sample document`` → ``location
identifier``), its plate (``well plate identifier``) and holds ``absorbance``,
``fluorescence`` or ``luminescence`` as ``{value, unit}``.  A well the reader flagged has
an ``error aggregate document`` (``OVRFLW``, ``MISSED``) and a placeholder value, so the
error wins.  A kinetic read holds a ``profile data cube`` instead of one value.

ASM's plate-reader schema fixes the absorbance unit to ``mAU``, but allotropy passes the
reader's number through unchanged (Gen5's ``2.100`` OD is ``2.1`` in the ASM), so it is
labelled OD here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from elab.errors import InputError

from .model import ReaderData, Reading

__all__ = ["measurement_documents", "reader_data_from_asm"]

_SIGNALS = {"absorbance": "OD", "fluorescence": "RFU", "luminescence": "RLU"}
_ASM_UNITS = {"RFU": "RFU", "RLU": "RLU", "mAU": "OD", "(unitless)": ""}


def measurement_documents(node: Any) -> Iterator[Mapping[str, Any]]:
    """Every ASM measurement document anywhere in ``node``, in document order."""
    if isinstance(node, Mapping):
        docs = node.get("measurement document")
        if isinstance(docs, list):
            yield from (d for d in docs if isinstance(d, Mapping))
        for key, value in node.items():
            if key != "measurement document" and isinstance(value, (Mapping, list)):
                yield from measurement_documents(value)
    elif isinstance(node, list):
        for item in node:
            yield from measurement_documents(item)


def _control(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    controls = doc.get("device control aggregate document", {}).get("device control document")
    return controls[0] if isinstance(controls, list) and controls else {}


def _label(signal: str, doc: Mapping[str, Any]) -> str:
    control = _control(doc)
    for key in ("detector wavelength setting", "detector wavelength setting (emission)"):
        wavelength = control.get(key)
        if isinstance(wavelength, Mapping) and isinstance(wavelength.get("value"), (int, float)):
            return f"{signal} {float(wavelength['value']):g} nm"
    return signal


def _flag(doc: Mapping[str, Any]) -> str:
    errors = doc.get("error aggregate document", {}).get("error document") or []
    words = [str(e.get("error", "")).strip() for e in errors if isinstance(e, Mapping)]
    return next((w for w in words if w), "")


def _one(doc: Mapping[str, Any], source: str) -> tuple[str, str, str, str, float | None, str]:
    sample = doc.get("sample document", {})
    well = str(sample.get("location identifier", "")).strip().upper()
    plate = str(sample.get("well plate identifier") or "1").strip()
    cubes = [k for k in doc if str(k).endswith("data cube")]
    if cubes:
        raise InputError(f"{source}: a kinetic read ({cubes[0]}); elab imports endpoint reads, "
                         "so export the endpoint or a reduced value (Vmax, area) instead")
    signal = next((s for s in _SIGNALS if isinstance(doc.get(s), Mapping)), "")
    if not signal:
        raise InputError(f"{source}: well {well or '?'} holds no absorbance, fluorescence or "
                         "luminescence value")
    raw = doc[signal]
    unit = _ASM_UNITS.get(str(raw.get("unit")), _SIGNALS[signal])
    flag = _flag(doc)
    value = raw.get("value")
    number = float(value) if isinstance(value, (int, float)) else math.nan
    if flag or not math.isfinite(number):
        return plate, well, _label(signal, doc), unit, None, flag or "NaN"
    return plate, well, _label(signal, doc), unit, number, ""


def reader_data_from_asm(
    asm: Mapping[str, Any], fmt: str, source: str, read: int | None = None
) -> ReaderData:
    """The readings of one read; a file with several reads per well needs ``read`` (1-based)."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    rows: list[tuple[str, str, tuple[str, int], str, float | None, str]] = []
    for doc in measurement_documents(asm):
        plate, well, label, unit, value, flag = _one(doc, source)
        if not well:
            continue
        counts[(plate, well, label)] += 1
        rows.append((plate, well, (label, counts[(plate, well, label)]), unit, value, flag))
    if not rows:
        raise InputError(f"{source}: allotropy found no plate-reader measurements in it")
    reads = list(dict.fromkeys(r[2] for r in rows))
    names = [label if n == 1 else f"{label} #{n}" for label, n in reads]
    if len(reads) > 1 and read is None:
        raise InputError(f"{source}: {len(reads)} reads per well ({'; '.join(names)}); "
                         f"pick one with --read 1..{len(reads)}")
    index = 1 if read is None else read
    if not 1 <= index <= len(reads):
        raise InputError(f"{source}: --read {index} is not one of 1..{len(reads)} "
                         f"({'; '.join(names)})")
    chosen = reads[index - 1]
    kept = [r for r in rows if r[2] == chosen]
    plates = tuple(dict.fromkeys(r[0] for r in kept))
    readings = tuple(Reading(p, w, v, f) for p, w, _, _, v, f in kept)
    signal = chosen[0].split(" ")[0]
    notes = [f"{source}: read {index} of {len(reads)}: {names[index - 1]}"] if len(reads) > 1 \
        else []
    return ReaderData(fmt, signal, kept[0][3], readings, plates, tuple(notes))
