Feature: LEGO API under real traffic (seed 003)
  The seed's load tests ("concurrent request handling, cold start mitigation, connection pool
  saturation") and its fallback ("graceful degradation when Redis unavailable"), with real requests:
  Locust calls the HTTP API served by the plugin's local gateway (routes, JWT authorizer with the
  design's Cognito issuer and audience, payload format 2.0), the local runtime runs the Python handlers
  with their reserved concurrency, and local stand-ins replace the PostgreSQL proxy and the Redis node
  that moto only records. OpenSearch has no stand-in: it is made unavailable, so searches take the
  seed's PostgreSQL fallback.

  Background:
    Given the "lego-api" design is deployed
    And local stand-ins serve "PostgreSQL" and "Redis"
    And "OpenSearch" is unavailable

  Scenario: The health function's reserved concurrency of 2 throttles concurrent warm-up calls
    When Locust runs "lego_api.py" with 12 users for 4 seconds
    Then the API answered 503 to at least 1% of requests
    And the target's CloudWatch has at least 1 "Throttles" for the function "HealthFunction"
    And the target's CloudWatch has at least 10 "Invocations" for the function "WishlistFunction"

  Scenario: Authenticated wishlist reads and writes stay within their budgets
    When Locust runs "lego_api.py" with 4 users for 4 seconds
    Then fewer than 5% of requests fail
    And the p95 latency is below 2000 ms
    And at least 20 requests per second are served

  Scenario: Redis down means graceful degradation, not failures
    When "Redis" is unavailable
    And Locust runs "lego_api.py" with 4 users for 4 seconds
    Then fewer than 5% of requests fail
