"""Who acts on a run: the name each event carries.

``--operator``, then ``ELAB_OPERATOR``, then the system user; on a lab PostgreSQL with one
login role per person, always the person logged in, so no one signs their work with
another's name.
"""

from __future__ import annotations

import getpass
from typing import Any

from elab.domain.runs import actions
from elab.errors import InputError
from elab.settings import Settings

__all__ = ["acting_operator", "current_operator"]


def current_operator(explicit: str | None = None) -> str:
    """``--operator``, then ``ELAB_OPERATOR``, then the system user."""
    if explicit:
        return explicit
    env = Settings.from_env().operator
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def acting_operator(engine: Any, explicit: str | None) -> str:
    """Who acts: on a lab PostgreSQL with person roles, always the logged-in person."""
    from elab.services.admin import session_person

    person = session_person(engine)
    if person is None:
        operator = current_operator(explicit)
        if len(operator) > actions.MAX_NAME:
            engine.dispose()
            raise InputError(f"an operator name is at most {actions.MAX_NAME} characters")
        return operator
    if explicit and explicit != person:
        engine.dispose()
        raise InputError(f"on this database you act as {person!r}, the role you logged in "
                         f"as; --operator {explicit!r} is refused")
    return person

