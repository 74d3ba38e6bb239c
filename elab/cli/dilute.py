"""``elab dilute serial|mix|qpcr|seed|ratio|conc``: pipetting plans that respect the pipette.

Quantities are typed as in protocols (``10mM``, ``200 uL``, ``0.1%``); every plan prints as a
table or, with ``--json``, as ``{title, rows, notes, figures}``.

The commands live in modules named for what they hold: ``dilute_serial`` (serial),
``dilute_qpcr`` (mix, qpcr), ``dilute_reagent`` (seed, ratio, conc); shared options in
``dilute_options``.
"""

from __future__ import annotations

import typer

from elab.cli import dilute_qpcr, dilute_reagent, dilute_serial

__all__ = ["register"]

dilute_app = typer.Typer(help="Dilution, master-mix and seeding plans.", no_args_is_help=True)
for _commands in (dilute_serial, dilute_qpcr, dilute_reagent):
    _commands.register(dilute_app)


def register(app: typer.Typer) -> None:
    app.add_typer(dilute_app, name="dilute")
