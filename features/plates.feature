Feature: Plates from the design
  The design says how the plates are laid out, so the plate map, the bench sheet and the
  analysis agree on which well is which.

  Scenario: The p-FAK time course, each time point on its own plates with its own vehicle
    Given the protocol "western-blot-pfak"
    When I lay out its plates with seed 3
    Then there are 9 plates of 6 wells
    And every plate holds one time point: its four doses and its own DMSO well
    And the layout CSV gives every DMSO row its time point

  Scenario: A blocked MTT plate for a multichannel pipette
    Given the protocol "mtt-viability"
    When I lay out its plates in the blocked style
    Then rows B, C and D read 0.032 µM, 0.16 µM, 0.8 µM, 4 µM, 20 µM, 100 µM, vehicle, medium only from column 2
    And the outer ring is filled with medium
