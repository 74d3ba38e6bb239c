"""Run use cases shared by the CLI and the TUI: every change to a run goes through here.

Each action reads the run's events, folds them into its state, decides what new events the
action makes (with the automatic deviations it causes) and appends them in one transaction
after the last event it read.  When another writer got there first, the action is decided
again on the fresh state, so concurrent writers never fork the chain.
"""

from __future__ import annotations

import getpass
import random
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from elab.domain.protocol import load_document, protocol_from_tree
from elab.domain.protocol.graph import step_time
from elab.domain.protocol.model import Step
from elab.domain.runs import (
    Clock,
    Event,
    RunState,
    SystemClock,
    advance,
    fold,
    verify_chain,
)
from elab.domain.runs.clock import iso
from elab.domain.runs.events import GENESIS, new_event
from elab.domain.runs.kinds import (
    Aborted,
    AnalysisDone,
    Attached,
    Completed,
    Corrected,
    DeviationNoted,
    LotRecorded,
    NoteAdded,
    Paused,
    Resumed,
    Retracted,
    RunEvent,
    RunStarted,
    Signed,
    StepDone,
    StepSkipped,
    StepStarted,
    TimerStarted,
    TimerStopped,
    ValueRecorded,
)
from elab.domain.runs.rules import (
    AutoDeviation,
    expired_lot_deviation,
    incubation_deviation,
    order_deviation,
    unfinished,
    unfinished_summary,
    untimed_deviation,
    window_deviations,
)
from elab.domain.runs.summary import RunSummary, summarize
from elab.domain.runs.undo import UNDO_WINDOW_S, UNDOABLE, last_action
from elab.errors import (
    ConflictError,
    ElabError,
    InputError,
    IntegrityError,
    NotFoundError,
    RunStateError,
    StorageError,
)
from elab.files import STDIN, check_text, read_bytes
from elab.services.integrity import Finding
from elab.services.protocol_library import find_protocol_file as find_protocol
from elab.services.protocol_library import library_dirs
from elab.services.run_status import status_json
from elab.services.signing import KeyRegistry, SignerStore
from elab.services.values import check_value, each_reading, split_readings
from elab.settings import Settings
from elab.store import EventStore, open_engine
from elab.store.repository import MAX_ATTACHMENT_BYTES

__all__ = [
    "RunService",
    "RunsOverview",
    "check_value",
    "current_operator",
    "split_readings",
    "status_json",
]

Draft = RunEvent
_RETRIES = 50
_ID_TRIES = 8
_MAX_NAME = 200  # operators, lots: the width of their columns


def current_operator(explicit: str | None = None) -> str:
    """``--operator``, then ``ELAB_OPERATOR``, then the system user."""
    if explicit:
        return explicit
    env = Settings.from_env().operator
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _operator(engine: Any, explicit: str | None) -> str:
    """Who acts: on a lab PostgreSQL with person roles, always the logged-in person."""
    from elab.services.admin import session_person

    person = session_person(engine)
    if person is None:
        operator = current_operator(explicit)
        if len(operator) > _MAX_NAME:
            engine.dispose()
            raise InputError(f"an operator name is at most {_MAX_NAME} characters")
        return operator
    if explicit and explicit != person:
        engine.dispose()
        raise InputError(f"on this database you act as {person!r}, the role you logged in "
                         f"as; --operator {explicit!r} is refused")
    return person


@dataclass(frozen=True)
class RunsOverview:
    """The runs that read, and a finding for each run that does not."""

    states: list[RunState]
    damaged: list[Finding]


@dataclass
class RunService:
    store: EventStore
    clock: Clock
    operator: str
    signers: SignerStore | None = None
    _cache: dict[str, RunState] = field(default_factory=dict, repr=False)
    # The TUI reads runs from worker threads too (records, plans); cached states are
    # advanced in place, so reading and advancing them is one thread at a time.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @classmethod
    def open(
        cls, url: str | None = None, operator: str | None = None, clock: Clock | None = None
    ) -> RunService:
        engine = open_engine(url)
        return cls(EventStore(engine), clock or SystemClock(), _operator(engine, operator))

    def close(self) -> None:
        self.store.engine.dispose()

    # ------------------------------------------------------------------ reading

    def events(self, run_id: str) -> list[Event]:
        found = self.store.events(run_id)
        if not found:
            raise NotFoundError("run", run_id, self.store.run_ids())
        return found

    def state(self, run_id: str) -> RunState:
        """The run's current state: a fold of its events, kept and moved on between calls.

        The object is this service's own copy and is advanced in place by later reads and
        actions; read it, do not change it.
        """
        return self._fresh(run_id)

    def _fresh(self, run_id: str) -> RunState:
        with self._lock:
            return self._fresh_locked(run_id)

    def _fresh_locked(self, run_id: str) -> RunState:
        cached = self._cache.get(run_id)
        try:
            if cached is not None:
                newer = self.store.events(run_id, after=cached.last_seq)
                state = advance(cached, newer) if newer else cached
            else:
                state = fold(self.events(run_id))
        except (KeyError, TypeError, ValueError) as exc:
            self._cache.pop(run_id, None)
            problem = verify_chain(self.store.events(run_id))
            why = str(problem) if problem else f"an event does not read ({exc})"
            raise IntegrityError(f"run {run_id} cannot be read: {why}") from None
        self._cache[run_id] = state
        return state

    def list_runs(self) -> list[RunState]:
        """Every run that can be read; see :meth:`overview` for the ones that cannot."""
        return self.overview().states

    def overview(self) -> RunsOverview:
        """Every run's state, with the runs that cannot be read named apart, never hiding
        the others."""
        states: list[RunState] = []
        damaged: list[Finding] = []
        for rid in self.store.run_ids():
            try:
                states.append(self.state(rid))
            except ElabError as exc:
                damaged.append(Finding(rid, "unreadable", str(exc)))
        return RunsOverview(states, damaged)

    def summaries(
        self, *, active: bool = False, limit: int | None = None, since: str | None = None
    ) -> list[RunSummary]:
        """One line per run, active runs first, then the newest: read from the summaries
        kept with each append, so listing costs what is shown, not the lab's history.

        Runs whose summary is missing (made before summaries) or behind their head are
        summarised again from the log first; a run that cannot be read is a ``damaged``
        summary naming why, never a failure of the whole list.
        """
        stale = self.store.stale_summaries()
        if stale:
            fresh = [self._summary_of(rid).to_row() for rid in stale]
            try:
                self.store.put_summaries(fresh)
            except StorageError:
                # A read-only database: show them without keeping them.
                kept = {r["run_id"]: r for r in self.store.summaries(since=since)}
                kept.update({r["run_id"]: r for r in fresh})
                found = [RunSummary.from_row(r) for r in kept.values()]
                found = [r for r in found if not active or r.active]
                found.sort(key=lambda r: (not r.active, -(r.started_at.timestamp()
                                                         if r.started_at else 0)))
                return found[:limit] if limit is not None else found
        rows = self.store.summaries(active=active, limit=limit, since=since)
        return [self._parsed_summary(r) for r in rows]

    def _parsed_summary(self, row: dict[str, Any]) -> RunSummary:
        """A stored summary, or one made again from the log when the row does not read."""
        try:
            return RunSummary.from_row(row)
        except (KeyError, TypeError, ValueError):
            return self._summary_of(str(row.get("run_id", "")))

    def _summary_of(self, run_id: str) -> RunSummary:
        try:
            return summarize(self.state(run_id))
        except ElabError as exc:
            head = self.store.head(run_id)
            problem = str(exc).removeprefix(f"run {run_id} cannot be read: ")
            problem = problem.removeprefix(f"run {run_id} ")
            return RunSummary(run_id, "?", "", "damaged", None, None, (), "", (),
                              head.last_seq if head else 0, problem=problem)

    def verify(self, run_id: str | None = None) -> list[Finding]:
        """Every problem of every run (or of ``run_id``): chain, head, attachments, signatures."""
        from elab.services.integrity import run_findings

        if run_id is not None:
            self.events(run_id)  # NotFoundError with suggestions for an unknown run
        ids = [run_id] if run_id else self.store.every_run_id()
        return [finding for rid in ids for finding in run_findings(self.store, rid, self.signers)]

    def snapshot(self, run_id: str) -> RunState:
        """A fresh fold of the run that no one else holds: for worker threads, which must not
        read the cached states the UI thread moves on in place."""
        return fold(self.events(run_id))

    def attachment(self, sha256: str) -> bytes:
        """An attachment's bytes, hashed again (IntegrityError when they were altered)."""
        return self.store.attachment(sha256)

    def anchors(self) -> list[str]:
        """Every run's recorded head as a JSON line (see :func:`anchor_lines`)."""
        from elab.services.integrity import anchor_lines

        return anchor_lines(self.store, iso(self.clock.now()))

    def check_anchors(
        self, lines: Sequence[str], source: str, run_id: str | None = None
    ) -> list[Finding]:
        """Runs whose log no longer holds the heads exported to a witness."""
        from elab.services.integrity import anchor_findings

        found = anchor_findings(self.store, lines, source)
        return [f for f in found if run_id is None or f.run_id == run_id]

    @property
    def keys(self) -> KeyRegistry:
        """The signers' public keys registered in this database."""
        return self.store

    def last_seq(self, run_id: str) -> int:
        return self.store.last_seq(run_id)

    def run_ids(self) -> list[str]:
        return self.store.run_ids()

    # ------------------------------------------------------------------ writing

    def start(
        self,
        protocol: str,
        params: Mapping[str, str] | None = None,
        variant: str | None = None,
    ) -> str:
        """Start a run; the protocol's resolved content and its SHA-256 go into the log."""
        path = find_protocol(protocol)
        document = load_document(path, [path.parent, *library_dirs()])
        loaded = protocol_from_tree(document.tree, document.path, params)
        if variant is not None and variant not in loaded.variants:
            raise NotFoundError("variant", variant, loaded.variants)
        now = self.clock.now()
        started = RunStarted(
            protocol=loaded.id,
            title=loaded.title,
            version=loaded.version,
            path=str(path),
            content=document.content,
            sha256=document.sha256,
            params=dict(params or {}),
            variant=variant,
        )
        for _ in range(_ID_TRIES):
            # 48 random bits a day: a collision needs millions of runs started that day, and
            # the unique key turns the rare one into another draw, never a failed start.
            run_id = f"{now:%Y%m%d}-{secrets.token_hex(6)}"
            first = new_event(run_id, 1, started, iso(now), self.operator, GENESIS)
            try:
                self.store.create_run(first, loaded.id, summarize(fold([first])).to_row())
            except ConflictError:
                continue
            return run_id
        raise RunStateError("no free run id after several draws; is the clock stuck?")

    def _act(
        self,
        run_id: str,
        decide: Callable[[RunState, datetime], list[Draft]],
        blobs: Sequence[bytes] = (),
        *,
        finished_ok: bool = False,
        operator: str | None = None,
    ) -> list[Event]:
        # The cached fold is enough to decide on: the append checks the log's last sequence
        # number inside its write transaction, so a stale state is a ConflictError and is
        # decided again on fresh events.  This saves a read round trip per action.
        state = self._cache.get(run_id) or self._fresh(run_id)
        for attempt in range(_RETRIES):
            if state.finished and not finished_ok:
                raise RunStateError(f"run {run_id} is {state.state}; nothing more can be added")
            now = self.clock.now()
            drafts = decide(state, now)
            new: list[Event] = []
            prev, seq = state.head_hash, state.last_seq
            for draft in drafts:
                seq += 1
                event = new_event(run_id, seq, draft, iso(now), operator or self.operator, prev)
                new.append(event)
                prev = event.hash
            if not new:
                return []
            # The state is moved on first, so the run's summary is written in the same
            # transaction as its events; if the append fails the moved state is forgotten.
            with self._lock:
                before = state.last_seq
                try:
                    advance(state, new)
                    summary = summarize(state).to_row()
                except BaseException:
                    self._cache.pop(run_id, None)
                    raise
            try:
                self.store.append(run_id, new, before, blobs, summary=summary)
            except ConflictError:
                # Another writer moved on: back off a little (at random, so writers do not
                # collide in step again) and decide again on the fresh state.
                self._cache.pop(run_id, None)
                time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                state = self._fresh(run_id)
                continue
            except BaseException:
                self._cache.pop(run_id, None)
                raise
            return new
        raise RunStateError(f"run {run_id} is too busy: other writers kept appending")

    def _step(self, state: RunState, step_id: str) -> Step:
        if step_id not in state.steps:
            raise NotFoundError("step", step_id, list(state.steps))
        return state.protocol.step(step_id)

    def _start_checks(self, state: RunState, step_id: str, now: datetime) -> list[Draft]:
        """Deviations due when a step is first started: order and time windows."""
        if state.steps[step_id].started_at is not None:
            return []
        found: list[AutoDeviation] = []
        if (dev := order_deviation(state, step_id)) is not None:
            found.append(dev)
        found += window_deviations(state, step_id, now)
        return [d.event() for d in found]

    def start_step(self, run_id: str, step_id: str) -> list[Event]:
        def decide(state: RunState, now: datetime) -> list[Draft]:
            self._step(state, step_id)
            st = state.steps[step_id]
            if st.state in ("done", "skipped"):
                raise RunStateError(f"step {step_id} is already {st.state}")
            if st.started_at is not None:
                return []
            return [*self._start_checks(state, step_id, now), StepStarted(step_id)]

        return self._act(run_id, decide)

    def done(
        self,
        run_id: str,
        step_id: str,
        values: Sequence[tuple[str, str]] = (),
        note: str | None = None,
    ) -> list[Event]:
        """Mark a step done with its measured values; out-of-range values become deviations."""

        def decide(state: RunState, now: datetime) -> list[Draft]:
            step = self._step(state, step_id)
            st = state.steps[step_id]
            if st.state in ("done", "skipped"):
                raise RunStateError(f"step {step_id} is already {st.state}")
            drafts = self._start_checks(state, step_id, now)
            timer = state.timers.get(step_id)
            if timer is not None and timer.running:
                drafts += self._timer_stop_drafts(state, step, now)
            if (untimed := untimed_deviation(step, timer)) is not None:
                drafts.append(untimed.event())
            for name, text in each_reading(step, values):
                drafts += self._value_drafts(step, name, text)
            if note:
                drafts.append(NoteAdded(step_id, note))
            drafts.append(StepDone(step_id))
            return drafts

        return self._act(run_id, decide)

    def _value_drafts(self, step: Step, name: str, text: str) -> list[Draft]:
        reading, deviations = self._reading(step, name, text)
        return [reading, *deviations]

    def _reading(
        self, step: Step, name: str, text: str
    ) -> tuple[ValueRecorded, list[DeviationNoted]]:
        """A typed reading as understood, with the deviation it is when out of range."""
        check_text(text, f"the value {name}")
        value, unit, deviation = check_value(step, name, text)
        in_range: bool | None = None
        found: list[DeviationNoted] = []
        if isinstance(value, float) and step.record[name].range is not None:
            in_range = deviation is None
            if deviation is not None:
                found.append(deviation.event())
        return ValueRecorded(step.id, name, value, unit, text, in_range), found

    def record_values(
        self, run_id: str, step_id: str, values: Sequence[tuple[str, str]]
    ) -> list[Event]:
        """Record values for a step without marking it done."""

        def decide(state: RunState, now: datetime) -> list[Draft]:
            step = self._step(state, step_id)
            drafts: list[Draft] = []
            for name, text in each_reading(step, values):
                drafts += self._value_drafts(step, name, text)
            return drafts

        return self._act(run_id, decide)

    def skip(self, run_id: str, step_id: str, note: str) -> list[Event]:
        def decide(state: RunState, now: datetime) -> list[Draft]:
            step = self._step(state, step_id)
            if not step.optional:
                raise RunStateError(f"step {step_id} is not optional and cannot be skipped")
            if state.steps[step_id].state in ("done", "skipped"):
                raise RunStateError(f"step {step_id} is already {state.steps[step_id].state}")
            return [StepSkipped(step_id, note)]

        return self._act(run_id, decide)

    def timer(self, run_id: str, step_id: str, action: str) -> list[Event]:
        """Start or stop the step's timer (its incubation, or a stopwatch for ``until``)."""
        if action not in ("start", "stop"):
            raise InputError(f"timer action must be start or stop, not {action!r}")

        def decide(state: RunState, now: datetime) -> list[Draft]:
            step = self._step(state, step_id)
            timer = state.timers.get(step_id)
            if action == "stop":
                if timer is None or not timer.running:
                    raise RunStateError(f"step {step_id} has no running timer")
                return self._timer_stop_drafts(state, step, now)
            if timer is not None and timer.running:
                raise RunStateError(f"the timer of step {step_id} is already running")
            if state.steps[step_id].state in ("done", "skipped"):
                raise RunStateError(f"step {step_id} is already {state.steps[step_id].state}")
            min_s, max_s = planned_seconds(step)
            drafts = self._start_checks(state, step_id, now)
            if state.steps[step_id].started_at is None:
                drafts.append(StepStarted(step_id))
            drafts.append(TimerStarted(step_id, min_s, max_s))
            return drafts

        return self._act(run_id, decide)

    def _timer_stop_drafts(self, state: RunState, step: Step, now: datetime) -> list[Draft]:
        timer = state.timers[step.id]
        elapsed = timer.elapsed_s(now)
        drafts: list[Draft] = [TimerStopped(step.id, elapsed)]
        if step.until is None:
            dev = incubation_deviation(step.id, elapsed, timer.min_s, timer.max_s)
            if dev is not None:
                drafts.append(dev.event())
        return drafts

    def deviate(self, run_id: str, step_id: str | None, note: str) -> list[Event]:
        check_text(note, "the deviation note")

        def decide(state: RunState, now: datetime) -> list[Draft]:
            if step_id is not None:
                self._step(state, step_id)
            return [DeviationNoted(step_id, "manual", note)]

        return self._act(run_id, decide)

    def note(self, run_id: str, step_id: str | None, text: str) -> list[Event]:
        check_text(text, "the note")

        def decide(state: RunState, now: datetime) -> list[Draft]:
            _amendable(state, run_id)
            if step_id is not None:
                self._step(state, step_id)
            return [NoteAdded(step_id, text)]

        # A note may follow completion (and a signature): the record lists it as a change
        # after completion, with the signatures it postdates.
        return self._act(run_id, decide, finished_ok=True)

    def lot(self, run_id: str, material: str, lot: str, expiry: str | None = None) -> list[Event]:
        """Record a material's lot; a lot past its expiry date is a deviation at once."""
        check_text(lot, "the lot number", _MAX_NAME)

        def decide(state: RunState, now: datetime) -> list[Draft]:
            if material not in state.protocol.materials:
                raise NotFoundError("material", material, state.protocol.materials)
            expires = _check_date(expiry) if expiry is not None else None
            drafts: list[Draft] = [LotRecorded(material, lot, expiry)]
            today = now.astimezone().date()
            if (dev := expired_lot_deviation(material, lot, expires, today)) is not None:
                drafts.append(dev.event())
            return drafts

        return self._act(run_id, decide)

    def attach(self, run_id: str, name: str, path: Path | str) -> list[Event]:
        """Attach a regular file (or standard input, ``-``), never read past the size limit."""
        import hashlib

        blob = read_bytes(path, MAX_ATTACHMENT_BYTES, what="attachment")
        filename = "stdin" if str(path) in (STDIN, "/dev/stdin") else Path(path).name

        digest = hashlib.sha256(blob).hexdigest()

        def decide(state: RunState, now: datetime) -> list[Draft]:
            _amendable(state, run_id)
            return [Attached(name, filename, digest, len(blob))]

        return self._act(run_id, decide, [blob], finished_ok=True)  # amendments allowed

    def correct(
        self, run_id: str, seq: int, values: Sequence[tuple[str, str]], reason: str
    ) -> list[Event]:
        """A correction event naming the value event it corrects; the original stays."""

        def decide(state: RunState, now: datetime) -> list[Draft]:
            _amendable(state, run_id)
            originals = [v for v in state.values if v.seq == seq]
            if not originals:
                known = sorted({str(v.seq) for v in state.values})
                raise NotFoundError("value event", str(seq), known)
            drafts: list[Draft] = []
            for name, text in values:
                original = next((v for v in originals if v.name == name), None)
                if original is None:
                    raise NotFoundError(f"value in event {seq}", name, [v.name for v in originals])
                step = state.protocol.step(original.step)
                reading, found = self._reading(step, name, text)
                drafts.append(Corrected(**vars(reading), corrects=seq, reason=reason))
                drafts += found
            return drafts

        return self._act(run_id, decide, finished_ok=True)  # amendments allowed

    def pause(self, run_id: str) -> list[Event]:
        def decide(state: RunState, now: datetime) -> list[Draft]:
            if state.paused:
                raise RunStateError(f"run {run_id} is already paused")
            return [Paused()]

        return self._act(run_id, decide)

    def resume(self, run_id: str) -> list[Event]:
        def decide(state: RunState, now: datetime) -> list[Draft]:
            if not state.paused:
                raise RunStateError(f"run {run_id} is not paused")
            return [Resumed()]

        return self._act(run_id, decide)

    def abort(self, run_id: str, note: str | None = None) -> list[Event]:
        return self._act(run_id, lambda state, now: [Aborted(note)])

    def finish(self, run_id: str, incomplete: str | None = None) -> RunState:
        """Complete the run and run its analysis hooks.

        A run with steps not done, required values or required lots missing is refused,
        naming them, unless ``incomplete`` gives the reason to finish anyway: then each
        missing item becomes an automatic deviation and the reason a run note.
        """

        def decide(state: RunState, now: datetime) -> list[Draft]:
            missing = unfinished(state)
            if missing and not (incomplete and incomplete.strip()):
                raise RunStateError(
                    f"run {run_id} is not complete: {unfinished_summary(state)} "
                    "(do them, or finish with --incomplete --reason TEXT)"
                )
            drafts: list[Draft] = [d.event() for d in missing]
            if missing:
                why = f"finished incomplete: {(incomplete or '').strip()}"
                drafts.append(NoteAdded(None, why))
            drafts += self._analyses(state)
            drafts.append(Completed())
            return drafts

        self._act(run_id, decide)
        return self.state(run_id)

    def undo(self, run_id: str) -> list[Event]:
        """Retract this operator's last action, within :data:`UNDO_WINDOW_S` of it.

        A ``retracted`` event names the action's events; the log keeps them, the state
        folds as if they had not happened.
        """

        def decide(state: RunState, now: datetime) -> list[Draft]:
            action = last_action(state, self.operator, now)
            if action is None:
                raise RunStateError(f"{self.operator} has nothing to undo in run {run_id}")
            kinds = {e.type for e in action.events}
            if not kinds <= UNDOABLE:
                raise RunStateError(
                    f"the last action of {self.operator} ({action.what}) cannot be undone"
                )
            if action.age_s > UNDO_WINDOW_S:
                raise RunStateError(
                    f"the last action of {self.operator} ({action.what}) is older than "
                    f"{UNDO_WINDOW_S / 60:.0f} min and can no longer be undone; put a value "
                    "right with `elab runs correct`, explain anything else with "
                    "`elab runs deviate` or `elab runs note`"
                )
            return [Retracted(action.seqs, action.what)]

        return self._act(run_id, decide)

    def _analyses(self, state: RunState) -> list[AnalysisDone]:
        from elab.services.analysis_runner import run_protocol_analyses

        return run_protocol_analyses(state, self.store.attachment)

    def append_signature(
        self, run_id: str, payload: Mapping[str, Any], *, operator: str | None = None
    ) -> int:
        """Append a ``signed`` event (the payload made by the signing service) as its signer."""
        signed = Signed.from_payload(payload)
        events = self._act(run_id, lambda s, n: [signed], finished_ok=True,
                           operator=operator)
        return events[-1].seq


def _amendable(state: RunState, run_id: str) -> None:
    """Notes, corrections and attachments may follow completion, never an abort."""
    if state.state == "aborted":
        raise RunStateError(f"run {run_id} is aborted; nothing more can be added")


def planned_seconds(step: Step) -> tuple[float, float | None]:
    """What a step's timer counts: its passive time, or its whole time, or open."""
    if step.until is not None:
        return 0.0, None
    passive = step.passive
    if passive is not None:
        low, high = passive.duration.seconds()
        return low, high
    if step.repeat is not None and step.repeat.each is not None:
        low, high = step.repeat.each.seconds()
        return low, high
    timing = step_time(step)
    return timing.min_s, timing.max_s


def _check_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"expiry {text!r} is not a date like 2027-03-31") from None
