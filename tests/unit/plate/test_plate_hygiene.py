"""Importing the plate, dilution and dosing domain loads no solver, UI or rendering library."""

from __future__ import annotations

import subprocess
import sys


def test_domain_imports_stay_light() -> None:
    code = (
        "import sys, elab.domain.plate, elab.domain.dilution, elab.domain.dosing\n"
        "bad = [m for m in ('ortools', 'jinja2', 'typer', 'textual', 'sqlalchemy', "
        "'matplotlib', 'weasyprint') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
