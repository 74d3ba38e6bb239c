Feature: MTT worked example, from the design to the record
  The MTT protocol's design block is the one source of its numbers: the plate layout, the
  dilution plan, the bench sheet and the step amounts are computed from it, and the reader's
  file of that very plate becomes an IC50 and a run record. Every number below is worked by
  hand in the comment above it.

  Scenario: Defactinib on a 96-well plate, from the design to the IC50 in the record
    Given the protocol "mtt-viability"
    # 6 dose levels x 3 replicates = 18 treated wells; 18 + 3 vehicle + 3 medium-only = 24
    Then the design has 24 wells: 18 treated, 3 vehicle and 3 blank

    When I lay out its plate with seed 7
    # one 96-well plate holds the 24 wells; each dose level is in its 3 replicate wells; the
    # outer ring (12 + 12 + 6 + 6 = 36 wells) is filled with medium (design edge: medium)
    Then the layout has 24 wells on 1 plate, 3 at each of "0.032 uM, 0.16 uM, 0.8 uM, 4 uM, 20 uM, 100 uM"
    And the 36 edge wells hold medium only

    When I plan its dilution series
    # the points are numbered as the plate map codes their wells (the design lists its doses
    # lowest first: code 1 is 0.032 uM, code 6 is 100 uM), so the series starts at point 6:
    # the 100 mM stock itself (used as is); each next point is the one before / 5:
    # 100 / 5 = 20 mM, 20 / 5 = 4 mM, 4 / 5 = 0.8 mM, 0.8 / 5 = 0.16 mM, 0.032 mM
    Then the series points 6 down to 1 are "100 mM, 20 mM, 4 mM, 800 µM, 160 µM, 32 µM"
    # a 1:5 step: 1 uL of the point before + 4 uL of DMSO = 5 uL
    And each point after the first is 1 µL of the one before in 4 µL of DMSO
    # the design's intermediate 1:100: 1 uL + 99 uL medium = 100 uL; 100 mM / 100 = 1 mM,
    # and 100 % DMSO / 100 = 1 % DMSO
    And each working solution is 1 µL of its point in 99 µL of medium, at 1 % DMSO
    # the design's addition onto its working volume: 10 uL + 90 uL = 100 uL, so 1:10:
    # 1 mM / 10 = 100 uM, 200 uM / 10 = 20 uM, 40 / 10 = 4 uM, 8 / 10 = 0.8 uM,
    # 1.6 / 10 = 0.16 uM, 0.32 / 10 = 0.032 uM: the design's six levels
    And each well gets 10 µL onto 90 µL, to the final doses "100 µM, 20 µM, 4 µM, 800 nM, 160 nM, 32 nM"
    # the wells of point 6 are the plate map's code 6 (100 uM), and so down to code 1
    And the wells of each point carry its code on the plate map
    # 1 % DMSO x 10 / 100 = 0.1 %, the design's vehicle.final, in dosed and vehicle wells alike
    And every well holds 0.1 % DMSO, the 3 vehicle wells too

    When I start a run and open the bench sheet of "treat"
    # 18 treated wells x 10 uL x 1.10 (the design's 10 % overage) = 198 uL
    Then the sheet lists "10 µL of the dose series (1:100 in medium) × 18 wells + 10 % overage = 198 µL"
    And the sheet's pipetting table is the dilution plan

    When the plate is read with responses following a logistic with IC50 4 uM
    # blank wells 0.05 OD; vehicle 0.05 + 1 = 1.05 OD; dose d: 0.05 + 1 / (1 + d / 4 uM);
    # at 4 uM: 0.05 + 1 / 2 = 0.55 OD, 0.5 OD once the blank mean (0.05) is subtracted
    And I import the reader file with the layout
    Then the blank is 0.05 OD from 3 wells
    And the 3 wells at 4 uM have the response 0.5 OD
    # at 100 uM: 1 / (1 + 25) = 0.0385 OD above the blank
    And the 3 wells at 100 uM have the response 0.0385 OD

    When I run ic50 on the reader file with the layout
    # as % of the vehicle (1 OD above blank): 100 / (1 + d / 4 uM), half at d = 4 uM
    Then the IC50 is 4 uM
    # the 36 edge wells are in the layout as control kind "edge": expected, left out quietly
    And the IC50 has no warning about the edge wells

    When I attach the layout and the reader file to the run and finish it
    Then the record says "IC50 all (relative): 4 µM"

  Scenario: The layout was not kept: the finish says what the IC50 needs, and it runs later
    Given the protocol "mtt-viability"
    When I lay out its plate with seed 7
    And the plate is read with responses following a logistic with IC50 4 uM
    And I start a run, attach only the reader file and finish it
    # a reader export says which well read what, not which dose a well held
    Then the finish says "ic50 needs the plate layout"
    And the finish says "elab runs analyze"
    When I attach the layout to the finished run and run its analyses again
    Then the record says "IC50 all (relative): 4 µM"
    And the record says "Run again after completion"
