Feature: CityGuided, migration from EC2 to ECS Fargate (seed 002)
  The "cityguided" design is brought up on the target and checked against its success criteria.

  Scenario: Every resource of the template exists
    Given the "cityguided" design is deployed
    Then every resource of the template exists
