"""Options and output shared by the ``elab dilute`` commands: pipette limits and how a plan
prints (a table, or ``{title, rows, notes, figures}`` with ``--json``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from elab.domain.dilution import PipetteLimits, Plan

__all__ = ["DeadOpt", "JsonOpt", "MinOpt", "OverOpt", "ResOpt", "emit", "pipette_limits"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")]
MinOpt = Annotated[str, typer.Option("--min-volume", help="Smallest volume to pipette.")]
ResOpt = Annotated[str, typer.Option("--resolution", help="Pipette resolution.")]
DeadOpt = Annotated[str, typer.Option("--dead", help="Dead volume per tube or well drawn from.")]
OverOpt = Annotated[str, typer.Option("--overage", help="Extra made of every mix.")]


def pipette_limits(min_volume: str, resolution: str, dead: str, overage: str) -> PipetteLimits:
    from elab.cli._amounts import fraction_from_text, ul_from_text
    from elab.domain.dilution import PipetteLimits

    return PipetteLimits(
        min_ul=ul_from_text(min_volume, "--min-volume"),
        resolution_ul=ul_from_text(resolution, "--resolution"),
        dead_ul=ul_from_text(dead, "--dead"),
        overage=fraction_from_text(overage, "--overage"),
    )


def emit(plan: Plan, as_json: bool) -> None:
    if as_json:
        print(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(plan.text())

