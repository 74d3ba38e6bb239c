"""The one exception tree of elab.

Every error elab raises on purpose derives from :class:`ElabError`; only the CLI and the TUI
turn one into a line for a person.  Errors that come from a place in a file carry a
:class:`Location` so the line reads ``FILE:LINE:COL: message``.  Where a builtin exception
means the same thing, the error is also that builtin (as pint does), so callers that catch
``ValueError`` or ``LookupError`` keep working::

    ElabError
    ├── LocatedError                   has .location (file, line, col)
    │   └── ProtocolError (ValueError) a protocol file is wrong
    │       └── ProtocolErrors         several at once, one per location
    ├── QuantityError (ValueError)     a quantity string does not parse or is absurd
    │   ├── DimensionError (TypeError) a quantity of the wrong kind (ug where uL is meant)
    │   └── ExpressionError            a derived value's expression is not allowed; has .offset
    ├── NotFoundError (LookupError)    an unknown protocol, run, step, hook...; did-you-mean
    ├── InputError (ValueError)        bad input to a command: a clear sentence with the numbers
    │   └── InfeasibleError            a plan (plate, dilution, schedule) cannot be made
    ├── RunStateError                  an event that the run's state refuses (step done twice)
    ├── ConflictError                  a concurrent append won the sequence number
    ├── IntegrityError                 a hash chain or signature does not verify
    └── StorageError (OSError)         the database cannot be read or written; nothing was saved
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "ConflictError",
    "DimensionError",
    "ElabError",
    "ExpressionError",
    "InfeasibleError",
    "InputError",
    "IntegrityError",
    "LocatedError",
    "Location",
    "NotFoundError",
    "ProtocolError",
    "ProtocolErrors",
    "QuantityError",
    "RunStateError",
    "StorageError",
    "UsageError",
    "did_you_mean",
]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file, 1-based line and column as editors show them."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


class ElabError(Exception):
    """Root of every error elab raises on purpose."""


class LocatedError(ElabError):
    """An error tied to a place in a file."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class ProtocolError(LocatedError, ValueError):
    """A protocol file is wrong at one place."""


class ProtocolErrors(ProtocolError):
    """All the errors found in one or more protocol files, sorted by place."""

    def __init__(self, errors: Sequence[ProtocolError]) -> None:
        ordered = sorted(errors, key=lambda e: e.location or Location(""))
        self.errors: tuple[ProtocolError, ...] = tuple(ordered)
        first = self.errors[0] if self.errors else None
        super().__init__(
            first.message if first else "invalid protocol", first.location if first else None
        )

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class QuantityError(ElabError, ValueError):
    """A quantity string that does not parse, overflows or is not allowed here."""


class DimensionError(QuantityError, TypeError):
    """A quantity of the wrong dimension: a mass where a volume is expected."""


class ExpressionError(QuantityError):
    """A derived value's expression that does not parse or uses what is not allowed.

    ``offset`` is the 0-based character in the expression where the problem starts, so a
    protocol error can point at it.
    """

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


class NotFoundError(ElabError, LookupError):
    """An unknown name; the message carries the closest known names."""

    def __init__(self, kind: str, name: str, known: Iterable[str] = (), how: str = "") -> None:
        self.kind = kind
        self.name = name
        self.suggestions = did_you_mean(name, known)
        hint = f" (did you mean {self.suggestions}?)" if self.suggestions else ""
        # ``how``: what to do when the name is simply missing (no near miss to suggest)
        tail = f"; {how}" if how and not self.suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}{tail}")


class InputError(ElabError, ValueError):
    """Input a command cannot use; the message says what and, where it can, the numbers."""


class UsageError(InputError):
    """An option's value outside what the option takes (``--param bootstrap=100000000``):
    the command line is wrong, not the data, so the CLI exits 2 as for any usage error."""


class InfeasibleError(InputError):
    """A plate layout, dilution or schedule that cannot be made from the given input."""


class RunStateError(ElabError):
    """An action the run's current state does not allow (a step done twice, a finished run)."""


class ConflictError(ElabError):
    """Another writer appended the same sequence number first."""


class IntegrityError(ElabError):
    """A hash chain or a signature does not verify."""


class StorageError(ElabError, OSError):
    """The database could not be read or written; nothing of the failed action was saved."""


def did_you_mean(name: str, known: Iterable[str], n: int = 3) -> str:
    """The closest known names, quoted and joined by "or", or "" when nothing is close."""
    matches = difflib.get_close_matches(name, list(dict.fromkeys(known)), n=n, cutoff=0.6)
    return " or ".join(repr(m) for m in matches)
