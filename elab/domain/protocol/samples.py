"""The design's samples by name, and the recorded values read once for each of them.

A BCA reading belongs to one lysate.  Tied to the lysates only by the order they were typed,
lysate 7's reading typed before lysate 6's gives both lanes the wrong loading volume, and
nothing on the bench shows it.  So a recorded value whose spec says ``per:`` (``per:
lysate``) in a protocol with a ``design:`` is read once for each of the design's samples, and
each reading names its sample.

A sample is named as the plate layout names its well: the condition (``0.1 nM / 3 h``,
``DMSO / 3 h``: the levels joined by `` / ``, a crossed control by its name and levels) and
its replicate, ``0.1 nM / 3 h #2`` being the well of the layout CSV with condition
``0.1 nM / 3 h`` and replicate 2.  The order is the bench's: the levels of ``plate_by``
first (a time point's lysates together), then replicate by replicate (one 6-well plate of
the p-FAK design after another), then the conditions in design order.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from elab.domain.protocol.design_model import Control, Design
from elab.domain.protocol.model import Protocol, RecordSpec
from elab.domain.protocol.yamlsource import locate
from elab.errors import ElabError, InputError, Location, NotFoundError, ProtocolError

__all__ = ["check_sample_names", "match_sample", "record_samples", "sample_key",
           "sample_names"]

#: What splits ``name=r1;r2`` into readings: no sample name may hold it.
READING_SEPARATOR = ";"


def sample_names(design: Design | None) -> tuple[str, ...]:
    """Every sample of the design by name, in bench order; () when it has none to name."""
    if design is None:
        return ()
    # Designs hold lists, so they are not hashable; a run's protocol object is shared by
    # every fold of its content, so its identity is a sound key (as for the step graph).
    cached = _NAMED.get(id(design))
    if cached is None or cached[0] is not design:
        cached = _NAMED[id(design)] = (design, _names(design))
    return cached[1]


_NAMED: dict[int, tuple[Design, tuple[str, ...]]] = {}
_LONGEST = 500  # characters of a typed sample name worth comparing


def _names(design: Design) -> tuple[str, ...]:
    from elab.domain.plate import spec_from_design
    from elab.domain.plate.allocate import design_order

    try:
        spec = spec_from_design(design, plate=design.plate or 96)
    except ElabError:
        return ()
    counts = {c.name: n for c, n in spec.placed_items()}
    counts.update({c.name: c.count for c in spec.plate_controls()})
    by = spec.plate_by
    groups: dict[str, list[str]] = {}
    for condition in design_order(spec):
        level = dict(condition.levels).get(by, "") if by else ""
        groups.setdefault(level, []).append(condition.name)
    out: list[str] = []
    for conditions in groups.values():
        rounds = max(counts.get(c, 1) for c in conditions)
        out += [f"{c} #{r}" for r in range(1, rounds + 1) for c in conditions
                if counts.get(c, 1) >= r]
    return tuple(out)


def record_samples(protocol: Protocol, spec: RecordSpec | None) -> tuple[str, ...]:
    """The samples a recorded value is read for, one reading each; () when its readings
    are not tied to named samples (no ``per:``, no design, a text value, or a count the
    design does not have: that last one is a located error of ``elab validate``)."""
    if spec is None or spec.per is None or spec.type == "text":
        return ()
    names = sample_names(protocol.design)
    return names if len(names) == spec.count else ()


def sample_key(text: str) -> str:
    """What two spellings of one sample name share: case, spaces and the micro sign do
    not matter (``dmso/3h#1`` is ``DMSO / 3 h #1``; ``0.1 uM`` is ``0.1 µM``)."""
    return "".join(text.split()).lower().replace("µ", "u").replace("μ", "u")


def match_sample(names: tuple[str, ...], text: str, per: str = "sample") -> str:
    """The sample ``text`` names; NotFoundError (with the closest names) when none.

    A name written exactly as the design writes it is that sample, whatever else it may
    look like once case and spaces are ignored; only then is the loose spelling tried."""
    if len(text) > _LONGEST:  # no name is this long: say so without echoing it whole
        raise InputError(f"a {per} name of {len(text)} characters is not one of the "
                         f"design's {len(names)}")
    if text.strip() in names:
        return text.strip()
    found = _keys(names).get(sample_key(text))
    if found is None:
        raise NotFoundError(per, text.strip(), names)
    return found


def _keys(names: tuple[str, ...]) -> Mapping[str, str]:
    return {sample_key(n): n for n in names}


def check_sample_names(design: Design | None, tree: Mapping[str, Any],
                       file: str) -> list[ProtocolError]:
    """Located errors for condition names a reading could not tell apart.

    A reading names its sample (``DMSO / 3 h #2: 1.8``), matched with case and spaces
    ignored, and ``;`` separates readings.  So a control ``dmso`` beside ``DMSO``, a
    control named like a treated condition (``1 nM`` crossed with time is ``1 nM / 3 h``,
    a treated well's name), or a name holding ``;`` would send a reading to the wrong
    sample or to none (and a design whose names collide has no named samples at all).
    """
    if design is None:
        return []

    def at(*path: str | int) -> Location:
        return locate(tree, list(path)) or Location(file, 1, 1)

    errors: list[ProtocolError] = []
    for index, factor in enumerate(design.factors):
        for k, level in enumerate(factor.levels):
            if READING_SEPARATOR in str(level):
                errors.append(ProtocolError(_separator("level", str(level)),
                                            at("design", "factors", index, "levels", k)))
    seen = {sample_key(n): (n, "a treated condition") for n in _treated(design)}
    for index, control in enumerate(design.controls):
        where = at("design", "controls", index, "name")
        if READING_SEPARATOR in control.name:
            errors.append(ProtocolError(_separator("control", control.name), where))
            continue
        names = _control_conditions(design, control)
        clash = next((n for n in names if sample_key(n) in seen), None)
        if clash is not None:
            errors.append(ProtocolError(_collision(control.name, clash,
                                                   *seen[sample_key(clash)]), where))
            continue
        seen.update({sample_key(n): (n, f"control {control.name!r}") for n in names})
    return errors


def _collision(control: str, name: str, other: str, owner: str) -> str:
    same = (f"the name of {owner}" if name == other else
            f"which is {other!r} of {owner} once case and spaces are ignored")
    return (f"control {control!r}: its samples would be named {name!r}, {same}; readings "
            "name their sample, so give the control a name of its own")


def _separator(what: str, name: str) -> str:
    return (f"{what} {name!r} holds {READING_SEPARATOR!r}, which separates readings "
            f"(name=r1{READING_SEPARATOR}r2), so no reading could name its samples")


def _texts(design: Design) -> dict[str, list[str]]:
    """Each factor's levels as the plate layout writes them in a condition's name (a bare
    number with the factor's unit: ``24`` with ``unit: h`` is ``24 h``)."""
    return {f.name: [_level_text(v, f.unit) for v in f.levels] for f in design.factors}


def _level_text(level: object, unit: str | None) -> str:
    if unit and isinstance(level, int | float) and not isinstance(level, bool):
        return f"{level:g} {unit}"
    return str(level).strip()


def _treated(design: Design) -> list[str]:
    """The treated conditions' names, as the plate layout names them."""
    if not design.factors:
        return []
    levels = _texts(design)
    return [" / ".join(combo) for combo in itertools.product(*levels.values())]


def _control_conditions(design: Design, control: Control) -> list[str]:
    """A control's conditions: its name, then the levels it is crossed with."""
    levels = _texts(design)
    if not control.for_each:
        return [control.name]
    return [" / ".join((control.name, *combo)) for combo in
            itertools.product(*(levels.get(name, []) for name in control.for_each))]
