"""A step's required readings, checked when the step is marked done.

Six RNAs measured and one written down is found out too late at ``runs finish``: by then the
NanoDrop is cleaned and the tubes are in the freezer.  So marking a step done counts its
required values (with the readings given in the same command) and, when some are short,
refuses, naming the value, how many readings it has of how many, and for a value read per
sample which samples have none.  When they cannot be measured (a lysate lost), the step is
marked done with the reason, and each shortfall becomes an automatic deviation then, with
the same expected and actual a finish would log; the finish does not ask again about a
shortfall the log already holds (:func:`logged`).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from elab.domain.protocol.model import Step
from elab.domain.runs.samples import SampleReading, by_sample, samples_of
from elab.domain.runs.state import RunState

__all__ = ["Shortfall", "done_refusal", "logged", "shortfalls"]

_NAMED = 6  # samples named in a line; the rest are counted


@dataclass(frozen=True)
class Shortfall:
    """A required value of a step with fewer readings than it takes."""

    step: str
    name: str
    have: int
    want: int
    missing: tuple[str, ...] = ()  # the samples without a reading, for a per-sample value
    per: str = ""  # what a per-sample value is read per (``lysate``)

    @property
    def note(self) -> str:
        """The deviation's note, as ``runs finish`` has always worded it."""
        if self.have == 0:
            return f"required value {self.name} was not recorded"
        note = f"required value {self.name}: {self.have} of {self.want} recorded"
        return note + (f" (none for {_names(self.missing)})" if self.missing else "")

    @property
    def expected(self) -> str:
        return self.name if self.have == 0 else f"{self.want} × {self.name}"

    @property
    def actual(self) -> str:
        return "missing" if self.have == 0 else str(self.have)

    def words(self) -> str:
        """``rna_conc 1 of 6 readings`` or ``protein_conc 43 of 45 lysates (none for ...)``."""
        if self.missing:
            return (f"{self.name} {self.have} of {self.want} {self.per}s "
                    f"(none yet for {_names(self.missing)})")
        if self.want == 1:
            return f"{self.name} not recorded"
        return f"{self.name} {self.have} of {self.want} readings ({self.want - self.have} to go)"

    def example(self) -> str:
        """The ``--value`` that records what is missing, as typed at the shell."""
        if self.missing:
            reading = f"{self.name}={self.missing[0]}: VALUE"
        elif self.want == 1:
            reading = f"{self.name}=VALUE"
        else:  # the readings still to come, by number: R2;R3;...
            numbers = [f"R{n}" for n in range(self.have + 1, self.want + 1)]
            if len(numbers) > _NAMED:
                numbers = [*numbers[:2], "...", numbers[-1]]
            reading = f"{self.name}=" + ";".join(numbers)
        return f"--value {shlex.quote(reading)}"


def _names(samples: Sequence[str]) -> str:
    shown = ", ".join(samples[:_NAMED])
    return shown + (f" and {len(samples) - _NAMED} more" if len(samples) > _NAMED else "")


def shortfalls(
    state: RunState, step: Step, adding: Sequence[SampleReading] = ()
) -> list[Shortfall]:
    """The step's required values short of their readings, once ``adding`` is recorded."""
    current = [v for v in state.current_values() if v.step == step.id]
    found = []
    for name, spec in step.record.items():
        if not spec.required:
            continue
        mine = [v for v in current if v.name == name]
        new = [r for r in adding if r.name == name]
        have = len(mine) + len(new)
        samples = samples_of(state.protocol, step.id, name)
        if samples:
            taken = set(by_sample(samples, mine)) | {r.sample for r in new}
            missing = tuple(n for n in samples if n not in taken)
            if missing:
                found.append(Shortfall(step.id, name, len(samples) - len(missing),
                                       len(samples), missing, spec.per or "sample"))
        elif have < spec.count:
            found.append(Shortfall(step.id, name, have, spec.count))
    return found


def done_refusal(run_id: str, step_id: str, short: Sequence[Shortfall]) -> str:
    """The one line a ``done`` refused for missing readings prints: what, and both ways on."""
    what = "; ".join(s.words() for s in short)
    values = " ".join(s.example() for s in short)
    return (f"{step_id} still needs its required readings: {what}. Record them with "
            f"`elab runs done {run_id} {step_id} {values}`, or, if they cannot be had, "
            "mark it done without them with --incomplete --reason TEXT (logs a deviation)")


def logged(state: RunState, short: Shortfall) -> bool:
    """Whether the log already holds this shortfall as a deviation (the step was marked
    done without the readings, with its reason), so a finish need not ask about it again."""
    return any(d.step == short.step and d.kind == "auto" and d.expected == short.expected
               and d.actual == short.actual for d in state.deviations)
