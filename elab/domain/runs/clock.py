"""Time comes from a clock that is passed in, so tests never sleep to wait for a timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock", "iso", "parse_iso"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware in UTC."""
        ...


class SystemClock:
    """The system clock in UTC: time stamps never come from the user."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def iso(moment: datetime) -> str:
    """UTC time stamp as stored in events: ``2026-11-23T09:00:00.000000Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    # fromisoformat is C code and reads the trailing Z (Python 3.11): folds of long runs
    # parse every event's time stamp.
    return datetime.fromisoformat(text)
