Feature: Planning the lab week
  A scientist lays this week's experiments over the calendar: hands-on work inside working
  hours, incubations within the ranges their protocols allow, no instrument booked twice,
  the core facility's bookings respected, and the plan in the lab's calendar program.

  Background:
    Given a lab open Monday to Friday 09:00-17:00 in Europe/Berlin
    And the hood is booked on Tuesday 1 December 2026 from 09:00 to 12:00 for cleaning

  Scenario: Two western blots, a transwell assay and an MTT plate in one week
    When I plan "western-blot-emt", "western-blot-emt", "transwell-migration" and "mtt-viability" from Monday 30 November 2026
    Then every hands-on step falls between 09:00 and 17:00 on a weekday
    And no piece of equipment holds more than it can at any moment
    And nothing uses the hood while it is booked for cleaning
    And each primary antibody of a western blot incubates overnight, 12 to 18 hours
    And the transwell cells migrate for 16 to 24 hours
    And the plan has no out-of-hours hands-on work

  Scenario: One person does one thing at a time
    When I plan "western-blot-pfak", "mtt-viability" and "transwell-migration" from Monday 7 December 2026
    Then every hands-on step is done by the operator
    And the operator never does two hands-on steps at once

  Scenario: The plan goes into the lab calendar
    When I export the plan of "transwell-migration" from Monday 30 November 2026 to a calendar file
    Then the calendar file has an event for every hands-on step, in Europe/Berlin time
    And the incubator booking rings an alarm when the incubation ends

  Scenario: A run fixed in the past is refused
    When I plan "transwell-migration@2020-01-06T09:00" from Monday 30 November 2026
    Then the planner refuses in one sentence saying "in the past"
