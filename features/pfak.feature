Feature: p-FAK worked example
  A postdoc blots p-FAK (Tyr397) against total FAK after defactinib. The BCA readings of the
  lysates give each lane's loading volume, the antibody dilutions give the volume to pipette
  for the membranes, the band intensities give the densitometry, and the record shows the
  same numbers the bench saw. Every number below is worked out by hand in the comments.

  Background:
    Given a fresh lab database
    And I started a run of "western-blot-pfak" with 20 ug of protein per lane

  Scenario: Loading volumes wait for the BCA readings
    Then the "denature" step shows "loading_volume = protein_per_lane / protein_conc (with protein_per_lane = 20 µg): needs protein_conc"
    And the "denature" step shows "water_volume = sample_volume - loading_volume (with sample_volume = 24 µL): needs protein_conc"

  Scenario: BCA readings give each lysate its loading volume
    # The 45 lysates are named as the plate layout names their wells: condition and
    # replicate, in bench order (the 3 h plates first, one plate after the other: 0.1, 1, 10,
    # 100 nM and DMSO of replicate 1, then replicate 2...). Readings typed without a name
    # take the lysates in that order.
    # loading = 20 µg / concentration; water = 24 µL sample volume - loading
    #   2.0 mg/mL -> 20 / 2.0 = 10 µL,   water 24 - 10   = 14 µL
    #   1.6 mg/mL -> 20 / 1.6 = 12.5 µL, water 24 - 12.5 = 11.5 µL
    #   2.5 mg/mL -> 20 / 2.5 = 8 µL,    water 24 - 8    = 16 µL
    #   0.8 mg/mL -> 20 / 0.8 = 25 µL,   water 24 - 25   = -1 µL: too dilute, flagged
    When the BCA step records "protein_conc=2;1.6;2.5;0.8 mg/mL"
    Then the loading volumes of the lysates are 10, 12.5, 8, 25 µL
    And the water volumes of the lysates are 14, 11.5, 16, -1 µL
    And lysate "100 nM / 3 h #1" is flagged outside 0–24 µL
    And the "denature" step shows "lysate 0.1 nM / 3 h #1: protein_conc 2 mg/mL → loading_volume 10 µL, water_volume 14 µL"
    And the "denature" step shows "lysate 100 nM / 3 h #1: protein_conc 0.8 mg/mL → loading_volume 25 µL (outside), water_volume -1 µL (outside)"
    And the "denature" step shows "needs protein_conc for 41 more lysates"

  Scenario: Readings typed out of order stay with their own lysates
    # The 1 nM tube is read before the 0.1 nM tube: each reading names its lysate, so the
    # 1 nM lane gets 20 / 1.6 = 12.5 µL and the 0.1 nM lane 20 / 2.0 = 10 µL, whatever the
    # order they were typed in.
    When the BCA step records "protein_conc=1 nM / 3 h #1: 1.6 mg/mL"
    And the BCA step records "protein_conc=0.1 nM / 3 h #1: 2 mg/mL"
    Then lysate "0.1 nM / 3 h #1" loads 10 µL with 14 µL of water
    And lysate "1 nM / 3 h #1" loads 12.5 µL with 11.5 µL of water
    And lysate "10 nM / 3 h #1" has no loading volume because "no protein_conc reading"
    And the "bca" step shows "2 of 45 lysates: 0.1 nM / 3 h #1 = 2 mg/mL, 1 nM / 3 h #1 = 1.6 mg/mL; next: 10 nM / 3 h #1"

  Scenario: A missing lysate leaves a gap, not a shift
    # The 10 nM lysate of replicate 1 has no reading yet; the next reading without a name
    # goes to it, and correcting the 0.1 nM reading corrects that lysate alone.
    When the BCA step records "protein_conc=0.1 nM / 3 h #1: 2 mg/mL; 1 nM / 3 h #1: 1.6 mg/mL; 100 nM / 3 h #1: 2.5 mg/mL"
    Then lysate "10 nM / 3 h #1" has no loading volume because "no protein_conc reading"
    And lysate "100 nM / 3 h #1" loads 8 µL with 16 µL of water
    When the BCA step records "protein_conc=4 mg/mL"
    Then lysate "10 nM / 3 h #1" loads 5 µL with 19 µL of water
    When the reading of lysate "0.1 nM / 3 h #1" is corrected to "2.5 mg/mL"
    Then lysate "0.1 nM / 3 h #1" loads 8 µL with 16 µL of water
    And lysate "1 nM / 3 h #1" loads 12.5 µL with 11.5 µL of water

  Scenario: A reading for a lysate the design does not have is refused
    When the BCA step records "protein_conc=DMSO / 3 h #4: 2 mg/mL"
    Then it is refused with "unknown lysate 'DMSO / 3 h #4' (did you mean"
    And no protein_conc reading is recorded

  Scenario: Antibody volumes at their incubation steps
    # 10 mL per membrane at 1:1000 = 10 mL / 1000 = 10 µL; 4 membranes (4 gels, a ladder lane
    # on each) = 40 µL
    # secondary at 1:5000: 10 mL / 5000 = 2 µL per membrane; 4 membranes = 8 µL
    Then the "primary-pfak" step shows "rabbit anti-p-FAK (Tyr397) 1:1000: 10 µL per membrane in 10 mL 5 % BSA in TBST × 4 membranes = 40 µL"
    And the "primary-fak" step shows "rabbit anti-total FAK 1:1000: 10 µL per membrane"
    And the "secondary-1" step shows "HRP-conjugated anti-rabbit IgG 1:5000: 2 µL per membrane in 10 mL TBST × 4 membranes = 8 µL"

  Scenario: From the BCA to the record, one set of numbers
    When the BCA step records "protein_conc=2;1.6;2.5;0.8 mg/mL"
    And I attach the band intensities as "bands"
      """
      lane,condition,time,target,intensity
      1,DMSO,24 h,p-FAK,7600
      1,DMSO,24 h,total FAK,9500
      2,DMSO,24 h,p-FAK,8800
      2,DMSO,24 h,total FAK,11000
      3,10 nM,24 h,p-FAK,2000
      3,10 nM,24 h,total FAK,10000
      4,10 nM,24 h,p-FAK,4000
      4,10 nM,24 h,total FAK,10000
      """
    And I finish the run incomplete because "worked example: four lysates"
    # p-FAK / total FAK per lane: 7600/9500 = 0.8, 8800/11000 = 0.8, 2000/10000 = 0.2,
    # 4000/10000 = 0.4; the 24 h DMSO mean is 0.8 (each time point against its own vehicle),
    # so 10 nM at 24 h relative = (0.2/0.8 + 0.4/0.8) / 2 = 0.375
    Then the densitometry gives p-FAK in "10 nM" at 24 h at 0.375 of "DMSO"
    And the record shows "protein_conc, lysate 100 nM / 3 h #1 | 0.8 mg/mL"
    And the record shows "lysate 10 nM / 3 h #1: protein_conc 2.5 mg/mL → loading_volume 8 µL, water_volume 16 µL"
    And the record shows "lysate DMSO / 3 h #1: loading_volume none, water_volume none (no protein_conc reading)"
    And the record shows "10 µL per membrane"
    And the record shows "p-FAK in 10 nM (time 24 h): 0.375 × DMSO"
