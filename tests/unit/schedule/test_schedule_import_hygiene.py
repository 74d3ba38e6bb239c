"""The scheduling domain stays pure: importing it pulls in no solver, UI or storage library."""

from __future__ import annotations

import subprocess
import sys


def test_schedule_domain_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "import elab.domain.schedule, elab.domain.schedule.expand, elab.domain.schedule.regimen\n"
        "bad = [m for m in ('ortools', 'typer', 'textual', 'sqlalchemy', 'jinja2', 'matplotlib',"
        " 'icalendar') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
