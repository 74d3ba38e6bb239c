"""Reading runs: a run's events, its folded state (kept and moved on between calls), the
one-line summaries of the run list, and the integrity checks.

:class:`~elab.services.runs.RunService` adds the bench actions on top; what is read here
never appends anything.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from elab.domain.runs import Clock, Event, RunState, advance, fold, verify_chain
from elab.domain.runs.clock import iso
from elab.domain.runs.summary import RunSummary, summarize
from elab.errors import ElabError, IntegrityError, NotFoundError, StorageError
from elab.services.integrity import Finding
from elab.services.signing import KeyRegistry, SignerStore
from elab.store import EventStore

__all__ = ["RunReader", "RunsOverview"]


@dataclass(frozen=True)
class RunsOverview:
    """The runs that read, and a finding for each run that does not."""

    states: list[RunState]
    damaged: list[Finding]

@dataclass
class RunReader:
    """A run store read through folded states: the reading half of the run service."""

    store: EventStore
    clock: Clock
    operator: str
    signers: SignerStore | None = None
    _cache: dict[str, RunState] = field(default_factory=dict, repr=False)
    # The TUI reads runs from worker threads too (records, plans); cached states are
    # advanced in place, so reading and advancing them is one thread at a time.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def close(self) -> None:
        self.store.engine.dispose()

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
