Feature: Protocols a scientist can trust
  A protocol file is checked before anyone follows it at the bench:
  every quantity has the right kind of unit, and mistakes are shown at their place in the file.

  Scenario: Validating a protocol from the library
    Given the protocol file "base-assay.yaml"
    When I validate it
    Then it is valid

  Scenario: A volume written as a mass is caught at its place
    Given a protocol file with the step
      """
      - id: add-medium
        title: Add medium to the lower chamber
        uses:
          - {material: medium, volume: 600 ug}
      """
    When I validate it
    Then I see the error "protocol.yaml:11:36: '600 ug' is not a volume (a mass)"

  Scenario: Seeing the time a protocol needs
    Given the protocol file "timing.yaml"
    When I ask how long it takes
    Then the shortest run takes "14 h 5 min"
    And the hands-on time is "45 min"
    And the critical path is "seed → attach → treat → wash → pcr"

  Scenario: Too much DMSO in the wells is caught with the arithmetic
    Given the library protocol "mtt-viability" with "intermediate: \"1:100\"" removed
    When I review its science
    Then I see a "vehicle" error saying "= 10 % v/v per well; the design says 0.1 % v/v"

  Scenario: Two markers on one detector are caught
    Given the library protocol "flow-cytometry-til" with "fluorochrome: BV421" changed to "fluorochrome: Alexa Fluor 647"
    When I review its science
    Then I see a "spectra" error saying "are both collected in R670/30"

  Scenario: The whole library passes the strict review
    Given every library protocol
    When I review its science
    Then there is nothing to report
