"""The domain stays pure: importing any of it pulls in no UI, storage, solver or renderer.

One case per domain package (found by walking ``elab.domain``, so a new package is covered
the day it is added); each imports the package and every module in it in a fresh
interpreter and lists what ``sys.modules`` then holds, as harlequin's import-hygiene test does.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import elab.domain

# UI, storage, solver and rendering libraries, and the heavy ones the domain imports only
# inside the functions that draw or fit.
FORBIDDEN = frozenset({
    "textual", "typer", "click", "sqlalchemy", "alembic", "psycopg", "jinja2", "weasyprint",
    "ortools", "icalendar", "matplotlib", "wellmap", "pandas",
})


def domain_packages() -> list[str]:
    found = ["elab.domain"]
    for info in pkgutil.walk_packages(elab.domain.__path__, "elab.domain."):
        if info.ispkg or info.name.count(".") == 2:
            found.append(info.name)
    return sorted(found)


def modules_of(package: str) -> list[str]:
    module = __import__(package, fromlist=["_"])
    paths = getattr(module, "__path__", None)
    if paths is None:
        return [package]
    return [package, *(i.name for i in pkgutil.walk_packages(paths, package + "."))]


def loaded_after_importing(modules: list[str]) -> set[str]:
    probe = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return {m.split(".")[0] for m in json.loads(out.stdout)}


def test_every_domain_package_is_covered() -> None:
    packages = domain_packages()
    for expected in ("analysis", "dilution", "plate", "protocol", "records", "runs", "schedule"):
        assert f"elab.domain.{expected}" in packages
    assert "elab.domain.dosing" in packages


@pytest.mark.parametrize("package", domain_packages())
def test_domain_package_imports_no_shell_store_solver_or_renderer(package: str) -> None:
    loaded = loaded_after_importing(modules_of(package))
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & FORBIDDEN)


def test_cli_help_does_not_load_heavy_libraries() -> None:
    probe = ("import contextlib, io, json, sys\nfrom elab.cli.main import main\n"
             "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
             "    main(['--help'])\n"
             "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    loaded = {m.split(".")[0] for m in json.loads(out.stdout)}
    assert "elab.cli.plate" in json.loads(out.stdout)  # the commands were registered
    heavy = {"pint", "scipy", "matplotlib", "sqlalchemy", "textual", "ortools", "weasyprint",
             "pandas", "wellmap", "pydantic", "numpy"}
    assert loaded.isdisjoint(heavy), sorted(loaded & heavy)
