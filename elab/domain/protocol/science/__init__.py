"""Science checks: the mistakes a scientist reviewing a protocol would catch.

Each check reads a validated protocol and its YAML tree and reports located findings
(errors and warnings) instead of raising, so ``elab validate`` shows them all at once and a
protocol with warnings still loads for a run.  The checks, in the order they run:

1. ``vehicle``: final concentrations and vehicle fraction per well (:mod:`.arithmetic`)
   ``volumes``: the steps pipette the design's working volume and additions (:mod:`.volumes`)
2. ``spectra``: fluorochromes on one detector, heavy spillover (:mod:`.spectra`)
3. ``unused``: materials, equipment and parameters nothing uses (:mod:`.unused`)
4. ``coverage``: dose levels bracketing the expected potency (:mod:`.coverage`)
5. ``regimen``: BID/TID spacing, cycle days, per-subject totals (:mod:`.regimens`)
6. ``in-vivo``: humane endpoints and the record ranges they bound (:mod:`.invivo`)
7. ``analysis``: hooks installed, their controls in the design (:mod:`.hooks`)
8. ``controls``: vehicle controls, time-matched, matching vehicles per arm (:mod:`.controls`)
9. ``samples``: a value read per sample has one reading for each of the design's samples
   (:mod:`.samples`)
10. ``stock``: a drug's stock added by volume gives the concentration the step declares
    (:mod:`.stocks`)
11. ``vehicle-arms``: every arm gets the same vehicle fraction, a drug's own solvent
    counted (:mod:`.stocks`)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from elab.domain.protocol.model import Protocol
from elab.domain.protocol.science.arithmetic import check_arithmetic
from elab.domain.protocol.science.controls import check_controls
from elab.domain.protocol.science.coverage import check_coverage
from elab.domain.protocol.science.finding import Finding, Report, Severity
from elab.domain.protocol.science.hooks import check_hooks
from elab.domain.protocol.science.invivo import check_in_vivo
from elab.domain.protocol.science.regimens import check_regimens
from elab.domain.protocol.science.samples import check_samples
from elab.domain.protocol.science.spectra import check_spectra
from elab.domain.protocol.science.stocks import check_stock_additions, check_vehicle_arms
from elab.domain.protocol.science.unused import check_unused
from elab.domain.protocol.science.volumes import check_volumes

__all__ = ["CHECKS", "Finding", "Severity", "science_findings"]

_Check = Callable[[Protocol, Report], None]

CHECKS: dict[str, _Check] = {
    "vehicle": check_arithmetic,
    "volumes": check_volumes,
    "spectra": check_spectra,
    "unused": check_unused,
    "coverage": check_coverage,
    "regimen": check_regimens,
    "in-vivo": check_in_vivo,
    "controls": check_controls,
    "samples": check_samples,
    "stock": check_stock_additions,
    "vehicle-arms": check_vehicle_arms,
}


def science_findings(
    protocol: Protocol,
    tree: Mapping[str, Any],
    file: str,
    hooks: Collection[str] | None = None,
) -> list[Finding]:
    """Every science finding for one protocol; ``hooks`` are the installed analysis hooks."""
    findings: list[Finding] = []
    for name, check in CHECKS.items():
        report = Report(tree, file, name)
        check(protocol, report)
        findings += report.findings
    report = Report(tree, file, "analysis")
    check_hooks(protocol, report, hooks)
    findings += report.findings
    return sorted(findings, key=lambda f: (f.location.line, f.location.col))
