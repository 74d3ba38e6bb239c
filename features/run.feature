Feature: Following a run from the command line
  A scientist follows the western blot step by step from the shell; the run remembers
  everything, turns an out-of-range value into a deviation, and picks up where it was
  when the terminal is closed and opened again.

  Background:
    Given a fresh lab database
    And I started a run of "western-blot-emt"

  Scenario: Following the western blot
    When I mark "treat" done
    And I start the timer of "exposure"
    And 48 hours pass
    And I mark "exposure" done
    Then step "exposure" is done
    And step "wash-pbs" is current
    And the run has no deviations

  Scenario: A protein concentration out of range becomes a deviation
    When I record "protein_conc=14 mg/mL" at "bca"
    Then the run has a deviation at "bca" saying "protein_conc 14 mg/mL is outside 0.5–10 mg/mL"

  Scenario: Resuming after the terminal was closed
    When I mark "treat" done
    And I start the timer of "exposure"
    And 20 hours pass
    And I close the terminal and open a new one
    Then step "exposure" is current
    And the timer of "exposure" has 28 hours left

  Scenario: A measured value is corrected, never averaged with a second reading
    When I record "confluency=70" at "treat"
    Then recording "confluency=80" at "treat" again is refused with "already has its reading (70%, event #2)"
    When I correct the "confluency" reading to "75" because "counted the wrong flask"
    Then "treat" shows "confluency" as "75%"
    When I record another reading "confluency=77" at "treat"
    Then "treat" shows "confluency" as "75, 77% (mean 76, SD 1.414, n = 2)"
