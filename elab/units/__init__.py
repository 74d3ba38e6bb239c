"""The process's one pint registry and the quantity language of protocol files.

Protocol files are written by people at a bench, so a quantity is a short string: ``600 uL``,
``5e4 cells``, ``14000 x g``, ``12-48 h``, ``>= 1 h``, ``overnight``.  Everything here turns
such a string into a :class:`QRange` (a magnitude range in one unit) or refuses it with a
sentence that says why.  Pint does the unit algebra; this package only decides which strings
are allowed in front of pint: a plain number (no expressions), a unit made of unit names, and
the bench words mapped to documented ranges.  Unit definitions are never read from protocol
files: the lab units are the only additions to pint's defaults.

Stored quantities are magnitude plus unit string, so nothing outside this package holds a
pint object for long.  Import from ``elab.units``; the modules behind it, by what they hold:

- :mod:`.pint_registry`: the one pint registry (``registry()``, ``ureg``) and the lab units;
- :mod:`.facts`: what elab needs of a unit (``unit_facts``), cached across processes;
- :mod:`.kinds`: the named kinds a field can require (``KINDS``, ``check_kind``);
- :mod:`.qrange`: ``QRange``, a quantity or a range of one;
- :mod:`.parsing`: the quantity language (``parse_quantity``, ``parse_unit``, bench words);
- :mod:`.ratios`: ``Ratio`` and ``parse_ratio`` (``1:1000``);
- :mod:`.conversions`: ``convert`` between units, ``rcf_from_rpm``, ``rpm_from_rcf``;
- :mod:`.formatting`: quantities, ranges and durations written back for people.

Each module is imported on first use of one of its names (``elab --help`` needs only
``configure_unit_cache``).  Names with a leading underscore are shared between these
modules only.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from elab.units.conversions import convert, rcf_from_rpm, rpm_from_rcf
    from elab.units.facts import UnitFacts, configure_unit_cache, unit_facts
    from elab.units.formatting import (
        format_duration,
        format_magnitude,
        format_quantity,
        format_range,
        format_unit,
    )
    from elab.units.kinds import KINDS, check_kind
    from elab.units.kinds import _dimensionality as _dimensionality
    from elab.units.parsing import BENCH_WORDS, parse_quantity, parse_unit
    from elab.units.pint_registry import registry
    from elab.units.qrange import QRange
    from elab.units.ratios import Ratio, parse_ratio

__all__ = [
    "BENCH_WORDS",
    "KINDS",
    "QRange",
    "Ratio",
    "UnitFacts",
    "check_kind",
    "configure_unit_cache",
    "convert",
    "format_duration",
    "format_magnitude",
    "format_quantity",
    "format_range",
    "format_unit",
    "parse_quantity",
    "parse_ratio",
    "parse_unit",
    "rcf_from_rpm",
    "registry",
    "rpm_from_rcf",
    "unit_facts",
]

# The module each name lives in.
_HOME = {
    "BENCH_WORDS": "parsing",
    "KINDS": "kinds",
    "QRange": "qrange",
    "Ratio": "ratios",
    "UnitFacts": "facts",
    "_dimensionality": "kinds",
    "check_kind": "kinds",
    "configure_unit_cache": "facts",
    "convert": "conversions",
    "format_duration": "formatting",
    "format_magnitude": "formatting",
    "format_quantity": "formatting",
    "format_range": "formatting",
    "format_unit": "formatting",
    "parse_quantity": "parsing",
    "parse_ratio": "ratios",
    "parse_unit": "parsing",
    "rcf_from_rpm": "conversions",
    "registry": "pint_registry",
    "rpm_from_rcf": "conversions",
    "unit_facts": "facts",
}


def __getattr__(name: str) -> Any:
    # ``ureg`` is built on first use: pint costs half a second, and validating a protocol
    # whose units are all in the facts cache never needs it.
    if name == "ureg":
        from elab.units.pint_registry import _registry

        return _registry()
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(name)
    module = f"elab.units.{home}"
    __import__(module)  # rather than importlib's: ``python -X importtime`` shows this one
    value = getattr(sys.modules[module], name)
    globals()[name] = value  # found once; later lookups do not come here
    return value
