"""Check 5: dosing regimens that say what they mean.

BID doses are about 12 h apart and TID about 8 h (declared with ``at:`` clock times); dosing
days and on/off days lie inside the cycle and fill it; and amounts given per subject are
counted once per subject, not once per repeat of the step.
"""

from __future__ import annotations

from elab.domain.protocol.counting import counts_samples
from elab.domain.protocol.graph import same_days
from elab.domain.protocol.model import Protocol, Regimen
from elab.domain.protocol.science.finding import Report
from elab.units import convert, format_magnitude

__all__ = ["SPACING_H", "SUBJECT_UNITS", "check_regimens"]

#: Allowed hours between consecutive doses of a day's schedule (wrapping to the next day).
SPACING_H = {"BID": (2, 10.0, 14.0), "TID": (3, 6.0, 10.0)}
SUBJECT_UNITS = {"animal", "mouse", "rat", "patient", "subject"}


def check_regimens(protocol: Protocol, report: Report) -> None:
    for index, step in enumerate(protocol.steps):
        if step.regimen is not None:
            _spacing(step.id, step.regimen, report, index)
            _cycle_days(step.id, step.regimen, report, index)
            _windows(protocol, index, report)
    _cycle_counts(protocol, report)
    _per_subject(protocol, report)


def _windows(protocol: Protocol, index: int, report: Report) -> None:
    """A window after a regimen on other days runs from its last dose, not each day's.

    ``after: [{step: nab-paclitaxel, within: 30 min}]`` on a regimen with other days puts the
    first dose 30 min after the other regimen's last one, months later; the same days pair
    each day's doses (:func:`.graph.same_days`).
    """
    step = protocol.steps[index]
    regimens = {s.id: s.regimen for s in protocol.steps if s.regimen is not None}
    for k, ref in enumerate(step.after or []):
        pred = getattr(ref, "step", None)
        gap = getattr(ref, "gap", None)
        if pred in regimens and gap is not None and gap.high is not None \
                and not same_days(regimens[pred], step.regimen):
            report.warning(f"step {step.id!r}: follows regimen {pred!r} within {gap}, but on "
                           f"other days: the window runs from its last dose to this one's "
                           f"first; give both the same days to pair each day's doses",
                           "steps", index, "after", k)


def _cycle_counts(protocol: Protocol, report: Report) -> None:
    """Every cycled regimen follows the same ``$cycles`` once one of them does.

    A fixed count beside a parameter is how ``--param cycles=2`` came to change one drug
    and leave the others planned for six cycles.
    """
    raw = report.tree.get("steps")
    if not isinstance(raw, list):
        return
    counts: dict[int, object] = {}
    for index, step in enumerate(protocol.steps):
        if step.regimen is None or step.regimen.cycle is None or index >= len(raw):
            continue
        regimen = raw[index].get("regimen") if isinstance(raw[index], dict) else None
        counts[index] = regimen.get("cycles") if isinstance(regimen, dict) else None
    referenced = {str(v) for v in counts.values() if isinstance(v, str) and v.startswith("$")}
    if len(referenced) != 1:
        return
    name = next(iter(referenced))
    for index, value in counts.items():
        if value != name:
            shown = "no cycles" if value is None else f"cycles: {value}"
            report.error(f"step {protocol.steps[index].id!r}: {shown}, while other regimens"
                         f" follow {name}; a run that sets {name[1:]} would change them"
                         " and not this one", "steps", index, "regimen")


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _spacing(step: str, regimen: Regimen, report: Report, index: int) -> None:
    rule = SPACING_H.get(regimen.frequency or "")
    if rule is None:
        return
    count, low, high = rule
    where = ("steps", index, "regimen")
    if not regimen.at:
        report.warning(f"step {step!r}: a {regimen.frequency} regimen without dose times; declare"
                       f" at: {_example(count)} so doses are planned {24 // count} h apart",
                       *where, "frequency")
        return
    times = sorted(_minutes(t) for t in regimen.at)
    if len(times) != count:
        report.error(f"step {step!r}: {regimen.frequency} means {count} doses a day, but at:"
                     f" lists {len(times)}", *where, "at")
        return
    gaps = [(times[(k + 1) % count] - times[k]) % 1440 / 60 for k in range(count)]
    bad = [g for g in gaps if not low <= g <= high]
    if bad:
        shown = ", ".join(format_magnitude(g) + " h" for g in gaps)
        report.error(f"step {step!r}: {regimen.frequency} doses at {', '.join(regimen.at)} are"
                     f" {shown} apart; {regimen.frequency} needs {format_magnitude(low)}-"
                     f"{format_magnitude(high)} h between doses", *where, "at")


def _example(count: int) -> str:
    return '["08:00", "20:00"]' if count == 2 else '["07:00", "15:00", "23:00"]'


def _cycle_days(step: str, regimen: Regimen, report: Report, index: int) -> None:
    if regimen.cycle is None:
        if regimen.days or regimen.on is not None:
            report.error(f"step {step!r}: dosing days need a cycle length (cycle: 28 d)",
                         "steps", index, "regimen")
        return
    cycle = convert(regimen.cycle.planned, regimen.cycle.unit, "day") or 0.0
    where = ("steps", index, "regimen")
    for day in regimen.days or []:
        if day > cycle:
            report.error(f"step {step!r}: day {day} lies outside the {format_magnitude(cycle)}-day"
                         " cycle", *where, "days")
    if regimen.on is None:
        return
    on = convert(regimen.on.planned, regimen.on.unit, "day") or 0.0
    off = convert(regimen.off.planned, regimen.off.unit, "day") if regimen.off else None
    if on > cycle:
        report.error(f"step {step!r}: {format_magnitude(on)} days on is longer than the"
                     f" {format_magnitude(cycle)}-day cycle", *where, "on")
    elif off is not None and abs(on + off - cycle) > 1e-6:
        report.error(f"step {step!r}: {format_magnitude(on)} days on + {format_magnitude(off)}"
                     f" days off = {format_magnitude(on + off)} days, but the cycle is"
                     f" {format_magnitude(cycle)} days", *where, "off")


def _per_subject(protocol: Protocol, report: Report) -> None:
    design = protocol.design
    if design is None or design.unit not in SUBJECT_UNITS:
        return
    subjects = design.sample_count
    word = design.unit if subjects == 1 else design.unit + "s"
    for index, step in enumerate(protocol.steps):
        times = step.repeat.times if step.repeat else 1
        for j, use in enumerate(step.uses):
            amount = use.amount or use.volume
            if amount is None or not counts_samples(use.per):
                continue
            total = amount.planned * subjects * times
            if times > 1:
                report.error(
                    f"step {step.id!r}: {use.material} {amount} per {design.unit} × {subjects}"
                    f" {word} × {times} repeats = {format_magnitude(total)}"
                    + (f" {amount.unit}" if amount.unit else "")
                    + f"; a per-{design.unit} amount in a step repeated {times} times counts"
                    f" every {design.unit} {times} times",
                    "steps", index, "uses", j,
                )
            elif not amount.unit and total > subjects * max(1.0, amount.planned):
                report.error(
                    f"step {step.id!r}: {use.material} {format_magnitude(amount.planned)} per"
                    f" {design.unit} × {subjects} {word} = {format_magnitude(total)}, more than"
                    f" the design's {subjects} {word}",
                    "steps", index, "uses", j,
                )
