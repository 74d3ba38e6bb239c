"""A science finding: an error or a warning, pointed at the line that causes it.

Findings are not raised: a file reports every mistake at once, and a warning must not stop
a run from loading the protocol.  ``elab validate`` prints them; ``--strict`` fails on
warnings too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from elab.domain.protocol.yamlsource import locate
from elab.errors import Location

__all__ = ["Finding", "Report", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One located message of a science check (``check`` names the check)."""

    severity: Severity
    message: str
    location: Location
    check: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message} [{self.check}]"


@dataclass
class Report:
    """Collects the findings of one check on one protocol file."""

    tree: Mapping[str, Any]
    file: str
    check: str = ""
    findings: list[Finding] = field(default_factory=list)

    def at(self, *path: str | int) -> Location:
        return locate(self.tree, list(path)) or Location(self.file, 1, 1)

    def error(self, message: str, *path: str | int) -> None:
        self.findings.append(Finding("error", message, self.at(*path), self.check))

    def warning(self, message: str, *path: str | int) -> None:
        self.findings.append(Finding("warning", message, self.at(*path), self.check))
