"""The process's one pint UnitRegistry, with the lab units as the only additions.

Unit definitions are never read from protocol files: :data:`_LAB_UNITS` is the whole list of
what elab adds to pint's defaults (cells, wells, ``x g``, OD, the percent kinds).  Pint costs
half a second to import, so the registry is built on first call, not on import.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["registry"]

_LAB_UNITS = """
cell = [cells] = cells
well = [wells] = wells
rcf = 9.80665 meter / second ** 2 = x_g = xg
magnification = [magnification] = mag
OD = [optical_density] = od = OD_unit
RLU = [luminescence_signal] = rlu
RFU = [fluorescence_signal] = rfu
percent_wv = 10 gram / liter = pct_wv
percent_vv = 0.01 = pct_vv
percent_ww = 0.01 = pct_ww
@alias week = wk = wks
"""


@lru_cache(maxsize=1)
def registry() -> Any:
    """The process's one pint UnitRegistry (built on first call)."""
    return _registry()


@lru_cache(maxsize=1)
def _registry() -> Any:
    import pint

    registry: Any = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, on_redefinition="raise")
    for line in _LAB_UNITS.strip().splitlines():
        registry.define(line)
    return registry
