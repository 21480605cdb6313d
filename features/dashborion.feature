Feature: Dashborion, SST v3 to OpenTofu migration target (seed 000)
  The "dashborion" design is brought up on the target and checked against its success criteria:
  Project and Env tags everywhere, a private frontend bucket, a versioned and encrypted OpenTofu
  state bucket that blocks public access, and an API and tables equal before and after.

  Scenario: Every resource of the template exists
    Given the "dashborion" design is deployed
    Then every resource of the template exists

  Scenario: Every taggable resource carries the Project and Env tags
    Given the "dashborion" design is deployed
    Then every resource is tagged with "Project, Env"

  Scenario: The buckets block public access
    Given the "dashborion" design is deployed
    Then the compliance policies "IPP_S3_003" pass

  Scenario: The live resources match the template
    Given the "dashborion" design is deployed
    Then the live resources match the template

  Scenario: The deployment is at parity with its template on every aspect
    Given the "dashborion" design is deployed
    When it is compared with the "dashborion" design
    Then they are at parity on types, tags, encryption and observability

  Scenario: The API and tables are the same before and after
    Given the "dashborion" design is deployed
    When a snapshot of it is saved as "dashborion-before.json"
    And it is compared with the snapshot "dashborion-before.json"
    Then they are at parity on types, tags, encryption and observability
