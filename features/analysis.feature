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
    When I run the "ddct" analysis with reference "GAPDH", control "brain" and max_ref_shift 1
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

  Scenario: A reference gene that moves with the treatment gives no fold change
    Given a data file with the rows
      """
      sample,condition,target,ct
      c1,ctrl,GAPDH,20.0
      c1,ctrl,ZEB1,27.0
      c2,ctrl,GAPDH,20.1
      c2,ctrl,ZEB1,27.1
      d1,drug,GAPDH,22.0
      d1,drug,ZEB1,27.0
      d2,drug,GAPDH,22.1
      d2,drug,ZEB1,27.1
      NTC,ctrl,ZEB1,33.5
      """
    When I run the "ddct" analysis with reference "GAPDH" and control "ctrl"
    Then ZEB1 in drug has no fold change because "unstable reference gene GAPDH"
    And a warning says "reference GAPDH: mean Ct shifts by 2.00 cycles"
    And a warning says "NTC ctrl / NTC / ZEB1: amplifies at Ct 33.50"

  Scenario: A wound that has closed is not timed over its plateau
    Given a data file with the rows
      """
      well,condition,time [h],area [um^2]
      A1,ctrl,0,1000000
      A1,ctrl,6,500000
      A1,ctrl,12,0
      A1,ctrl,24,0
      A1,ctrl,48,0
      """
    When I run the "wound-closure" analysis
    Then well A1 closes at 83333 um^2/h over the times 0, 6, 12 h

  Scenario: Undetermined Cts are censored, not left out
    Given a data file with the rows
      """
      sample,condition,target,ct
      c1,ctrl,GAPDH,20.0
      c1,ctrl,ZEB1,27.0
      c2,ctrl,GAPDH,20.1
      c2,ctrl,ZEB1,27.3
      d1,drug,GAPDH,20.0
      d1,drug,ZEB1,Undetermined
      d2,drug,GAPDH,20.1
      d2,drug,ZEB1,38.5
      """
    When I run the "ddct" analysis with reference "GAPDH" and control "ctrl"
    Then ZEB1 in drug has no fold change because "ZEB1 undetermined in 1 well(s) of drug (d1)"
