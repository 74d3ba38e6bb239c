"""Signers' files: one JSON file per signer, in a folder only its owner can open.

A file holds the printed name, the argon2 hash of the password and the Ed25519 key pair, the
private key encrypted with the password (see :mod:`elab.services.signing` for how they are
used).  Kept apart from the signing logic so that the two can be read and changed alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from elab.errors import ConflictError, IntegrityError, NotFoundError
from elab.files import read_text
from elab.settings import Settings

__all__ = ["SIGNER_NAME", "FileSignerStore", "SignerRecord", "default_signer_store"]

SIGNER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class SignerRecord:
    """What is kept about a signer: never the password, never the key in the clear."""

    name: str
    printed_name: str
    password_hash: str
    public_key: str  # raw Ed25519 public key, hex
    private_key_pem: str  # PKCS#8, encrypted with the signer's password
    created_at: str

    @property
    def key_sha256(self) -> str:
        return hashlib.sha256(bytes.fromhex(self.public_key)).hexdigest()


class FileSignerStore:
    """One JSON file per signer, readable only by its owner, in a folder only they open."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json"))

    def get(self, name: str) -> SignerRecord:
        path = self._path(name) if SIGNER_NAME.match(name) else None
        if path is None or not path.is_file():
            how = f"add one with: elab signer add {name}" if path is not None else ""
            raise NotFoundError("signer", name, self.names(), how=how)
        try:
            data = json.loads(read_text(path, 64 * 1024, what="signer file"))
            return SignerRecord(**data)
        except (ValueError, TypeError) as exc:
            raise IntegrityError(f"signer file {path} is damaged ({exc})") from exc

    def add(self, record: SignerRecord) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        path = self._path(record.name)
        text = json.dumps(asdict(record), indent=2, sort_keys=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise ConflictError(f"signer {record.name!r} already exists ({path})") from exc
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)

    def remove(self, name: str) -> None:
        """Take back a signer file whose registration failed (nothing half-made is left)."""
        self._path(name).unlink(missing_ok=True)


def default_signer_store() -> FileSignerStore:
    """Signer files in ``ELAB_SIGNER_DIR`` or the user data directory's ``signers/``."""
    override = Settings.from_env().signer_dir
    if override:
        return FileSignerStore(Path(override))
    from platformdirs import user_data_dir

    return FileSignerStore(Path(user_data_dir("elab")) / "signers")
