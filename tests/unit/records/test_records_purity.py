"""The record command loads no renderer or signing library until a record is asked for.

(The records domain's purity is checked with every domain package in
``tests/unit/test_domain_purity.py``.)
"""

from __future__ import annotations

import json
import subprocess
import sys


def test_record_cli_module_loads_no_renderer() -> None:
    probe = ("import sys, json\nimport elab.cli.record\nprint(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = {m.split(".")[0] for m in json.loads(out.stdout)}
    assert modules.isdisjoint({"jinja2", "weasyprint", "argon2", "cryptography", "matplotlib"})
