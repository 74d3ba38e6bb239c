Feature: A plate reader's file becomes tidy data and an answer
  The reader exports a grid or its vendor's format; joined with the plate layout, each well
  gets its condition and dose, the blank wells' mean is subtracted, wells the reader could not
  measure are said, not guessed, and the IC50 follows in one step.

  Scenario: A plain grid export to an IC50
    Given the reader file "grid_mtt.csv" and the layout "grid_mtt_layout.csv"
    When I import the reader file
    Then the format guessed is "grid"
    And the blank of plate 1 is 0.06 OD from 3 wells
    And well F3 at 1 uM has the response 0.5 OD
    And well E4 is flagged "MISSED" with no response
    When I run ic50 on the reader file
    Then the IC50 is 1 uM

  Scenario: A Gen5 export with saturated wells
    Given the reader file "gen5_abs450_ovrflw.txt" and a layout with the rows
      """
      plate,well,condition,dose,replicate,control
      1,A1,medium,,1,blank
      1,A2,medium,,2,blank
      1,A7,10 nM,10 nM,1,
      1,A8,10 nM,10 nM,2,
      """
    When I import the reader file
    Then the format guessed is "agilent-gen5"
    And the blank of plate 1 is 2.115 OD from 2 wells
    And well A7 at 10 nM has the response 0.155 OD
    And well A8 is flagged "OVRFLW" with no response

  Scenario: A qPCR plate too big for 96 wells gets a two-plate proposal
    Given the protocol "qrt-pcr-emt"
    When I plan its qPCR plate on a 96-well plate
    Then it is refused because "120 reactions do not fit one 96-well plate"
    And the proposal puts GAPDH on both plates and every other gene on one
