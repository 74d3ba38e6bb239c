"""RDML files through rdmlpython (the RDML consortium's library) to the Ct table the ``ddct``
hook reads: ``well|position, sample, condition, target, ct, role``, as the allotropy path
(:mod:`.qpcr`) writes it.

Each reaction of each run gives one row per target: the well (the reaction's position on
the run's plate, ``A1``; prefixed with the run when the file holds several), the sample,
its condition (as :func:`.qpcr.condition_for` names it), the target and the file's ``cq``.
A Cq of -1 (RDML's "not available") or none is undetermined.  The role comes from the
sample's RDML type (per target where the file types it per target): ``unkn`` is
``unknown``, ``ntc`` is ``NTC``, ``nrt`` is ``no-RT``; standards, positive controls,
optical calibrators and the other control types are not samples of the comparison and
are left out with a note.  A reaction the file marks excluded (``excl``) is left out too,
unless it is a negative control, whose amplification is what ddct checks.

A run with amplification curves but no Cq gets its Cq from rdmlpython's own LinRegPCR
(Ruijter et al. 2009, Nucleic Acids Res 37:e45): a baseline per reaction, the PCR
efficiency from the log-linear phase, its mean per target and a common threshold, with
rdmlpython's default exclusions; the note says so.

rdmlpython imports numpy, scipy and matplotlib, so it is imported only here, inside
functions (``elab --help`` stays fast).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from elab.errors import InputError

from .qpcr import CtRow, condition_for
from .rdml_file import MAX_RDML_XML_BYTES, rdml_text_from_bytes

__all__ = ["RDML", "ct_rows_from_rdml"]

RDML = "rdml"
_ROLES = {"unkn": "unknown", "ntc": "NTC", "nrt": "no-RT"}
_LEFT_OUT = {"std": "standard", "pos": "positive control", "opt": "optical calibrator",
             "nac": "no-amplification control", "ntp": "no-target-present control"}
_NEGATIVE = ("NTC", "no-RT")
_LINREG = ("Cq computed from the amplification curves by rdmlpython's LinRegPCR (Ruijter et "
           "al. 2009: baseline per reaction, mean PCR efficiency per target, common "
           "threshold); compare these Cq only within this file")


@contextmanager
def _quiet() -> Iterator[None]:
    """rdmlpython's numpy arithmetic warns on the empty and flat curves it handles itself
    (all-NaN slices, division by zero); those are not the person's concern."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def _rdmlpython() -> Any:
    """The library, with the one name NumPy 2 removed that its LinRegPCR still uses
    (``np.NaN``, in rdmlpython 1.7.2) given back to its own module only, not to numpy."""
    import types

    import numpy

    with _quiet():
        import rdmlpython.rdml as library

    if not hasattr(library.np, "NaN"):
        class _Numpy(types.ModuleType):
            def __getattr__(self, name: str) -> Any:
                return getattr(numpy, name)

        shim = _Numpy("numpy")
        shim.NaN = numpy.nan  # type: ignore[attr-defined]
        library.np = shim
    return library


def ct_rows_from_rdml(
    data: bytes, source: str, conditions: Mapping[str, str] | None = None,
    limit: int = MAX_RDML_XML_BYTES,
) -> tuple[list[CtRow], list[str]]:
    """The file's Ct table and notes (one line each); InputError for what cannot be read."""
    document = rdml_text_from_bytes(data, source, limit)
    library = _rdmlpython()
    try:
        return _read(library, document.xml, document.version, source, conditions,
                     list(document.notes))
    except InputError:
        raise
    except (library.RdmlError, LookupError, ValueError, TypeError, AttributeError,
            ArithmeticError) as exc:
        # rdmlpython trusts the file's structure (an element without its id, a fluorescence
        # that is not a number); a file it trips over is a bad file, said in one line.
        what = str(exc) if isinstance(exc, library.RdmlError) else f"{type(exc).__name__}: {exc}"
        what = " ".join(what.split())
        raise InputError(f"{source}: rdmlpython cannot read it ({what})") from None


def _read(
    library: Any, xml: str, version: str, source: str,
    conditions: Mapping[str, str] | None, notes: list[str],
) -> tuple[list[CtRow], list[str]]:
    rdml = library.Rdml()
    with _quiet():
        rdml.loadXMLString(xml)
    types = _sample_types(rdml)
    runs = [(exp["id"], run) for exp in rdml.experiments() for run in exp.runs()]
    if not runs:
        raise InputError(f"{source}: an RDML file without a run")
    raw: list[tuple[str, str, str, float | None, str, str]] = []
    for _, run in runs:
        reacts = _reacts(run, source, version, notes, library, len(runs) > 1)
        prefix = f"{run['id']} " if len(runs) > 1 else ""
        for react in reacts:
            sample = str(react.get("sample") or "")
            well = prefix + _well(str(react["id"]), run)
            for item in react["datas"]:
                target = str(item.get("tar") or "")
                kind = types.get(sample, {}).get(target) or types.get(sample, {}).get("", "unkn")
                raw.append((well, sample, target, _cq(item.get("cq")), kind,
                            str(item.get("excl") or "")))
    rows = _rows(raw, conditions, notes)
    if not raw:
        raise InputError(f"{source}: no run holds Cq values or amplification curves")
    if not rows:
        raise InputError(f"{source}: no sample, NTC or no-RT reactions with a target in it")
    references = [t["id"] for t in rdml.targets() if t["type"] == "ref"]
    if references:
        notes.append(f"reference targets declared in the file: {', '.join(references)}")
    return rows, notes


def _sample_types(rdml: Any) -> dict[str, dict[str, str]]:
    """``{sample: {target or "": RDML type}}`` (RDML 1.3 may type a sample per target)."""
    out: dict[str, dict[str, str]] = {}
    for sample in rdml.samples():
        per = out.setdefault(str(sample["id"]), {})
        for entry in sample.types():
            if entry.get("type"):
                per[str(entry.get("targetId") or "")] = str(entry["type"]).strip()
    return out


def _reacts(
    run: Any, source: str, version: str, notes: list[str], library: Any, named: bool
) -> list[dict[str, Any]]:
    """The run's reactions with their Cq, computed by LinRegPCR when the file has none."""
    with _quiet():
        reacts: list[dict[str, Any]] = run.getreactjson(curves=False)["reacts"]
    if any("cq" in d for r in reacts for d in r.get("datas", [])):
        return reacts
    where = f"{source} run {run['id']}" if named else source
    with _quiet():
        curves = any(d.get("adps") for r in run.getreactjson(curves=True)["reacts"]
                     for d in r.get("datas", []))
    if not curves and named:
        notes.append(f"{where}: holds neither Cq values nor amplification curves; left out")
        return []
    if not curves:
        raise InputError(f"{where}: holds neither Cq values nor amplification curves")
    if version == "1.0":
        raise InputError(f"{where}: holds amplification curves but no Cq; rdmlpython's "
                         "LinRegPCR needs RDML 1.1 or later, so export the Cq values (or "
                         "RDML 1.3) from the instrument software")
    try:
        with _quiet():
            run.linRegPCR(updateRDML=True)
            reacts = run.getreactjson(curves=False)["reacts"]
    except (library.RdmlError, LookupError, ValueError, TypeError, AttributeError,
            ArithmeticError) as exc:
        what = " ".join(str(exc).split())
        raise InputError(f"{where}: holds amplification curves but no Cq, and rdmlpython's "
                         f"LinRegPCR could not compute them ({what}); export the Cq values "
                         "from the instrument software") from None
    notes.append(f"{where}: {_LINREG}")
    return reacts


def _well(react_id: str, run: Any) -> str:
    """``A1`` for a reaction numbered along the rows of the run's plate (RDML 1.1+ number
    reactions 1..rows × columns; 1.0 files already name the well)."""
    columns = str(run["pcrFormat_columns"] or "")
    if not (react_id.isdigit() and columns.isdigit() and int(columns) > 0):
        return react_id
    index = int(react_id) - 1
    if str(run["pcrFormat_rowLabel"] or "ABC") != "ABC":
        return react_id
    row, column = divmod(index, int(columns))
    letters = ""
    row += 1
    while row:
        row, rest = divmod(row - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{column + 1}"


def _cq(value: object) -> float | None:
    try:
        number = float(str(value)) if value not in (None, "") else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _rows(
    raw: list[tuple[str, str, str, float | None, str, str]],
    conditions: Mapping[str, str] | None, notes: list[str],
) -> list[CtRow]:
    samples = {r[1] for r in raw}
    rows: list[CtRow] = []
    left: dict[str, int] = {}
    excluded = 0
    for well, sample, target, ct, kind, excl in raw:
        role = _ROLES.get(kind)
        if role is None:
            name = _LEFT_OUT.get(kind, kind)
            left[name] = left.get(name, 0) + 1
            continue
        if excl and role not in _NEGATIVE:
            excluded += 1
            continue
        condition = (conditions or {}).get(sample) or condition_for(sample, "", samples)
        rows.append(CtRow(well, sample, condition, target, ct, role))
    if left:
        notes.append("left out (not samples of the comparison): "
                     + ", ".join(f"{n} {name} reactions" for name, n in sorted(left.items())))
    if excluded:
        notes.append(f"{excluded} reactions the file marks excluded left out")
    undetermined = sum(1 for r in rows if r.ct is None)
    if undetermined:
        notes.append(f"{undetermined} reactions without a Cq (undetermined) kept as empty")
    return rows
