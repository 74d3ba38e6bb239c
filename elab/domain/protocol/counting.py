"""What a ``per:`` word counts: the words a use or a solution may name, and their numbers.

A use's amount is for one of something, and ``elab show``, the bench sheet and the record
multiply it by how many of them the run has.  So the word must be one the protocol can
count; a word it cannot (``per: wel``, ``per: plate`` on a design without plates) would
otherwise be read as one more name for the design's unit, and the total would be silently
wrong.  The words:

- ``run`` (``protocol``, ``experiment``, ``batch``): once for the whole run;
- ``sample`` and the design's ``unit`` (``well``, ``insert``, ``animal``...): each sample
  of the design, controls included, less what ``exclude:`` leaves out (a protocol without
  a design is run on one sample: the amount once);
- ``well`` on a design with a ``plate:`` or whose unit is left as ``sample``: each sample is
  a well, so the same count (on a design of slides, animals or inserts it is not);
- ``plate`` on a design with a ``plate:``: the plates its layout fills (a 12 mL reservoir of
  solubiliser per plate), counted by the layout planner from the design.

A step's ``solution:`` gives its own ``count``, so its word only names what is counted
(``10 mL per membrane × 4``); it must still be a thing (:data:`SOLUTION_WORDS`, a word
above) so a typo is caught rather than printed on every bench sheet.

A ``derive:`` with ``per:`` is computed once per reading of the per-sample values it uses,
so its word is one those recorded values are read per (``lysate``), or a word above: a typo
(``lysat``) would be printed as what each value is for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elab.domain.protocol.model import Design, Protocol
from elab.domain.protocol.yamlsource import locate
from elab.errors import ElabError, Location, ProtocolError, did_you_mean

__all__ = [
    "PER_PLATE",
    "PER_RUN",
    "SOLUTION_WORDS",
    "check_per",
    "counts_samples",
    "per_words",
    "plate_count",
]

#: Words for "once for the whole run".
PER_RUN = frozenset({"run", "protocol", "experiment", "batch"})
#: The word for each plate the design's layout fills.
PER_PLATE = "plate"
_SAMPLE = "sample"
_WELL = "well"

#: What a step's solution may be made per (it gives the count itself).
SOLUTION_WORDS = frozenset({
    "membrane", "blot", "strip", "gel", "slide", "coverslip", "section", "dish", "flask",
    "tube", "insert", "chamber", "well", "plate", "sample", "box",
})


def counts_samples(per: str) -> bool:
    """Whether a use's ``per:`` multiplies by the design's samples (not once, not plates)."""
    return per not in PER_RUN and per != PER_PLATE


def per_words(design: Design | None) -> list[str]:
    """The words a use's ``per:`` may name for this design, in the order people meet them."""
    words = ["run", "protocol", "experiment", "batch", _SAMPLE]
    if design is None:
        return words
    words.insert(1, design.unit)
    if design.plate is not None or design.unit == _SAMPLE:
        words.append(_WELL)
    if design.plate is not None:
        words.append(PER_PLATE)
    return list(dict.fromkeys(words))


def plate_count(design: Design) -> int:
    """The plates the design's layout fills; :class:`ElabError` when it cannot be laid out."""
    from elab.domain.plate import allocate, spec_from_design

    return len(allocate(spec_from_design(design)))


def check_per(protocol: Protocol, tree: Mapping[str, Any], file: str) -> list[ProtocolError]:
    """Each ``per:`` of a use or a solution that names nothing the protocol can count."""
    errors: list[ProtocolError] = []

    def at(*path: str | int) -> Location:
        return locate(tree, list(path)) or Location(file, 1, 1)

    design = protocol.design
    known = per_words(design)
    plates: list[str] = []
    for i, step in enumerate(protocol.steps):
        for j, use in enumerate(step.uses):
            where = ("steps", i, "uses", j)
            if use.per not in known:
                errors.append(ProtocolError(_unknown(use.per, design, known), at(*where, "per")))
            elif use.per == PER_PLATE:
                if use.exclude:
                    errors.append(ProtocolError(
                        "exclude: leaves samples out, but per: plate counts plates (write "
                        "the amount per well, or per plate without exclude:)",
                        at(*where, "exclude")))
                plates.append(f"{step.id}: {use.material}")
        if step.solution is not None:
            errors += _solution(step.solution.per, design, at("steps", i, "solution", "per"))
        errors += _derived(protocol, step.derive, known,
                           lambda name, i=i: at("steps", i, "derive", name, "per"))
    if plates and design is not None:
        errors += _plates_countable(design, at("design", "plate"))
    return errors


def _derived(protocol: Protocol, derive: Mapping[str, Any], known: list[str],
             at: Any) -> list[ProtocolError]:
    """Each derived value's ``per:`` that no recorded value is read per and no use counts."""
    words = list(dict.fromkeys([spec.per for step in protocol.steps
                                for spec in step.record.values() if spec.per]))
    errors: list[ProtocolError] = []
    if not words:  # readings counted by count: alone; nothing names what they are per
        return errors
    for name, spec in derive.items():
        if spec.per is None or spec.per in words or spec.per in known:
            continue
        hint = did_you_mean(spec.per, [*words, *known], n=1)
        read = f"the recorded values are read per {', '.join(words)}"
        errors.append(ProtocolError(
            f"derive {name!r}: per: {spec.per!r} is nothing its values are read per"
            + (f" (did you mean {hint}?)" if hint else "") + f"; {read}", at(name)))
    return errors


def _unknown(word: str, design: Design | None, known: list[str]) -> str:
    hint = did_you_mean(word, known)
    if design is None:
        why = "the protocol has no design: to count it by (write per: run for once a run)"
    elif word in (_WELL, PER_PLATE):
        why = (f"the design counts {design.unit}s and gives no plate: to count {word}s by "
               f"(add plate: 96, or write per: {design.unit})")
    else:
        why = f"this protocol counts per {', '.join(_shown(known))}"
    return (f"per: {word!r} is nothing the protocol can count"
            + (f" (did you mean {hint}?)" if hint else "") + f"; {why}")


def _shown(words: list[str]) -> list[str]:
    """The words, the synonyms of ``run`` left out (they count the same)."""
    return [w for w in words if w == "run" or w not in PER_RUN]


def _solution(word: str, design: Design | None, where: Location) -> list[ProtocolError]:
    known = sorted(SOLUTION_WORDS | ({design.unit} if design is not None else set()))
    if word in known:
        return []
    hint = did_you_mean(word, known)
    return [ProtocolError(
        f"solution per: {word!r} is not something a solution is made per"
        + (f" (did you mean {hint}?)" if hint else f" (one of: {', '.join(known)})"), where)]


def _plates_countable(design: Design, where: Location) -> list[ProtocolError]:
    try:
        plate_count(design)
    except ElabError as exc:
        return [ProtocolError(f"per: plate: the design's plates cannot be counted: {exc}",
                              where)]
    return []
