"""The kinds of control a design may hold: one list, read by the protocol model (what
``elab validate`` accepts) and by the plate planner (what ``elab plate layout`` lays out), so
a protocol that validates always gets a plate map.

``fmo`` is a flow panel's fluorescence-minus-one tube; ``reference`` a condition other
conditions are read against rather than a treatment (an uncoated insert beside a Matrigel one).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["CONTROL_KINDS", "ControlKind"]

ControlKind = Literal[
    "vehicle", "untreated", "blank", "positive", "negative", "standard", "fmo", "reference"
]
CONTROL_KINDS: tuple[str, ...] = get_args(ControlKind)
