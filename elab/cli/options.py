"""Option parsing shared by the command groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
import typer

from elab.settings import Settings

if TYPE_CHECKING:
    from elab.services.protocol_library import ProtocolLibrary

__all__ = ["library", "parse_params", "settings"]


def settings() -> Settings:
    """The settings ``elab.cli.main`` read from the environment for this command.

    They travel as the Click context's object; a command called without ``main`` (a test
    invoking the Typer app directly) reads the environment itself.
    """
    context = click.get_current_context(silent=True)
    found = context.find_root().obj if context is not None else None
    return found if isinstance(found, Settings) else Settings.from_env()


def library() -> ProtocolLibrary:
    """The protocol library of this command's settings."""
    from elab.services.protocol_library import ProtocolLibrary

    return ProtocolLibrary.from_settings(settings())


def parse_params(values: list[str] | None, option: str = "--param") -> dict[str, str]:
    """``NAME=VALUE`` options as a dict; an item without ``=`` is a usage error (exit 2)."""
    params: dict[str, str] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{item!r} is not NAME=VALUE", param_hint=option)
        params[name.strip()] = value.strip()
    return params
