Feature: LEGO API, serverless migration with SST (seed 003)
  The "lego-api" design is brought up on the target and checked against its success criteria.

  Scenario: Every resource of the template exists
    Given the "lego-api" design is deployed
    Then every resource of the template exists
