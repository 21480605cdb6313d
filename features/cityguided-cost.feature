Feature: CityGuided staging cost with scale-to-zero (seed 002, issue 7)
  The seed's budget is under 25 EUR a month: the ALB about 15-20 EUR, Fargate about 2-4 EUR because the
  service scales to zero. The design is priced where its cost section says (eu-west-3) at the catalog's
  dated prices, with its usage profile (600 requests a day over 2 active hours), and its Fargate tasks for
  the task-hours the scaling emulation measures over a day of that usage. As written it does not fit the
  budget: the ALB's two public IPv4 addresses (billed since February 2024) are missing from the seed's
  estimate.

  Scenario: Fargate is billed for the task-hours the emulation measures, wake-up ramp included
    The as-written wake-up policy adds a task every 30 s while no target is healthy, so each wake-up
    runs 3 tasks for about 14 minutes: the emulation measures 2.6 task-hours a day where 2 active hours
    plus the scale-in tail would be 2.1, and Fargate costs about 4.5 EUR instead of the seed's 2-4 EUR.
    Given the "cityguided" design is deployed
    When the scaling emulation runs a day of the design's usage
    Then the monthly cost of "Fargate" is above 4 EUR
    And the monthly cost of "Fargate" is below 5 EUR
    And the monthly cost of "Elastic Load Balancing" is below 20 EUR
    And the monthly cost exceeds the design's budget

  Scenario: As written the staging exceeds its 25 EUR budget, the ALB's public IPv4 addresses included
    Given the "cityguided" design with its usage profile
    Then the monthly cost exceeds the design's budget
    And the monthly cost is below 32 EUR
    And the breakdown shows "public IPv4"

  Scenario: Without public IPv4 addresses on the load balancer it fits in 25 EUR
    Given the "cityguided" design with its usage profile
    And the load balancer has no public IPv4 address
    Then the monthly cost is below 25 EUR
    And the monthly cost is within the design's budget

  Scenario: Without public IPv4 addresses, with the task-hours the emulation measures, it fits in 25 EUR
    Given the "cityguided" design is deployed
    And the load balancer has no public IPv4 address
    When the scaling emulation runs a day of the design's usage
    Then the monthly cost is below 25 EUR
    And the monthly cost is within the design's budget

  Scenario: A NAT gateway for the tasks' outbound traffic breaks the budget on its own
    Given the "cityguided" design with its usage profile
    And the load balancer has no public IPv4 address
    And a NAT gateway for the tasks' outbound traffic
    Then the monthly cost exceeds the design's budget
    And the breakdown shows "NAT gateway"

  Scenario: Ten times the traffic costs little more with scale-to-zero
    Given the "cityguided" design with its usage profile
    And a usage of 6000 requests per day
    Then the monthly cost of "ALB" is below 20 EUR
    And the monthly cost is above 25 EUR

  Scenario: Priced in us-east-1 the staging is over its budget too
    Given the "cityguided" design with its usage profile
    And the prices of the region "us-east-1"
    Then the monthly cost exceeds the design's budget
    And the monthly cost of "Elastic Load Balancing" is below 16 EUR
    And the breakdown shows "MonthlyCostAlarm"
