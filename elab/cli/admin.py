"""``elab admin``: setting up a shared PostgreSQL lab database (run by its administrator)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from elab.cli.options import settings

__all__ = ["register"]

admin_app = typer.Typer(help="Administer a shared PostgreSQL lab database.")
PASSWORD_ENV = "ELAB_PERSON_PASSWORD"


@admin_app.command("init")
def init(
    person: Annotated[
        list[str] | None,
        typer.Option("--person", help="A person's login role to create (repeat)."),
    ] = None,
) -> None:
    """Make the append-only role layout: each person logs in as their own role and may only
    read and add to the log; the operator of every event is the logged-in role.

    Passwords: $ELAB_PERSON_PASSWORD, or a hidden prompt for each person.
    """
    from elab.services.admin import Person, init_lab_database

    people = [Person(name, _password(name)) for name in person or []]
    for line in init_lab_database(people):
        print(line)


def _password(name: str) -> str:
    value = settings().person_password
    if value is not None:
        return value
    if not sys.stdin.isatty():
        from elab.errors import InputError

        raise InputError(f"a password for {name} is needed: type it at a terminal or set "
                         f"{PASSWORD_ENV}")
    return str(typer.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True))


def register(app: typer.Typer) -> None:
    app.add_typer(admin_app, name="admin")
