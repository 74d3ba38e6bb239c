"""Trusted timestamps (RFC 3161) for exported run heads.

An anchor file kept outside the database proves the logs' heads existed as they were; a
timestamp from an authority proves *when*: the authority signs the file's SHA-256 with its
time, so an anchor cannot be made later and back-dated.  The requests and the checks go
through ``openssl ts`` (OpenSSL's own implementation of the protocol, on every machine elab
runs on) rather than ASN.1 written here; the request is an HTTP POST to the authority's URL
(``ELAB_TSA_URL``), and checking needs the authority's CA certificate (``ELAB_TSA_CA``).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from elab.errors import InputError, StorageError

__all__ = ["TimestampCheck", "check_timestamp", "request_timestamp"]

_MAX_REPLY = 1 << 20
_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class TimestampCheck:
    """What an authority's reply says about some bytes: ``ok`` and its time, or why not."""

    ok: bool
    time: str = ""
    problem: str = ""


def _openssl(args: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["openssl", *args], capture_output=True, text=True,
                              timeout=_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise StorageError("trusted timestamps need the openssl command, which is not "
                           "installed") from None
    except subprocess.TimeoutExpired:
        raise StorageError("openssl did not answer within 20 s") from None


def request_timestamp(data: bytes, url: str) -> bytes:
    """The authority's reply (DER) timestamping the SHA-256 of ``data``."""
    digest = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        query = Path(tmp) / "request.tsq"
        made = _openssl(["ts", "-query", "-digest", digest, "-sha256", "-cert",
                         "-out", str(query)])
        if made.returncode != 0:
            raise StorageError(f"openssl could not make a timestamp request: {made.stderr}")
        request = urllib.request.Request(
            url, data=query.read_bytes(), method="POST",
            headers={"Content-Type": "application/timestamp-query"})
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as reply:
                body: bytes = reply.read(_MAX_REPLY + 1)
        except OSError as exc:
            raise StorageError(f"the timestamp authority {url} did not answer: {exc}") from None
    if len(body) > _MAX_REPLY:
        raise StorageError(f"the timestamp authority {url} sent more than {_MAX_REPLY} bytes")
    return body


def check_timestamp(data: bytes, reply: bytes, ca_file: Path) -> TimestampCheck:
    """Whether ``reply`` is the authority's valid timestamp of exactly ``data``."""
    if not ca_file.is_file():
        raise InputError(f"{ca_file}: the timestamp authority's CA certificate is not there")
    digest = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        response = Path(tmp) / "reply.tsr"
        response.write_bytes(reply)
        checked = _openssl(["ts", "-verify", "-digest", digest, "-in", str(response),
                            "-CAfile", str(ca_file)])
        if checked.returncode != 0 or "Verification: OK" not in checked.stdout:
            why = (checked.stderr or checked.stdout).strip().splitlines()
            return TimestampCheck(False, problem=why[-1] if why else "it does not verify")
        shown = _openssl(["ts", "-reply", "-in", str(response), "-text"])
    match = re.search(r"^Time stamp: (.+)$", shown.stdout, re.MULTILINE)
    return TimestampCheck(True, time=match.group(1).strip() if match else "")
