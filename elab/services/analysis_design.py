"""Parameters an analysis takes from the protocol's design rather than from its own entry.

An invasion assay's design names its uncoated inserts as controls of kind ``reference``; the
transwell hook needs them to compute the invasion index (Matrigel-coated over uncoated cells
of the same drug) instead of comparing uncoated references with the coated vehicle.  The
entry's own parameters always win.
"""

from __future__ import annotations

from elab.domain.protocol.model import Protocol

__all__ = ["design_params"]


def design_params(protocol: Protocol, hook: str, params: dict[str, str]) -> dict[str, str]:
    """``params`` with the transwell hook's ``reference`` list added from the design's
    controls of kind ``reference``, when the entry did not set one.  Only for transwell:
    ddct's ``reference`` is a housekeeping gene, not a control condition."""
    design = protocol.design
    if hook != "transwell" or design is None or "reference" in params:
        return params
    refs = [c.name for c in design.controls if c.kind == "reference"]
    return {**params, "reference": ", ".join(refs)} if refs else params
