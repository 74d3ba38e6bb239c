"""Check 7: analysis hooks that exist, pointed at controls the design has.

A hook name nobody registered fails only when the run finishes, after the work is done; a
``control`` that is neither a control nor a factor level of the design makes the hook
refuse the data ("unknown control").  The registered names are given by the caller, so
the domain does not read entry points itself.
"""

from __future__ import annotations

from collections.abc import Collection

from elab.domain.protocol.model import Protocol, RecordSpec
from elab.domain.protocol.science.finding import Report
from elab.errors import did_you_mean

__all__ = ["check_hooks", "design_labels", "read_per_sample"]


def design_labels(protocol: Protocol) -> list[str]:
    """Every name a data file may give a condition: control names and factor levels."""
    design = protocol.design
    if design is None:
        return []
    labels = [c.name for c in design.controls]
    labels += [str(level) for f in design.factors for level in f.levels]
    return labels


def check_hooks(protocol: Protocol, report: Report, hooks: Collection[str] | None) -> None:
    labels = design_labels(protocol)
    lowered = {label.lower() for label in labels}
    for index, analysis in enumerate(protocol.analysis):
        if hooks is not None and analysis.hook not in hooks:
            hint = did_you_mean(analysis.hook, list(hooks))
            report.error(f"analysis hook {analysis.hook!r} is not installed"
                         + (f" (did you mean {hint}?)" if hint else "")
                         + f"; installed: {', '.join(sorted(hooks))}",
                         "analysis", index, "hook")
        for key, value in analysis.params.items():
            _check_reference(protocol, report, index, key, value)
        control = analysis.params.get("control")
        if (
            isinstance(control, str)
            and control
            and protocol.design is not None
            and control.lower() not in lowered
        ):
            hint = did_you_mean(control, labels)
            report.error(f"analysis {analysis.hook!r}: control {control!r} is neither a"
                         " control nor a factor level of the design"
                         + (f" (did you mean {hint}?)" if hint else ""),
                         "analysis", index, "params", "control")


_ONCE = frozenset({"run", "protocol", "experiment", "batch"})


def read_per_sample(spec: RecordSpec) -> bool:
    """Whether the value is read once per sample (``per: well``...) rather than for the run;
    ``count`` without ``per:`` is replicate readings of one thing."""
    return spec.per is not None and spec.per not in _ONCE


def _check_reference(protocol: Protocol, report: Report, index: int, key: str,
                     value: object) -> None:
    """``@step.value`` in a hook's parameters names a value the protocol records once for
    the run: the hook gets one number, and the mean of a value read per sample (``per:``)
    would mix different samples into it (a blank of 0.05 and 0.25 becoming 0.15)."""
    if not (isinstance(value, str) and value.startswith("@")):
        return
    step_id, _, name = value[1:].partition(".")
    known = {s.id: s for s in protocol.steps}
    step = known.get(step_id)
    if step is None or name not in step.record:
        recorded = [f"@{s.id}.{n}" for s in protocol.steps for n in s.record]
        hint = did_you_mean(value, recorded)
        report.error(f"analysis {protocol.analysis[index].hook!r}: parameter {key} refers to "
                     f"{value!r}, which no step records"
                     + (f" (did you mean {hint}?)" if hint else ""),
                     "analysis", index, "params", key)
        return
    spec = step.record[name]
    if read_per_sample(spec):
        report.error(f"analysis {protocol.analysis[index].hook!r}: parameter {key} refers to "
                     f"{value!r}, which is read per {spec.per} ({spec.count} readings of "
                     "different samples): the hook would get their mean, one number made of "
                     "different samples; refer to a value read once for the run (replicate "
                     "readings of one thing, count without per:, are averaged)",
                     "analysis", index, "params", key)
