"""Bytes from a reader's PC as text: UTF-8, UTF-16 (with or without a byte-order mark) or
a Windows code page.

Reader software on Windows writes UTF-16 (Gen5 "Unicode text" exports, SoftMax Pro) or the
machine's ANSI code page (``°C`` as byte 0xB0), and rarely says which.  A BOM decides;
otherwise every other byte being NUL means UTF-16 without one; valid UTF-8 is UTF-8; and
anything else is read as Windows-1252, the superset of Latin-1 those PCs use, with the
note saying so.  A NUL left after decoding means the file is binary, which is refused.
"""

from __future__ import annotations

import codecs

from elab.errors import InputError

__all__ = ["text_from_bytes"]


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:400]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.2 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.2 * len(odd):
        return "utf-16-be"
    return None


def text_from_bytes(data: bytes, source: str) -> tuple[str, str]:
    """The file's text and the encoding it was read in."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = _utf16_without_bom(data) or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise InputError(f"{source}: not valid {encoding.upper()} text") from None
        encoding = "cp1252"
        text = data.decode("cp1252", errors="replace")
        if "\ufffd" in text:
            encoding = "latin-1"
            text = data.decode("latin-1")
    if "\x00" in text:
        raise InputError(f"{source}: a binary file, not a reader's text export "
                         "(give --format for a vendor file)")
    return text, encoding
