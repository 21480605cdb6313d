Feature: Huntaze walking skeleton, canary rollback and flag rollout (seed 004)
  The seed's criterion: "CloudWatch Alarm -> rollback auto si error rate > 2%", with CodeDeploy shifting
  the live alias by Canary10Percent5Minutes, and the prismaAdapter flag rolled out by AppConfig. moto
  evaluates no alarm and runs no deployment: the plugin emulates CloudWatch, CodeDeploy and AppConfig on
  a virtual clock, reading the deployed configuration from the target and writing the outcome back
  (alias weights, alarm states). As written, the alarm watches the whole function and misses a canary
  failing a few percent (an expected failure, with the reason); the corrected variant watches the new
  version: its noise-free threshold is 2%, but at the design's 20 requests/s the per-minute noise decides
  near it, so the scenarios state what holds (rolled back in 95% of seeded runs from 3.3% on, 86% at 3%,
  73% at 2.5%, 47% at 2%) and the traffic at which a 2.5% canary is caught reliably.

  Scenario: Corrected design, a canary failing 5% of its requests is rolled back
    Given the "huntaze-skeleton-corrected" design is deployed
    And a steady traffic of 20 requests per second
    When version 2 is rolled out with "CodeDeployDefault.LambdaCanary10Percent5Minutes" while it fails 5% of requests
    Then the deployment is rolled back within 5 minutes

  Scenario: Corrected design, with the scenario's seed a canary failing 3% of its requests is rolled back
    # Deterministic for the fixed seed (infra_seed 4); over 100 seeded runs a 3% canary is rolled back in
    # 86 (see the next scenarios): this run is one of them, not a guarantee.
    Given the "huntaze-skeleton-corrected" design is deployed
    And a steady traffic of 20 requests per second
    When version 2 is rolled out with "CodeDeployDefault.LambdaCanary10Percent5Minutes" while it fails 3% of requests
    Then the deployment is rolled back within 5 minutes

  Scenario: Corrected design, a canary failing 0.5% of its requests goes through
    Given the "huntaze-skeleton-corrected" design is deployed
    And a steady traffic of 20 requests per second
    When version 2 is rolled out with "CodeDeployDefault.LambdaCanary10Percent5Minutes" while it fails 0.5% of requests
    Then the deployment succeeds

  Scenario: Corrected design, what the 2% criterion means at 20 requests per second
    # The alarm rolls back a canary whose own error rate exceeds 2% in 3 of 5 one-minute periods. At 20
    # requests/s the canary serves about 120 requests a minute, so each minute's rate is noisy (about
    # +-1.4 points at 2.5%): rates just above 2% are missed often, rates just below are rolled back
    # sometimes. Only 3.3% and above is rolled back in 95% of the seeded runs (docs/canary.md).
    Given the "huntaze-skeleton-corrected" design is deployed
    And a steady traffic of 20 requests per second
    Then a canary failing 5% of its requests is detected
    And the smallest detectable canary error rate is between 3% and 3.5%
    And a canary failing 3% of its requests is detected in at least 85% of runs
    And a canary failing 2.5% of its requests is detected in at least 70% of runs
    And a canary failing 2.5% of its requests is detected in at most 75% of runs
    And a canary failing 2% of its requests is detected in at most 50% of runs
    And a canary failing 1.5% of its requests is detected in at most 20% of runs
    And a canary failing 0.5% of its requests is detected in at most 0% of runs

  Scenario: Corrected design, a 2.5% canary is caught reliably at 150 requests per second
    # About 900 canary requests a minute: the per-minute noise (+-0.5 points) no longer hides the
    # 0.5-point excess over the threshold.
    Given the "huntaze-skeleton-corrected" design is deployed
    And a steady traffic of 150 requests per second
    Then a canary failing 2.5% of its requests is detected

  Scenario: As written, a canary failing 5% of its requests goes unnoticed
    Given the "huntaze-skeleton" design is deployed
    And a steady traffic of 20 requests per second
    Then a canary failing 5% of its requests is detected

  Scenario: As written, only a canary failing more than 20% of its requests is rolled back
    Given the "huntaze-skeleton" design is deployed
    And a steady traffic of 20 requests per second
    Then the smallest detectable canary error rate is between 20% and 30%
    When version 2 is rolled out with "Canary10Percent5Minutes" while it fails 40% of requests
    Then the deployment is rolled back within 5 minutes

  Scenario: The design's Canary1Percent5Minutes strategy is a linear rollout to everyone in 5 minutes
    Given the "huntaze-skeleton" design is deployed
    When the flag "prismaAdapter" is rolled out with the strategy "Canary1Percent5Minutes"
    Then 1% of clients see it after 0.05 minutes
    And 20% of clients see it after 1 minute
    And 100% of clients see it after 5 minutes

  Scenario: AppConfig's Canary10Percent20Minutes doubles the share every 4 minutes
    Given the "huntaze-skeleton" design is deployed
    When the flag "prismaAdapter" is rolled out with the strategy "AppConfig.Canary10Percent20Minutes"
    Then 0% of clients see it after 3 minutes
    And 10% of clients see it after 4 minutes
    And 40% of clients see it after 12 minutes
    And 80% of clients see it after 16 minutes
    And 100% of clients see it after 20 minutes
