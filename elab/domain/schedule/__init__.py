"""Scheduling runs over calendar days and shared equipment: the pure model.

Activities (hands-on or passive steps with duration ranges, equipment demands and lag
windows), the lab calendar, an independent checker, a greedy baseline planner and regimen
expansion.  The CP-SAT planner lives in :mod:`elab.solve.schedule`.
"""

from elab.domain.schedule.calendar import (
    Booking,
    LabCalendar,
    Person,
    RecurringBooking,
    default_calendar,
    load_calendar,
)
from elab.domain.schedule.check import CheckReport, Violation, check_schedule, out_of_hours_min
from elab.domain.schedule.greedy import greedy_schedule
from elab.domain.schedule.model import (
    Activity,
    Assignment,
    Demand,
    Lag,
    Problem,
    Resource,
    Schedule,
)

__all__ = ["Activity", "Assignment", "Booking", "CheckReport", "Demand", "LabCalendar", "Lag",
           "Person", "Problem", "RecurringBooking", "Resource", "Schedule", "Violation",
           "check_schedule", "default_calendar", "greedy_schedule", "load_calendar",
           "out_of_hours_min"]
