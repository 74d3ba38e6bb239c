"""RDML files (the MIQE data standard for qPCR, https://rdml.org) as the XML text rdmlpython
loads, read bounded and checked before the library sees them.

An ``.rdml`` file is a zip archive holding ``rdml_data.xml`` (some instrument software, as
Bio-Rad CFX Manager did, names the one XML member differently); a bare ``rdml_data.xml`` is
read too.  The archive is a person's file: the member's uncompressed size is checked
against :data:`MAX_RDML_XML_BYTES` before a byte of it is inflated, and the read itself
stops there, so a zip bomb costs nothing.

Versions: rdmlpython 1.7.2, the current PyPI release, reads RDML 1.0-1.3.  RDML 1.4 only
adds optional elements (``Ncopy`` and ``vol`` in a reaction, ``doubleStranded`` in a
sample, oligo and dye concentrations; ``changes_v1.3_to_v1.4.txt`` of the RDML schema);
the samples, targets, wells and Cq values elab reads are the same elements, so a 1.4 file
is declared 1.3 in memory and the command says so.  Any other version is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from elab.errors import InputError

__all__ = [
    "MAX_RDML_XML_BYTES",
    "READ_AS_1_3",
    "SUPPORTED_VERSIONS",
    "RdmlText",
    "looks_like_rdml",
    "rdml_text_from_bytes",
]

MAX_RDML_XML_BYTES = 128 * 1024 * 1024  # a 384-well run with curves and melts is tens of MB
SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2", "1.3")
READ_AS_1_3 = "1.4"
_MEMBER = "rdml_data.xml"
_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?rdml\b[^>]*>")
_VERSION = re.compile(r"""\bversion\s*=\s*(["'])([^"']*)\1""")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class RdmlText:
    """The RDML document as text rdmlpython loads, its declared version and notes."""

    xml: str
    version: str
    notes: tuple[str, ...]


def looks_like_rdml(data: bytes, filename: str) -> bool:
    """An ``.rdml`` name, a zip holding ``rdml_data.xml``, or XML with an ``<rdml>`` root."""
    if filename.lower().endswith(".rdml"):
        return True
    if data.startswith(b"PK"):  # local header, or a spanning marker before it (CFX Manager)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return any(_is_member(n) for n in archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    head = data[:4096].decode("utf-8", "ignore")
    return head.lstrip("\ufeff \t\r\n").startswith("<") and _ROOT.search(head) is not None


def rdml_text_from_bytes(
    data: bytes, source: str, limit: int = MAX_RDML_XML_BYTES
) -> RdmlText:
    """The document, refused in one line when it is not RDML or not a version elab reads."""
    notes: list[str] = []
    if data.startswith(b"PK"):  # local header, or a spanning marker before it (CFX Manager)
        raw, member = _member_bytes(data, source, limit)
        if member != _MEMBER:
            notes.append(f"{source}: read {member} (the archive has no {_MEMBER})")
    elif data[:1] in (b"<", b"\xef", b"\xff", b"\xfe", b" ", b"\t", b"\r", b"\n"):
        raw = data
    else:
        raise InputError(f"{source}: not an RDML file (neither a zip archive nor XML)")
    text = _decode(raw, source)
    root = _ROOT.search(text)
    if root is None:
        raise InputError(f"{source}: not an RDML file (no <rdml> root element)")
    found = _VERSION.search(root.group(0))
    version = found.group(2).strip() if found else ""
    if version == READ_AS_1_3:
        start, end = root.span()
        tag = _VERSION.sub('version="1.3"', root.group(0), count=1)
        text = text[:start] + tag + text[end:]
        notes.append(
            f"{source}: RDML 1.4 read as 1.3 (rdmlpython 1.7.2 reads up to 1.3; 1.4 only "
            "adds optional elements, and the samples, targets, wells and Cq read here are "
            "unchanged; checked on the RDML consortium's 1.4 example files)")
    elif version not in SUPPORTED_VERSIONS:
        shown = f"RDML version {version}" if version else "an RDML file without a version"
        raise InputError(f"{source}: {shown} is not read (rdmlpython reads 1.0-1.3, elab "
                         "also 1.4); export the run as RDML 1.3 from the instrument software")
    return RdmlText(_DECLARATION.sub("", text, count=1), version, tuple(notes))


def _is_member(name: str) -> bool:
    return name.rsplit("/", 1)[-1].lower() == _MEMBER


def _member_bytes(data: bytes, source: str, limit: int) -> tuple[bytes, str]:
    """The archive's ``rdml_data.xml`` (or its only XML member), its size checked first."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            chosen = next((i for i in infos if _is_member(i.filename)), None)
            xml = [i for i in infos if i.filename.lower().endswith(".xml")]
            if chosen is None and len(xml) == 1:
                chosen = xml[0]
            if chosen is None:
                raise InputError(f"{source}: a zip archive without {_MEMBER}, so not an RDML "
                                 "file")
            if chosen.file_size > limit:
                raise InputError(f"{source}: {chosen.filename} inflates to "
                                 f"{chosen.file_size} bytes, over the {limit} byte RDML limit")
            with archive.open(chosen) as handle:
                raw = handle.read(limit + 1)
    except InputError:
        raise
    # zipfile raises NotImplementedError for a compression method it does not support.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
            EOFError, ValueError) as exc:
        raise InputError(f"{source}: a damaged zip archive ({exc})") from None
    if len(raw) > limit:
        raise InputError(f"{source}: {chosen.filename} inflates to more than the {limit} byte "
                         "RDML limit")
    return raw, chosen.filename


def _decode(raw: bytes, source: str) -> str:
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{source}: the RDML XML is neither UTF-8 nor UTF-16") from None
