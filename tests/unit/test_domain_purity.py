"""The domain stays pure: importing it pulls in no UI, storage or rendering library."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ["textual", "sqlalchemy", "typer", "jinja2", "weasyprint", "ortools", "alembic"]


def loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {m.split(".")[0] for m in json.loads(out.stdout)}


def test_protocol_domain_imports_no_shell_or_store_library() -> None:
    modules = loaded_after("import elab.domain.protocol, elab.domain.protocol.describe, elab.units")
    assert modules.isdisjoint(FORBIDDEN), modules & set(FORBIDDEN)


def test_cli_help_does_not_load_heavy_libraries() -> None:
    modules = loaded_after("import elab.cli.main as m\nm._register_all()")
    heavy = {"pint", "scipy", "matplotlib", "sqlalchemy", "textual", "ortools", "weasyprint"}
    assert modules.isdisjoint(heavy), modules & heavy
