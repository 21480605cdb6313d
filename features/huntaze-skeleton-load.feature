Feature: Huntaze walking skeleton under real traffic (seed 004)
  The seed's canary ("Lambda weighted alias + CodeDeploy", "rollback auto si error rate > 2%") and its
  shadow traffic ("tee asynchrone Mock -> Prisma, compare & log diff"), exercised with real requests:
  Locust invokes MockReadFn through its live alias (the seed puts no API in front of it), the plugin's
  local runtime runs the Python handlers, the new version fails through fault injection, and the
  emulated CloudWatch and CodeDeploy watch the real invocations on a compressed clock (every virtual
  minute carries the scenario's traffic). The as-written alarm watches the whole function and cannot
  see a 5% canary (the control-plane feature shows why); the corrected variant watches the new version.
  The Prisma candidate reads a local PostgreSQL stand-in (moto's secret points at a host that does not
  exist); 25 requests/s give the canary 150 requests a minute, enough to see a 2% error rate.

  Scenario: Corrected design, a canary failing 5% of its real requests is rolled back
    Given the "huntaze-skeleton-corrected" design is deployed
    And local stand-ins serve "PostgreSQL"
    And the local database "huntaze" is loaded with "data/huntaze-users.sql"
    And a steady traffic of 25 requests per second
    When version 2 is rolled out with "CodeDeployDefault.LambdaCanary10Percent5Minutes" under Locust load while it fails 5% of requests
    Then the deployment is rolled back within 5 minutes

  Scenario: Corrected design, a canary failing 0.5% of its real requests goes through
    Given the "huntaze-skeleton-corrected" design is deployed
    And local stand-ins serve "PostgreSQL"
    And the local database "huntaze" is loaded with "data/huntaze-users.sql"
    And a steady traffic of 25 requests per second
    When version 2 is rolled out with "CodeDeployDefault.LambdaCanary10Percent5Minutes" under Locust load while it fails 0.5% of requests
    Then the deployment succeeds

  Scenario: Shadow traffic tees every request to the Prisma candidate and counts the differences
    Given the "huntaze-skeleton" design is deployed
    And local stand-ins serve "PostgreSQL"
    And the local database "huntaze" is loaded with "data/huntaze-users.sql"
    And the load invokes the function "MockReadFn" through "live"
    When Locust runs "lambda_invoke.py" with 4 users for 8 seconds
    Then fewer than 1% of requests fail
    And every invocation of "MockReadFn" was teed to "PrismaReadFn"
    And "MockReadFn" logged "[SHADOW-DIFF]" for 10% to 45% of its invocations
    And "MockReadFn" logged "[SHADOW-OK]" for 40% to 85% of its invocations
