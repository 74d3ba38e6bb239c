"""Option parsing shared by the command groups."""

from __future__ import annotations

import typer

__all__ = ["parse_params"]


def parse_params(values: list[str] | None, option: str = "--param") -> dict[str, str]:
    """``NAME=VALUE`` options as a dict; an item without ``=`` is a usage error (exit 2)."""
    params: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{item!r} is not NAME=VALUE", param_hint=option)
        params[name.strip()] = value.strip()
    return params
