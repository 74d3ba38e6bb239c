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

from collections.abc import Mapping

from elab.domain.protocol.design_model import Design
from elab.domain.protocol.model import Protocol, RecordSpec
from elab.errors import ElabError, InputError, NotFoundError

__all__ = ["match_sample", "record_samples", "sample_key", "sample_names"]


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
    """The sample ``text`` names; NotFoundError (with the closest names) when none."""
    if len(text) > _LONGEST:  # no name is this long: say so without echoing it whole
        raise InputError(f"a {per} name of {len(text)} characters is not one of the "
                         f"design's {len(names)}")
    found = _keys(names).get(sample_key(text))
    if found is None:
        raise NotFoundError(per, text.strip(), names)
    return found


def _keys(names: tuple[str, ...]) -> Mapping[str, str]:
    return {sample_key(n): n for n in names}
