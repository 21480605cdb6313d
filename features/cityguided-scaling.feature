Feature: CityGuided scale-to-zero and scale-up from zero (seed 002)
  The seed wants the staging stopped 5 minutes after its last request and answering again in under
  60 seconds. Moto and LocalStack evaluate no alarm and start no task, so the plugin emulates CloudWatch,
  Application Auto Scaling, ECS on Fargate and the load balancer on a virtual clock, with the
  configuration read from the target; every criterion is checked over seeded runs, the slowest decides.

  Scenario: As written, the service still runs a task 5 minutes after the last request
    # An expected failure: design.yaml expected_failures "scaling.scale-to-zero" (within 300 s) gives the
    # reason; the step reports XFAIL with it and the measured breakdown (median 425 s, 401-449 s).
    Given the "cityguided" design is deployed
    When the service receives no requests for 10 minutes
    Then the service runs 0 tasks within 5 minutes of the last request

  Scenario: As written, the service runs no task 7.5 minutes after the last request
    # What the as-written configuration does meet: 5 idle periods + evaluation + draining, 449 s at worst.
    Given the "cityguided" design is deployed
    When the service receives no requests for 10 minutes
    Then the service runs 0 tasks within 7.5 minutes of the last request
    And the scale-to-zero breakdown is reported

  Scenario: As written, a busier service scales out, then to zero as well
    Given the "cityguided" design is deployed
    And a steady traffic of 0.5 requests per second
    When the service receives no requests for 15 minutes
    Then the service runs 0 tasks within 7.5 minutes of the last request

  Scenario: The scale-up from zero is broken down into its stages
    Given the "cityguided" design is deployed
    When requests arrive at 0.1 per second after 30 idle minutes
    Then the first request succeeds within 240 seconds
    And the scale-up breakdown is reported

  Scenario: As written, the first request after idling is not answered within 60 seconds
    # An expected failure: design.yaml expected_failures "scaling.scale-up" gives the reason, the
    # step reports XFAIL with it and the measured breakdown.
    Given the "cityguided" design is deployed
    When requests arrive at 0.1 per second after 30 idle minutes
    Then the first request succeeds within 60 seconds

  Scenario: The corrected variant answers at once during working hours
    Given the "cityguided-corrected" design is deployed
    And the time is Tuesday 10:00 UTC
    When requests arrive at 0.1 per second after 30 idle minutes
    Then the first request succeeds within 60 seconds
    And the scale-up breakdown is reported

  Scenario: The corrected variant runs no task 5 minutes after the last request outside working hours
    Given the "cityguided-corrected" design is deployed
    And the time is Saturday 10:00 UTC
    When the service receives no requests for 10 minutes
    Then the service runs 0 tasks within 5 minutes of the last request
    And the scale-to-zero breakdown is reported

  Scenario: The corrected variant scales a busier service to zero within 5 minutes too
    # Target tracking's 300 s scale-out cooldown: its stale high alarm no longer outbids the scale-in.
    Given the "cityguided-corrected" design is deployed
    And the time is Saturday 10:00 UTC
    And a steady traffic of 0.5 requests per second
    When the service receives no requests for 15 minutes
    Then the service runs 0 tasks within 5 minutes of the last request
