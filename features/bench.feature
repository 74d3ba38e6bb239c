Feature: Following the transwell assay at the bench
  A scientist follows the transwell migration assay in the terminal, with the
  pre-treatment and the rehydration timing at the same time.

  Scenario: Two timers at once
    Given a transwell run open on the bench screen
    When I start the timer of "pretreat"
    And I start the timer of "rehydrate"
    Then the screen shows 2 running timers
    When 70 minutes pass
    Then the screen says the timer of "rehydrate" is done
    When I mark "rehydrate" done
    Then step "rehydrate" is done
    And step "pretreat" still has its timer running
