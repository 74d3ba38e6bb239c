"""Finding hooks: the ``elab.analysis`` entry-point group is the only registry.

Built-in hooks are declared in elab's own ``pyproject.toml`` exactly as a third-party
package declares its hooks, so there is one way in and a plugin is never second class.
A name that is not installed, or a hook that fails to import, is an error naming the hooks
that are installed.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

from elab.errors import InputError, NotFoundError

from .base import Hook

__all__ = ["GROUP", "available_hooks", "load_hook"]

GROUP = "elab.analysis"


def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def available_hooks() -> list[str]:
    """The names of the installed hooks, sorted."""
    return sorted(_entry_points())


def load_hook(name: str) -> Hook:
    """The hook registered under ``name``; unknown or broken ones name what is installed."""
    eps = _entry_points()
    installed = sorted(eps)
    if name not in eps:
        error = NotFoundError("analysis hook", name, installed)
        error.args = (f"{error.args[0]}; installed hooks: {', '.join(installed) or 'none'}",)
        raise error
    try:
        obj: Any = eps[name].load()
    except Exception as exc:  # a plugin may fail in any way; say which and what else exists
        raise InputError(
            f"analysis hook {name!r} ({eps[name].value}) failed to load: {exc}; "
            f"installed hooks: {', '.join(installed)}"
        ) from exc
    if not isinstance(obj, Hook):
        raise InputError(
            f"analysis hook {name!r} ({eps[name].value}) is a {type(obj).__name__}, not a Hook; "
            f"installed hooks: {', '.join(installed)}"
        )
    return obj
