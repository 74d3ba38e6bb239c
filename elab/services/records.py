"""Use cases for run records: build a record from the stored run, render it, sign the run.

The run's storage is reached through :class:`RunSource`, a small adapter over the runs
service (the run's folded state with its events, chain verification, appending a ``signed``
event), so that this module holds the record logic and nothing about tables or sessions.
Signatures are checked here, against the signer files, every time a record is built: a
record can never show a signature as valid that ``runs verify`` would reject.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol

from elab.domain.protocol.model import Protocol as ProtocolModel
from elab.domain.records.build import analysis_from_result, record_from_run
from elab.domain.records.model import (
    AnalysisRecord,
    ChainStatus,
    InputFile,
    PlotImage,
    RunRecord,
    SignatureRow,
)
from elab.domain.runs import Event, RunState
from elab.domain.runs.clock import Clock, SystemClock
from elab.domain.runs.kinds import (
    AnalysisDone,
    StepDone,
    StepStarted,
    TimerStarted,
    ValueRecorded,
)
from elab.errors import IntegrityError, RunStateError
from elab.render.record import PDF_VARIANTS  # the archival PDF forms a record can take
from elab.services.integrity import SIGNED, check_signatures
from elab.services.policy import Policy, PolicyError, refusal
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


def elab_version() -> str:
    """The installed elab's version, printed on records and analyses to reproduce them."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("elab")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _analyses(state: RunState) -> list[AnalysisRecord]:
    """Analysis results stored in the run, with their plots.

    Each carries what reproducing it needs: the hook's parameters, every input file's name
    and SHA-256 (the attachment of that name the run held when the analysis ran), and the
    version of elab that renders the record.
    """
    out = []
    version = elab_version()
    for logged in state.analyses:
        a = logged.data
        files = {f.data.name: InputFile(f.data.name, f.data.filename, f.data.sha256, f.seq)
                 for f in state.attachments if f.seq < logged.seq}
        analysis = analysis_from_result(a.hook or "analysis", a.result or {}, _plots_of(a),
                                        a.error or "", _result_order(a.hook))
        out.append(replace(
            analysis,
            params=tuple((str(k), str(v)) for k, v in sorted(a.params.items())),
            inputs=tuple(files.get(n, InputFile(n)) for n in a.inputs),
            elab_version=version, seq=logged.seq, at=logged.at,
        ))
    return out


def _result_order(hook: str) -> tuple[str, ...]:
    """The hook's declared result keys, so tables read in its order (group, ic50, ...)."""
    from elab.domain.analysis.registry import load_hook

    try:
        h = load_hook(hook)
    except (LookupError, ValueError):
        return ()
    return ("group", "curve", "sample", "target", *h.result_keys)


def _plots_of(analysis: AnalysisDone) -> list[PlotImage]:
    """The plot the analysis stored with its result (PNG, base64), if it drew one."""
    import base64
    import binascii

    if not analysis.plot_png:
        return []
    try:
        png = base64.b64decode(analysis.plot_png, validate=True)
    except (ValueError, binascii.Error):
        return []
    title = f"{analysis.hook}: {', '.join(analysis.inputs) or 'plot'}"
    return [PlotImage(title, png)]


LAYOUT_NAMES = ("layout", "plate-layout", "plate_layout", "plate-map")


def plate_map_of(run_id: str, source: RunSource, state: RunState) -> tuple[str, str]:
    """The run's plate map (SVG, text grid) from an attached layout CSV, or ("", "").

    Only a layout the run itself recorded is drawn: a layout made up from the design now
    would show wells that were never pipetted that way.
    """
    reader = getattr(source, "attachment", None)
    names = [a.data.name for a in state.attachments]
    name = next((n for n in reversed(names) if n.lower() in LAYOUT_NAMES), None)
    if reader is None or name is None:
        return "", ""
    from elab.domain.plate.csvio import layout_from_csv
    from elab.domain.plate.grid import text_grid
    from elab.errors import ElabError
    from elab.render.plate_map import plate_map_svg

    try:
        text = bytes(reader(run_id, name)).decode("utf-8-sig")
        layout = layout_from_csv(text, source=f"attachment {name}")
        return plate_map_svg(layout), text_grid(layout)
    except (ElabError, UnicodeDecodeError, ValueError):
        return "", ""


def build_record(
    run_id: str, source: RunSource, *, store: SignerStore | None = None,
    now: datetime | None = None, clock: Clock | None = None, timezone: str | None = None,
) -> RunRecord:
    """The record of a stored run, with its chain and signatures checked now.

    ``now`` (else ``clock``'s time, else the system clock's) is the moment the record says
    it was made.
    """
    subject = source.subject(run_id)
    state = subject.state
    plate_svg, plate_text = plate_map_of(run_id, source, state)
    moment = now or (clock or SystemClock()).now()
    record = record_from_run(
        state, chain=subject.chain, now=moment,
        signatures=signature_rows(run_id, state.events, store,
                                  damaged=subject.chain.first_damaged,
                                  registry=getattr(source, "registry", None)),
        analyses=_analyses(state), plate_svg=plate_svg, plate_text=plate_text,
        elab_version=elab_version(), local_tz=local_zone(timezone, moment),
    )
    return with_derived(record, state)


def with_derived(record: RunRecord, state: RunState) -> RunRecord:
    """The record with each step's derived values and antibody volumes, as the run's
    recorded values give them (the same numbers the run screen showed at the step)."""
    from elab.domain.runs.derived import derived_for_run, step_derived_lines

    protocol = state.protocol
    if not any(s.derive or s.solution for s in protocol.steps):
        return record
    derived = derived_for_run(state)
    steps = tuple(replace(s, derived=tuple(step_derived_lines(protocol, s.id, derived)))
                  for s in record.steps)
    return replace(record, steps=steps)


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
        record = build_record(run_id, source, store=store, clock=clock, timezone=timezone)
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
