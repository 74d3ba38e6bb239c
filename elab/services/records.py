"""Use cases for run records: build a record from the stored run, render it, sign the run.

The run's storage is reached through :class:`RunSource`, a small adapter over the runs
service (the run's folded state with its events, chain verification, appending a ``signed``
event), so that this module holds the record logic and nothing about tables or sessions.
Signatures are checked here, against the signer files, every time a record is built: a
record can never show a signature as valid that ``runs verify`` would reject.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol

from elab.domain.protocol.model import Protocol as ProtocolModel
from elab.domain.records.build import record_from_run
from elab.domain.records.model import (
    ChainStatus,
    RunRecord,
    SignatureRow,
)
from elab.domain.runs import Event, RunState
from elab.domain.runs.clock import Clock, SystemClock
from elab.domain.runs.kinds import (
    StepDone,
    StepStarted,
    TimerStarted,
    ValueRecorded,
)
from elab.errors import IntegrityError, RunStateError
from elab.render.record import PDF_VARIANTS  # the archival PDF forms a record can take
from elab.services.integrity import SIGNED, check_signatures
from elab.services.policy import Policy, PolicyError, refusal
from elab.services.record_parts import (
    analyses_of,
    elab_version,
    plate_map_of,
    with_derived,
)
from elab.services.record_plan import planned_times
from elab.services.signing import (
    KeyRegistry,
    Signature,
    SignerStore,
    default_signer_store,
    sign_head,
)

__all__ = [
    "PDF_VARIANTS",
    "SIGNED",
    "RunSource",
    "RunSubject",
    "build_record",
    "default_source",
    "elab_version",
    "local_zone",
    "plate_map_of",
    "render_record",
    "sign_run",
    "signature_rows",
    "verify_signatures",
    "with_derived",
]


@dataclass(frozen=True)
class RunSubject:
    """A run as the record reads it: its folded state (with every event) and its check."""

    state: RunState
    chain: ChainStatus

    @property
    def run_id(self) -> str:
        return self.state.run_id

    @property
    def protocol(self) -> ProtocolModel:
        return self.state.protocol


class RunSource(Protocol):
    """The runs service as the record service uses it."""

    def subject(self, run_id: str) -> RunSubject: ...

    def append_signature(self, run_id: str, payload: Mapping[str, Any], operator: str) -> int:
        """Append a ``signed`` event; returns its sequence number."""
        ...


def signature_rows(
    run_id: str,
    events: Sequence[Event],
    store: SignerStore | None = None,
    *,
    damaged: int | None = None,
    registry: KeyRegistry | None = None,
) -> list[SignatureRow]:
    """Every ``signed`` event of the run, checked, with whether it covers the whole run.

    A signature over an event that no longer verifies (``damaged``: the first such event,
    from the run's verification) is invalid, whatever its own bytes say.  A signature covers
    the whole run when no event other than signatures follows its head: signing twice in a
    row (performed, then reviewed) leaves both covering everything.
    """
    store = store or default_signer_store()
    last_fact = max((e.seq for e in events if e.type != SIGNED), default=0)
    facts = [e.seq for e in events if e.type != SIGNED]
    checks = check_signatures(run_id, events, damaged, store, registry)
    rows = []
    for check in checks:
        sig = check.signature
        if sig is None:
            ev = next(e for e in events if e.seq == check.seq)
            rows.append(SignatureRow(str(ev.payload.get("signer", "?")), "?", "?",
                                     datetime.fromisoformat(ev.at), 0, "",
                                     False, False, check.problem, seq=check.seq))
            continue
        problem = check.problem
        try:
            at = datetime.fromisoformat(sig.at)
        except ValueError:
            at = datetime.fromisoformat(next(e.at for e in events if e.seq == check.seq))
            problem = problem or "the signature time is not a valid time"
        rows.append(SignatureRow(
            signer=sig.signer, printed_name=sig.printed_name, meaning=sig.meaning, at=at,
            head_seq=sig.head_seq, head_hash=sig.head_hash,
            covers_whole_run=sig.head_seq >= last_fact, valid=not problem, problem=problem,
            key_sha256=sig.key_sha256, seq=check.seq,
            misses=tuple(n for n in facts if n > sig.head_seq),
        ))
    return rows


def verify_signatures(
    run_id: str, events: Sequence[Event], store: SignerStore | None = None,
    registry: KeyRegistry | None = None,
) -> str:
    """The first signature problem of a run, "" when every signature holds."""
    for row in signature_rows(run_id, events, store, registry=registry):
        if not row.valid:
            over = f" over event {row.head_seq}" if row.head_seq else ""
            return f"signature{over} by {row.signer} ({row.meaning}) does not hold: {row.problem}"
    return ""


def build_record(
    run_id: str, source: RunSource, *, store: SignerStore | None = None,
    now: datetime | None = None, clock: Clock | None = None, timezone: str | None = None,
    calendar: str | Path | None = None,
) -> RunRecord:
    """The record of a stored run, with its chain and signatures checked now.

    ``now`` (else ``clock``'s time, else the system clock's) is the moment the record says
    it was made.  Planned times are the lab calendar's plan of the run (``calendar``, a
    calendar file, else the agenda's default), see :mod:`elab.services.record_plan`.
    """
    subject = source.subject(run_id)
    state = subject.state
    plate_svg, plate_text = plate_map_of(run_id, source, state)
    moment = now or (clock or SystemClock()).now()
    plan = planned_times(state, calendar)
    record = record_from_run(
        state, chain=subject.chain, now=moment,
        signatures=signature_rows(run_id, state.events, store,
                                  damaged=subject.chain.first_damaged,
                                  registry=getattr(source, "registry", None)),
        analyses=analyses_of(state), plate_svg=plate_svg, plate_text=plate_text,
        elab_version=elab_version(), local_tz=local_zone(timezone, moment),
        planned=plan.steps, planned_note=plan.note,
    )
    return with_derived(record, state)


def local_zone(timezone: str | None = None, at: datetime | None = None) -> tzinfo | None:
    """The zone local times are shown in: ``timezone`` (the shell passes
    ``ELAB_TIMEZONE``) or ``TZ`` (IANA names), else the machine's own; None when it is UTC
    at ``at`` (the record's moment) anyway, and the record then shows UTC alone."""
    import os
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for name in (timezone, os.environ.get("TZ")):
        if name:
            try:
                zone: tzinfo | None = ZoneInfo(name.lstrip(":"))
            except (ZoneInfoNotFoundError, ValueError):
                continue
            break
    else:
        zone = datetime.now().astimezone().tzinfo
    probe = (at or datetime.now(UTC)).astimezone(UTC)
    if zone is None or probe.astimezone(zone).utcoffset() == probe.utcoffset():
        return None
    return zone


def render_record(
    run_id: str, kind: str, *, paper: str = "A4", lab_templates: Path | None = None,
    source: RunSource | None = None, store: SignerStore | None = None,
    clock: Clock | None = None, pdf_variant: str | None = None, timezone: str | None = None,
    calendar: str | Path | None = None,
) -> tuple[bytes, RunRecord]:
    """The record rendered as ``html``, ``md`` or ``pdf`` bytes, with the record itself.

    With ``pdf_variant`` (``pdf/a-3b``) the PDF is archival and carries every attachment
    of the run as an embedded file.
    """
    from elab.render.record import (
        Paper,
        record_html,
        record_markdown,
        record_pdf,
        user_templates_dir,
    )

    own = source is None
    source = source or default_source()
    try:
        record = build_record(run_id, source, store=store, clock=clock, timezone=timezone,
                              calendar=calendar)
        files = _attachment_files(source, record) if pdf_variant is not None else []
    finally:
        if own:
            _close(source)
    lab = lab_templates if lab_templates is not None else user_templates_dir()
    size: Paper = "letter" if paper.lower() == "letter" else "A4"
    if kind == "pdf":
        return record_pdf(record, paper=size, lab_templates=lab, pdf_variant=pdf_variant,
                          attachments=files), record
    if kind == "md":
        return record_markdown(record, lab_templates=lab).encode("utf-8"), record
    return record_html(record, paper=None, lab_templates=lab).encode("utf-8"), record


def _attachment_files(source: RunSource, record: RunRecord) -> list[tuple[str, str, bytes]]:
    """Every attachment of the run as (name, file name, bytes), read by its SHA-256."""
    blob = getattr(source, "blob", None)
    if blob is None:
        return []
    out = []
    for a in record.attachments:
        filename = a.filename or a.name
        if a.seq is not None:  # two files of one name stay apart in the PDF
            filename = f"{a.seq}-{filename}"
        out.append((a.name, filename, bytes(blob(a.sha256))))
    return out


def sign_run(
    run_id: str, *, meaning: str, signer: str, password: str, source: RunSource | None = None,
    store: SignerStore | None = None, now: datetime | None = None, clock: Clock | None = None,
    policy: Policy | None = None,
) -> Signature:
    """Re-authenticate ``signer`` and sign the run's current head (a ``signed`` event).

    A run whose chain does not verify is not signed: a signature must never lend its weight
    to a record that may have been altered.  With a lab ``policy`` (``elab runs sign``
    always passes one), a signature that breaks it is refused with
    :class:`~elab.services.policy.PolicyError` after the signer is authenticated and before
    anything is written.
    """
    own = source is None
    source = source or default_source()
    try:
        moment = now or (clock or SystemClock()).now()
        return _sign(run_id, meaning, signer, password, source, store, moment, policy)
    finally:
        if own:
            _close(source)


def _close(source: RunSource) -> None:
    close = getattr(source, "close", None)
    if close is not None:
        close()


def _policy_refusal(
    policy: Policy, run_id: str, meaning: str, signer: str, state: RunState
) -> str:
    """What the lab policy says about this signature on this run ("" if allowed)."""
    bench = {StepStarted.TYPE, StepDone.TYPE, ValueRecorded.TYPE, TimerStarted.TYPE}
    performers = {e.operator for e in state.events if e.type in bench}
    performers |= {s.data.signer for s in state.signatures if s.data.meaning == "performed"}
    lots = {lot.data.material for lot in state.lots if lot.data.lot}
    return refusal(policy, run_id=run_id, meaning=meaning, signer=signer,
                   state=state.state.value, performers=performers, lots=lots,
                   materials=list(state.protocol.materials))


def _sign(
    run_id: str, meaning: str, signer: str, password: str, source: RunSource,
    store: SignerStore | None, now: datetime, policy: Policy | None = None,
) -> Signature:
    subject = source.subject(run_id)
    if not subject.chain.ok:
        raise IntegrityError(f"run {run_id} is not signed: its chain does not verify "
                             f"({subject.chain.problem})")
    events = subject.state.events
    if not events:
        raise RunStateError(f"run {run_id} has no events to sign")
    head = events[-1]
    signature = sign_head(
        run_id=run_id, head_seq=head.seq, head_hash=head.hash, meaning=meaning, signer=signer,
        password=password, now=now, store=store,
        registry=getattr(source, "registry", None),
    )
    if policy is not None:  # after authentication, so a wrong password is said first
        problem = _policy_refusal(policy, run_id, signature.meaning, signer, subject.state)
        if problem:
            raise PolicyError(problem)
    source.append_signature(run_id, signature.to_payload(), signer)
    return signature


def default_source() -> RunSource:
    """The runs service behind the :class:`RunSource` interface."""
    from elab.services.record_source import runs_source

    return runs_source()
