"""Vendor exports through allotropy, Benchling's converter to the Allotrope Simple Model.

elab does not parse vendor formats itself: allotropy reads them (and is kept up to date by
the people who maintain the parsers) and elab reads the ASM it returns (:mod:`.asm`).
allotropy is imported only here, inside functions, because importing it takes seconds.

Format names are allotropy's ``Vendor`` names in kebab-case (``AGILENT_GEN5`` is
``agilent-gen5``).  Guessing looks at the file's first lines for the words a few common
readers always write (SoftMax Pro's ``##BLOCKS=``, Gen5's ``Procedure Details``...), then
takes a plain grid as ``grid``, and otherwise asks allotropy's own vendor discovery.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elab.errors import InputError, NotFoundError

from .asm import reader_data_from_asm
from .grid import find_grids, grid_from_bytes, rows_from_bytes
from .model import ReaderData
from .text import text_from_bytes

__all__ = [
    "GRID",
    "asm_from_bytes",
    "guess_format",
    "guess_vendor",
    "reader_data_from_bytes",
    "reader_formats",
]

GRID = "grid"
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # XLSX (zip), XLS (OLE)
# Words each export always holds near its top: enough to pick the parser, not to parse.
_SIGNATURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("moldev-softmax-pro", ("##BLOCKS=",)),
    ("agilent-gen5", ("Software Version", "Procedure Details")),
    ("perkin-elmer-envision", ("Plate information", "Results for")),
    ("bmg-mars", ("Test name:", "ID1:")),
)


@contextmanager
def _quiet() -> Iterator[None]:
    """allotropy's dependencies warn about their own deprecations when imported; those are
    not the person's concern (and pytest runs with warnings as errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        yield


def _kebab(name: str) -> str:
    return name.lower().replace("_", "-")


def reader_formats() -> list[str]:
    """``grid`` and every allotropy vendor, in kebab-case."""
    with _quiet():
        from allotropy.parser_factory import Vendor

    return [GRID, *sorted(_kebab(v.name) for v in Vendor)]


def _vendor(fmt: str) -> Any:
    with _quiet():
        from allotropy.parser_factory import Vendor

    by_name = {_kebab(v.name): v for v in Vendor}
    if fmt not in by_name:
        raise NotFoundError("reader format", fmt, [GRID, *sorted(by_name)])
    return by_name[fmt]


def guess_format(data: bytes, filename: str) -> str:
    """The format the file is in, or InputError when neither elab nor allotropy can tell."""
    if not data.startswith(_BINARY_MAGIC):
        text, _ = text_from_bytes(data, filename)
        head = text[:4000]
        for fmt, words in _SIGNATURES:
            if all(w in head for w in words):
                return fmt
    try:
        rows, _, _ = rows_from_bytes(data, filename)
        if next(find_grids(rows), None) is not None and not data.startswith(_BINARY_MAGIC):
            return GRID
    except InputError:
        rows = []
    with _quiet():
        from allotropy.exceptions import AllotropyError
        from allotropy.to_allotrope import vendor_from_io

    try:
        with _quiet():
            return _kebab(vendor_from_io(io.BytesIO(data), filename).name)
    except (AllotropyError, ValueError, OSError):
        if rows and next(find_grids(rows), None) is not None:
            return GRID
    raise InputError(f"{filename}: cannot tell which reader wrote it; give --format "
                     "(grid, agilent-gen5, moldev-softmax-pro, bmg-mars, ...)")


def guess_vendor(data: bytes, filename: str) -> str:
    """allotropy's own vendor discovery, for files elab has no grid reader for (qPCR)."""
    with _quiet():
        from allotropy.exceptions import AllotropyError
        from allotropy.to_allotrope import vendor_from_io

    try:
        with _quiet():
            return _kebab(vendor_from_io(io.BytesIO(data), filename).name)
    except (AllotropyError, ValueError, OSError):
        raise InputError(f"{filename}: allotropy cannot tell which instrument wrote it; give "
                         "--format (appbio-quantstudio, cfxmaestro, ...)") from None


def asm_from_bytes(data: bytes, fmt: str, filename: str) -> dict[str, Any]:
    """The file converted by allotropy to the Allotrope Simple Model (a dict)."""
    return _asm(data, fmt, filename)


def _asm(data: bytes, fmt: str, filename: str) -> dict[str, Any]:
    vendor = _vendor(fmt)
    with _quiet():
        from allotropy.to_allotrope import allotrope_from_io

    if data.startswith(_BINARY_MAGIC):
        contents, encoding = io.BytesIO(data), None
    else:
        # UTF-16 and code-page files are decoded here and handed on as UTF-8.
        text, _ = text_from_bytes(data, filename)
        contents, encoding = io.BytesIO(text.encode("utf-8")), "UTF-8"
    try:
        with _quiet():
            result: dict[str, Any] = allotrope_from_io(contents, filename, vendor,
                                                       encoding=encoding)
    except Exception as exc:  # any parser failure is bad input, said in one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"{filename}: allotropy could not read it as {fmt}: {first}") from None
    return result


def reader_data_from_bytes(
    data: bytes, filename: str, fmt: str | None = None, read: int | None = None
) -> ReaderData:
    """The file's readings in the given format, or the guessed one (said in the notes)."""
    chosen = fmt.strip().lower().replace("_", "-") if fmt else guess_format(data, filename)
    guessed = [f"{filename}: format {chosen} (guessed; give --format to choose)"] if not fmt \
        else []
    if chosen == GRID:
        if read is not None:
            raise InputError(f"{filename}: --read picks one of a vendor file's reads; each grid "
                             "of a grid file is a plate (--plate N picks the Nth)")
        found = grid_from_bytes(data, filename)
    else:
        found = reader_data_from_asm(_asm(data, chosen, filename), chosen, filename, read)
    return ReaderData(found.format, found.quantity, found.unit, found.readings, found.plates,
                      (*guessed, *found.notes))
