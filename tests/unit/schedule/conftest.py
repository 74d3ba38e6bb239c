"""Fixtures of the schedule tests; the shared cases live in ``schedule_cases``."""

from __future__ import annotations

import pytest
from schedule_cases import MONDAY, RESOURCES, transwell

from elab.domain.schedule import LabCalendar, Problem


@pytest.fixture
def calendar() -> LabCalendar:
    return LabCalendar(timezone="Europe/Berlin")


@pytest.fixture
def week(calendar: LabCalendar) -> Problem:
    acts = transwell("tw1") + transwell("tw2") + transwell("tw3")
    return Problem(tuple(acts), RESOURCES, calendar, MONDAY, horizon_days=7)
