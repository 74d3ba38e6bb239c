"""Which analyses rest on a reading that has been corrected since they ran.

An analysis records the value events each ``@STEP.VALUE`` parameter averaged (its
``values``).  A correction after completion is an allowed addendum, but the analysis result
in the log still stands on the reading it replaced; the record and the shell then show a
blank of 0.06 beside an IC50 computed with 0.6, and nothing ties the two.  So each latest
analysis is checked against the corrections made after it, and the ones resting on a
replaced reading are named with the command that runs them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from elab.domain.runs.kinds import AnalysisDone
from elab.domain.runs.state import Logged, RunState

__all__ = ["StaleAnalysis", "corrected_since", "stale_analyses"]


@dataclass(frozen=True)
class StaleAnalysis:
    """An analysis (its event ``seq``) that used readings corrected since (``readings``:
    each used reading's event and the correction that replaced it)."""

    hook: str
    seq: int
    readings: tuple[tuple[int, int], ...]

    def sentence(self, run_id: str) -> str:
        """``analysis ic50 (#40) used #12, corrected by #44 since: run it again with ...``."""
        used = ", ".join(f"#{old}, corrected by #{new}" for old, new in self.readings)
        return (f"analysis {self.hook} (#{self.seq}) used {used} since: its result stands on "
                f"the old reading until it is run again with `elab runs analyze {run_id} "
                f"{self.hook}`")


def stale_analyses(state: RunState) -> list[StaleAnalysis]:
    """The latest result of each analysis that used a reading corrected after it ran."""
    latest = {logged.data.hook: logged for logged in state.analyses if not logged.data.error}
    return [s for s in (corrected_since(state, logged) for logged in latest.values()) if s]


def corrected_since(state: RunState, logged: Logged[AnalysisDone]) -> StaleAnalysis | None:
    """The readings ``logged`` used that a correction made after it replaced, or None."""
    replaced = {v.seq: v.corrected_by for v in state.values if v.corrected_by is not None}
    used = [seq for entry in logged.data.values.values() if isinstance(entry, Mapping)
            for seq in entry.get("seqs") or [] if isinstance(seq, int)]
    stale = tuple((seq, replaced[seq]) for seq in dict.fromkeys(used)
                  if seq in replaced and replaced[seq] > logged.seq)
    return StaleAnalysis(logged.data.hook, logged.seq, stale) if stale else None
