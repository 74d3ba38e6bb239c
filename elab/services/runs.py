"""Run use cases shared by the CLI and the TUI: every change to a run goes through here.

Each action reads the run's events, folds them into its state, decides what new events the
action makes (with the automatic deviations it causes) and appends them in one transaction
after the last event it read.  When another writer got there first, the action is decided
again on the fresh state, so concurrent writers never fork the chain.  Reading a run is
:class:`~elab.services.run_reader.RunReader`'s; who acts, :mod:`elab.services.run_operator`.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from elab.domain.protocol import load_document, protocol_from_tree
from elab.domain.runs import (
    Clock,
    Event,
    RunState,
    SystemClock,
    actions,
    advance,
    fold,
)
from elab.domain.runs.clock import iso
from elab.domain.runs.events import GENESIS, new_event
from elab.domain.runs.kinds import (
    AnalysisDone,
    RunEvent,
    RunStarted,
    Signed,
)
from elab.domain.runs.reading_rules import corrected_values, refuse_extra_readings
from elab.domain.runs.samples import next_sample, with_samples
from elab.domain.runs.state import RunPhase
from elab.domain.runs.summary import summarize
from elab.domain.runs.values import check_value, split_readings, split_sample
from elab.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    RunStateError,
)
from elab.files import STDIN, check_text, read_bytes
from elab.services.analysis_runner import Blocked
from elab.services.protocol_library import find_protocol_file as find_protocol
from elab.services.protocol_library import library_dirs
from elab.services.run_operator import acting_operator, current_operator
from elab.services.run_reader import RunReader, RunsOverview
from elab.services.run_status import status_json
from elab.store import EventStore, open_engine
from elab.store.repository import MAX_ATTACHMENT_BYTES

__all__ = [
    "RunService",
    "RunsOverview",
    "check_value",
    "current_operator",
    "next_sample",
    "split_readings",
    "split_sample",
    "status_json",
    "with_samples",
]

Draft = RunEvent
_RETRIES = 50
_ID_TRIES = 8


def _analysis_names(state: RunState, hook: str | None) -> list[str]:
    """The hooks ``runs analyze`` runs: a completed run's protocol analyses, or one of them."""
    if state.state != RunPhase.COMPLETED:
        why = ("an aborted run is not analysed" if state.state == RunPhase.ABORTED else
               f"its analyses run when it finishes (elab runs finish {state.run_id})")
        raise RunStateError(f"run {state.run_id} is {state.state}: {why}")
    names = list(dict.fromkeys(entry.hook for entry in state.protocol.analysis))
    if not names:
        raise InputError(f"protocol {state.protocol.id} has no analysis: hooks to run")
    if hook is None:
        return names
    if hook not in names:
        raise InputError(f"protocol {state.protocol.id} has no analysis {hook!r}; "
                         f"its analyses: {', '.join(names)}")
    return [hook]

@dataclass
class RunService(RunReader):
    """The run store with the bench's actions: each decided on the folded state and
    appended after the last event it read."""

    @classmethod
    def open(
        cls, url: str | None = None, operator: str | None = None, clock: Clock | None = None
    ) -> RunService:
        engine = open_engine(url)
        return cls(EventStore(engine), clock or SystemClock(), acting_operator(engine, operator))

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
                raise RunStateError(actions.closed(state))
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

    def start_step(self, run_id: str, step_id: str) -> list[Event]:
        return self._act(run_id, lambda state, now: actions.start_step(state, now, step_id))

    def done(
        self,
        run_id: str,
        step_id: str,
        values: Sequence[tuple[str, str]] = (),
        note: str | None = None,
        *,
        another: bool = False,
        incomplete: str | None = None,
    ) -> list[Event]:
        """Mark a step done with its measured values; out-of-range values become deviations.

        A value that has its declared readings takes another only with ``another``
        (see :func:`refuse_extra_readings`); a required value short of its readings
        refuses the step unless ``incomplete`` says why (a deviation with that reason).
        """
        return self._act(run_id, lambda state, now: actions.done(
            state, now, step_id, values, note, incomplete, another=another))

    def record_values(
        self, run_id: str, step_id: str, values: Sequence[tuple[str, str]],
        *, another: bool = False,
    ) -> list[Event]:
        """Record values for a step without marking it done; a value that has its declared
        readings takes another only with ``another`` (else: correct the reading)."""
        def decide(state: RunState, now: datetime) -> list[Draft]:
            found = actions.record_values(state, step_id, values)  # bad values first
            if not another:
                refuse_extra_readings(state, step_id, values)
            return found

        return self._act(run_id, decide)

    def skip(self, run_id: str, step_id: str, note: str) -> list[Event]:
        return self._act(run_id, lambda state, now: actions.skip(state, step_id, note))

    def timer(self, run_id: str, step_id: str, action: str) -> list[Event]:
        """Start or stop the step's timer (its incubation, or a stopwatch for ``until``)."""
        if action not in ("start", "stop"):
            raise InputError(f"timer action must be start or stop, not {action!r}")
        return self._act(run_id, lambda state, now: actions.timer(state, now, step_id, action))

    def deviate(self, run_id: str, step_id: str | None, note: str) -> list[Event]:
        check_text(note, "the deviation note")
        return self._act(run_id, lambda state, now: actions.deviate(state, step_id, note))

    def note(self, run_id: str, step_id: str | None, text: str) -> list[Event]:
        """A note, also after completion (and a signature): a change after completion."""
        check_text(text, "the note")
        return self._act(run_id, lambda state, now: actions.note(state, step_id, text),
                         finished_ok=True)

    def lot(self, run_id: str, material: str, lot: str, expiry: str | None = None) -> list[Event]:
        """Record a material's lot; a lot past its expiry date is a deviation at once."""
        check_text(lot, "the lot number", actions.MAX_NAME)
        return self._act(run_id,
                         lambda state, now: actions.lot(state, now, material, lot, expiry))

    def attach(self, run_id: str, name: str, path: Path | str) -> list[Event]:
        """Attach a regular file (or standard input, ``-``), never read past the size limit."""
        import hashlib

        blob = read_bytes(path, MAX_ATTACHMENT_BYTES, what="attachment")
        filename = "stdin" if str(path) in (STDIN, "/dev/stdin") else Path(path).name
        digest = hashlib.sha256(blob).hexdigest()
        return self._act(
            run_id, lambda state, now: actions.attach(state, name, filename, digest, len(blob)),
            [blob], finished_ok=True,  # amendments allowed
        )

    def correct(
        self, run_id: str, seq: int, values: Sequence[tuple[str, str]], reason: str
    ) -> list[Event]:
        """A correction event naming the value event it corrects; the original stays."""
        return self._act(run_id, lambda state, now: actions.correct(
            state, seq, corrected_values(state, seq, values), reason),
            finished_ok=True)  # amendments allowed

    def pause(self, run_id: str) -> list[Event]:
        return self._act(run_id, lambda state, now: actions.pause(state))

    def resume(self, run_id: str) -> list[Event]:
        return self._act(run_id, lambda state, now: actions.resume(state))

    def abort(self, run_id: str, note: str | None = None) -> list[Event]:
        return self._act(run_id, lambda state, now: actions.abort(state, note))

    def finish(self, run_id: str, incomplete: str | None = None) -> RunState:
        """Complete the run and run its analysis hooks (see :func:`actions.finish`)."""
        self._act(run_id, lambda state, now: actions.finish(state, incomplete, self._analyses))
        return self.state(run_id)

    def analysis_blockers(self, run_id: str, hooks: Sequence[str] | None = None) -> list[Blocked]:
        """The protocol's analyses that cannot run on the run as it stands, each with why
        and what to do: said before finishing, so no result is lost without a word."""
        from elab.services.analysis_runner import analysis_blockers

        return analysis_blockers(self.state(run_id), self.store.attachment, hooks)

    def analyze(self, run_id: str, hook: str | None = None) -> list[Event]:
        """Run the protocol's analyses (or the one named ``hook``) again on a completed run.

        Each appends a new ``analysis_done`` event; the log keeps every earlier result and
        the record shows the latest, marked as run after completion.  An analysis whose
        inputs are still missing, or that fails, appends nothing and says why.
        """
        from elab.services.analysis_runner import run_protocol_analyses

        def decide(state: RunState, now: datetime) -> list[Draft]:
            hooks = _analysis_names(state, hook)
            done = run_protocol_analyses(state, self.store.attachment, hooks)
            failed = [a.error for a in done if a.error]
            if failed:
                raise InputError(f"nothing was added to run {run_id}: " + "; ".join(failed))
            return list(done)

        return self._act(run_id, decide, finished_ok=True)

    def undo(self, run_id: str) -> list[Event]:
        """Retract this operator's last action, within :data:`UNDO_WINDOW_S` of it.

        A ``retracted`` event names the action's events; the log keeps them, the state
        folds as if they had not happened.
        """
        return self._act(run_id, lambda state, now: actions.undo(state, now, self.operator))

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
