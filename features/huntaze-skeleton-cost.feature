Feature: Huntaze walking skeleton cost (seed 004, issue 7)
  The seed estimates 45 USD a month (1.50 USD a day) for 1,000 requests a day. Priced per request at the
  catalog's us-east-1 prices, with every request teed to the Prisma candidate, X-Ray on every function,
  AppConfig polled once a minute and the weekly cleanup, the skeleton costs about 1 USD a month: within
  its own estimate by far (see the cost section of its design.yaml for why the seed's figure is so high).

  Scenario: The skeleton stays within the seed's 45 USD estimate
    Given the "huntaze-skeleton" design with its usage profile
    Then the monthly cost is within the design's budget
    And the monthly cost is below 2 USD
    And the monthly cost of "AppConfig" is below 1 USD
    And the monthly cost of "X-Ray" is below 0.50 USD

  Scenario: Even at fifty times the seed's traffic it stays under 45 USD
    Given the "huntaze-skeleton" design with its usage profile
    And a usage of 50,000 requests per day
    Then the monthly cost is below 45 USD
    And the monthly cost of "Lambda" is below 5 USD
    And the breakdown shows "X-Ray"

  Scenario: With the AWS free tier the Lambda requests cost nothing
    Given the "huntaze-skeleton" design with its usage profile
    And the AWS free tier is applied
    Then the monthly cost of "Lambda" is below 0.01 USD
