Feature: Dashborion, migration from SST to OpenTofu (seed 000)
  The "dashborion" design is brought up on the target and checked against its success criteria.

  Scenario: Every resource of the template exists
    Given the "dashborion" design is deployed
    Then every resource of the template exists
