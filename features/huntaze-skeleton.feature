Feature: Huntaze walking skeleton, Lambda canary with CodeDeploy (seed 004)
  The "huntaze-skeleton" design is brought up on the target and checked against its success criteria.

  Scenario: Every resource of the template exists
    Given the "huntaze-skeleton" design is deployed
    Then every resource of the template exists
