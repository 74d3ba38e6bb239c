Feature: Analysis hooks turn a run's data into the numbers for the paper
  A finished experiment's tidy CSV goes through a named analysis; the answer states its method,
  carries units, agrees with the reference software, and says plainly when the data cannot
  support an answer.

  Scenario: An IC50 that agrees with the R package drc
    Given the data file "drc_ryegrass.csv"
    When I run the "ic50" analysis
    Then the IC50 is 3.058 mM
    And the method names "Four-parameter log-logistic"
    And there are no warnings

  Scenario: Relative expression by the 2^-ΔΔCt method
    Given the data file "livak_separate_tube.csv"
    When I run the "ddct" analysis with reference "GAPDH" and control "brain"
    Then c-myc in kidney is 5.6 fold of brain

  Scenario: A flat curve gives a warning, not a number to trust
    Given a data file with the rows
      """
      dose [uM],response
      0,1.00
      1,1.02
      3,1.00
      10,0.99
      30,1.00
      100,1.01
      0,1.00
      1,0.98
      3,1.01
      10,1.01
      30,0.99
      100,0.99
      """
    When I run the "ic50" analysis
    Then a warning says "not significantly different from a flat line"
    And the IC50 is not reported

  Scenario: A curve that stops at 60 % of vehicle has no absolute IC50
    Given a data file with the rows
      """
      dose [uM],response
      0,100
      0.01,98.1
      0.1,86.7
      1,73.3
      10,61.5
      30,60.7
      0,100
      0.01,98.0
      0.1,86.6
      1,73.4
      10,61.4
      30,60.6
      """
    When I run the "ic50" analysis
    Then the absolute IC50 is not reached ("> 30 uM")
    And a warning says "is not reached at any tested dose"
