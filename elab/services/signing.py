"""Electronic signatures on runs, in the manner 21 CFR Part 11 asks for.

A signature names the signer (printed name), the time and the meaning (performed,
reviewed, approved), and it covers one head of the run's hash chain.  Two secrets make it
hold against someone who can write the database and recompute the chain:

* Signing re-authenticates the signer: the password is kept only as an argon2id hash
  (argon2-cffi, salted), and the same password decrypts the signer's Ed25519 private key
  (PKCS#8 with the best encryption ``cryptography`` offers).  The password itself is never
  stored.
* The Ed25519 signature is over :func:`signature_payload` — the whole statement: run id,
  head sequence number, head hash, meaning, signer, printed name, time and key fingerprint —
  so none of them can be edited, it cannot be moved to another run or an older head, and it
  cannot be made without the private key.

The private key (encrypted) lives in the signer file in a folder only its owner can open
(``ELAB_SIGNER_DIR`` overrides the user data directory's ``signers/``).  The public key and
its fingerprint are also registered in the database when the signer is added (a
:class:`KeyRegistry`): signatures are verified with the registered key, a key file replaced
under an existing name is refused at signing, and a signer name cannot be registered twice,
so deleting a key file and adding the signer again does not re-validate forged signatures.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from elab.errors import ConflictError, InputError, IntegrityError, NotFoundError
from elab.services.signer_files import (
    SIGNER_NAME,
    FileSignerStore,
    SignerRecord,
    default_signer_store,
)
from elab.store.repository import RegisteredKey

__all__ = [
    "MEANINGS",
    "FileSignerStore",
    "KeyRegistry",
    "Signature",
    "SignerRecord",
    "SignerStore",
    "add_signer",
    "authenticate",
    "default_signer_store",
    "key_mismatch",
    "sign_head",
    "signature_payload",
    "signature_problem",
]

MEANINGS: tuple[str, ...] = ("performed", "reviewed", "approved")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class Signature:
    """One signature as stored in the run's ``signed`` event payload.

    ``v`` is the version of the signed statement: 1 (before printed name and key fingerprint
    were signed; still verified as it was made) or 2.
    """

    signer: str
    printed_name: str
    meaning: str
    at: str  # ISO 8601 UTC
    head_seq: int
    head_hash: str
    key_sha256: str
    signature: str  # Ed25519, hex
    v: int = 2

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Signature:
        """A signature from an event payload; a malformed one is an IntegrityError."""
        try:
            return cls(
                signer=str(data["signer"]),
                printed_name=str(data.get("printed_name", data["signer"])),
                meaning=str(data["meaning"]),
                at=str(data["at"]),
                head_seq=int(data["head_seq"]),
                head_hash=str(data["head_hash"]),
                key_sha256=str(data.get("key_sha256", "")),
                signature=str(data["signature"]),
                v=int(data.get("v", 1)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise IntegrityError(f"a signature event is malformed ({exc})") from exc


class SignerStore(Protocol):
    """Where signer records live."""

    def get(self, name: str) -> SignerRecord: ...

    def add(self, record: SignerRecord) -> None: ...

    def names(self) -> list[str]: ...


class KeyRegistry(Protocol):
    """Where signers' public keys are registered: the database, beside the runs they sign."""

    def register_key(self, key: RegisteredKey) -> None: ...

    def registered_key(self, name: str) -> RegisteredKey | None: ...


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_signer(
    name: str, password: str, *, printed_name: str = "", now: datetime,
    store: SignerStore | None = None, registry: KeyRegistry | None = None,
) -> SignerRecord:
    """Create a signer: an argon2 hash of the password and a fresh Ed25519 key pair.

    With a ``registry`` the public key is registered there too; a name already registered
    is refused even when its key file is gone.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not SIGNER_NAME.match(name):
        raise InputError(f"signer name {name!r} must be letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a signing password needs at least {MIN_PASSWORD} characters")
    store = store or default_signer_store()
    if name in store.names():
        raise ConflictError(f"signer {name!r} already exists")
    if registry is not None and registry.registered_key(name) is not None:
        raise ConflictError(
            f"signer {name!r} is already registered in this database; a signer's key is "
            "never replaced (add the person under another name)"
        )
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    record = SignerRecord(
        name=name,
        printed_name=" ".join(printed_name.split()) or name,
        password_hash=_hasher().hash(password),
        public_key=public.hex(),
        private_key_pem=pem.decode("ascii"),
        created_at=now.isoformat(),
    )
    store.add(record)
    if registry is not None:
        try:
            registry.register_key(_registered(record))
        except Exception:
            remove = getattr(store, "remove", None)
            if remove is not None:
                remove(name)
            raise
    return record


def _registered(record: SignerRecord) -> RegisteredKey:
    return RegisteredKey(record.name, record.printed_name, record.public_key, record.key_sha256,
                         record.created_at)


def authenticate(name: str, password: str, store: SignerStore | None = None) -> Any:
    """Re-authenticate a signer; returns the decrypted Ed25519 private key."""
    from argon2.exceptions import InvalidHashError, VerificationError
    from cryptography.hazmat.primitives import serialization

    record = (store or default_signer_store()).get(name)
    try:
        _hasher().verify(record.password_hash, password)
    except (VerificationError, InvalidHashError) as exc:
        raise InputError(f"wrong password for signer {name!r}") from exc
    try:
        return serialization.load_pem_private_key(
            record.private_key_pem.encode("ascii"), password=password.encode("utf-8")
        )
    except (ValueError, TypeError) as exc:
        raise IntegrityError(f"the private key of signer {name!r} cannot be opened") from exc


def signature_payload(
    run_id: str, head_seq: int, head_hash: str, meaning: str, signer: str, at: str,
    *, printed_name: str = "", key_sha256: str = "", v: int = 2,
) -> bytes:
    """The exact bytes signed: canonical JSON of the whole signed statement.

    Version 2 binds the printed name and the key fingerprint too; version 1 (without them)
    is only ever rebuilt to verify signatures made before.
    """
    body: dict[str, Any] = {
        "v": v,
        "run": run_id,
        "head_seq": head_seq,
        "head_hash": head_hash,
        "meaning": meaning,
        "signer": signer,
        "at": at,
    }
    if v >= 2:
        body.update({"printed_name": printed_name, "key_sha256": key_sha256})
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _statement(signature: Signature, run_id: str) -> bytes:
    return signature_payload(
        run_id, signature.head_seq, signature.head_hash, signature.meaning, signature.signer,
        signature.at, printed_name=signature.printed_name, key_sha256=signature.key_sha256,
        v=signature.v,
    )


def _checked_key(name: str, record: SignerRecord, registry: KeyRegistry | None) -> None:
    """Refuse a key file that is not the key registered for ``name``; register a new one."""
    if registry is None:
        return
    registered = registry.registered_key(name)
    if registered is None:
        # A signer made before keys were registered: its first signature registers it.
        registry.register_key(_registered(record))
        return
    if registered.key_sha256 != record.key_sha256:
        raise IntegrityError(
            f"the key file of signer {name!r} is not the key registered for {name!r} "
            f"(file {record.key_sha256[:16]}, registered {registered.key_sha256[:16]}); "
            "nothing was signed"
        )


def sign_head(
    *, run_id: str, head_seq: int, head_hash: str, meaning: str, signer: str, password: str,
    now: datetime, store: SignerStore | None = None, registry: KeyRegistry | None = None,
) -> Signature:
    """Authenticate ``signer`` and sign the run's head; the caller appends the event."""
    if meaning not in MEANINGS:
        raise NotFoundError("signature meaning", meaning, MEANINGS)
    store = store or default_signer_store()
    key = authenticate(signer, password, store)
    record = store.get(signer)
    _checked_key(signer, record, registry)
    unsigned = Signature(
        signer=signer,
        printed_name=record.printed_name,
        meaning=meaning,
        at=now.isoformat(),
        head_seq=head_seq,
        head_hash=head_hash,
        key_sha256=record.key_sha256,
        signature="",
    )
    raw = key.sign(_statement(unsigned, run_id))
    return replace(unsigned, signature=bytes(raw).hex())


def _public_key(
    signer: str, store: SignerStore | None, registry: KeyRegistry | None
) -> tuple[str, str] | str:
    """(public key hex, fingerprint) to verify with, or why there is none.

    The registered key decides; a signer file is only consulted for a signer that was never
    registered (signatures made before the registry existed).
    """
    if registry is not None:
        registered = registry.registered_key(signer)
        if registered is not None:
            return registered.public_key, registered.key_sha256
    try:
        record = (store or default_signer_store()).get(signer)
    except NotFoundError:
        return f"signer {signer!r} is not known here"
    except IntegrityError as exc:
        return str(exc)
    return record.public_key, record.key_sha256


def key_mismatch(
    signer: str, store: SignerStore | None, registry: KeyRegistry | None
) -> str:
    """Why the signer's key file and the key registered in the database disagree ("" when
    they agree, or when either is not at hand).

    The registry decides which key verifies a signature, but it sits in the database an
    attacker may write; the key file sits with the signer.  When they differ, one of them was
    replaced, and whoever reads the run must hear it.
    """
    if registry is None:
        return ""
    registered = registry.registered_key(signer)
    try:
        own = (store or default_signer_store()).get(signer)
    except (NotFoundError, IntegrityError):
        return ""
    if registered is None or own.key_sha256 == registered.key_sha256:
        return ""
    return (f"the key registered for {signer!r} in the database "
            f"({registered.key_sha256[:16]}) is not the key in {signer!r}'s key file "
            f"({own.key_sha256[:16]}): one of them was replaced")


def signature_problem(
    signature: Signature,
    run_id: str,
    hash_at: Mapping[int, str],
    store: SignerStore | None = None,
    registry: KeyRegistry | None = None,
) -> str:
    """Why a signature does not hold ("" when it does).

    ``hash_at`` maps each event's sequence number to its hash in the run as stored: the
    signed head must still be there, with the same hash, and the Ed25519 signature must
    verify with the signer's registered key (or, for a signer never registered, the key in
    the signer file).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if signature.meaning not in MEANINGS:
        return f"unknown meaning {signature.meaning!r}"
    stored = hash_at.get(signature.head_seq)
    if stored is None:
        return f"the signed event #{signature.head_seq} is not in the run"
    if stored != signature.head_hash:
        return f"event #{signature.head_seq} no longer has the signed hash"
    key = _public_key(signature.signer, store, registry)
    if isinstance(key, str):
        return key
    public_key, fingerprint = key
    if signature.key_sha256 and signature.key_sha256 != fingerprint:
        return f"signed with a key that is not {signature.signer!r}'s"
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature.signature), _statement(signature, run_id)
        )
    except (InvalidSignature, ValueError):
        return "the Ed25519 signature does not verify"
    return ""
