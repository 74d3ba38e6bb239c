"""Public names are a promise: every module says which in a sorted ``__all__`` (httpx's guard).

Sorted as ruff's RUF022 sorts: constants, then classes, then functions.

For each module of elab: ``__all__`` exists, is sorted, names only what the module has, and
lists every class and function the module defines without a leading underscore, so a helper
is either promised or visibly private.  Command modules promise ``register`` only: their
commands are reached through the command line, not imported.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import elab


def elab_modules() -> list[str]:
    names = ["elab"]
    for info in pkgutil.walk_packages(elab.__path__, "elab."):
        if ".migrations" in info.name:
            continue  # Alembic's scripts, run by Alembic, not imported
        names.append(info.name)
    return sorted(names)


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def defined_here(module: ModuleType) -> list[str]:
    return [
        name for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == module.__name__
    ]


@pytest.mark.parametrize("name", elab_modules())
def test_all_is_sorted_true_and_complete(name: str) -> None:
    module = importlib.import_module(name)
    promised = getattr(module, "__all__", None)
    assert promised is not None, f"{name} has no __all__"
    assert list(promised) == sorted(promised, key=isort_key), f"{name}.__all__ is not sorted"
    assert [n for n in promised if not hasattr(module, n)] == []
    if name.startswith("elab.cli.") and hasattr(module, "register"):
        assert "register" in promised
        return
    assert [n for n in defined_here(module) if n not in promised] == []
