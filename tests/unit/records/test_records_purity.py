"""The record view model and builder are domain code: no Jinja, WeasyPrint or storage."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = {"textual", "sqlalchemy", "typer", "jinja2", "weasyprint", "ortools", "alembic",
             "psycopg", "matplotlib"}


def test_records_domain_imports_nothing_heavy() -> None:
    probe = ("import sys, json\nimport elab.domain.records, elab.domain.records.build\n"
             "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = {m.split(".")[0] for m in json.loads(out.stdout)}
    assert modules.isdisjoint(FORBIDDEN), modules & FORBIDDEN


def test_record_cli_module_loads_no_renderer() -> None:
    probe = ("import sys, json\nimport elab.cli.record\nprint(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = {m.split(".")[0] for m in json.loads(out.stdout)}
    assert modules.isdisjoint({"jinja2", "weasyprint", "argon2", "cryptography", "matplotlib"})
