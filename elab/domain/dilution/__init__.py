"""Dilutions, master mixes and seeding: pipetting plans that respect a pipette's limits.

Pure code; every planner returns a :class:`Plan` of :class:`Row` s (source, volume, diluent,
final concentration) with notes, shown as text, JSON and in the run record.
"""

from elab.domain.dilution.design import (
    DesignedSeries,
    serial_spec_from_design,
    serial_spec_from_protocol,
)
from elab.domain.dilution.matrix import plan_matrix
from elab.domain.dilution.mix import (
    MixComponent,
    plan_dilution,
    plan_master_mix,
    plan_ratio,
    qpcr_components,
)
from elab.domain.dilution.pipette import PipetteLimits
from elab.domain.dilution.seeding import plan_seeding
from elab.domain.dilution.serial import SerialSpec, plan_serial
from elab.domain.dilution.table import Plan, Row, conc_text, volume_text

__all__ = [
    "DesignedSeries",
    "MixComponent",
    "PipetteLimits",
    "Plan",
    "Row",
    "SerialSpec",
    "conc_text",
    "plan_dilution",
    "plan_master_mix",
    "plan_matrix",
    "plan_ratio",
    "plan_seeding",
    "plan_serial",
    "qpcr_components",
    "serial_spec_from_design",
    "serial_spec_from_protocol",
    "volume_text",
]
