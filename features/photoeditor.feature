Feature: PhotoEditor, SST parity with Terraform modules (seed 001)
  The "photoeditor" design is brought up on the target and checked against its success criteria:
  mandatory tags, customer managed KMS keys, DLQs, PITR, alarms, and parity between the SST-style
  template, the Terraform modules of the design (designs/photoeditor/terraform) and what is live.

  Scenario: Every resource of the template exists
    Given the "photoeditor" design is deployed
    Then every resource of the template exists

  Scenario: Every taggable resource carries the mandatory tags
    Given the "photoeditor" design is deployed
    Then every resource is tagged with "Project, Env, Owner, CostCenter"

  Scenario Outline: Data at rest is encrypted with the customer managed key
    Given the "photoeditor" design is deployed
    Then every <kind> is encrypted with a customer managed KMS key

    Examples:
      | kind      |
      | bucket    |
      | table     |
      | queue     |
      | topic     |
      | log group |

  Scenario: Queues have a dead-letter queue and tables can be restored to a point in time
    Given the "photoeditor" design is deployed
    Then every queue has a dead-letter queue
    And every table has point-in-time recovery enabled

  Scenario: Lambda errors, API 5xx and DLQ inflow raise alarms
    Given the "photoeditor" design is deployed
    Then every function has an alarm on "Errors"
    And every HTTP API has an alarm on "5xx"
    And every dead-letter queue has an alarm on "ApproximateNumberOfMessagesVisible"

  Scenario: Resources selected by their tags are compliant
    Given the "photoeditor" design is deployed
    And the resources tagged "Project=photoeditor,Env=dev"
    Then every resource is tagged with "Project, Env, Owner, CostCenter"
    And every queue has a dead-letter queue

  Scenario: The live resources match the template
    Given the "photoeditor" design is deployed
    Then the live resources match the template

  Scenario: The SST-style template and the Terraform modules are at parity
    Given the template of the "photoeditor" design
    When it is compared with the Terraform configuration in "terraform"
    Then they are at parity on types, tags, encryption and observability

  Scenario: The live deployment is at parity with the Terraform modules
    Given the "photoeditor" design is deployed
    When it is compared with the Terraform configuration in "terraform"
    Then they are at parity on types, tags, encryption and observability

  Scenario: A Terraform change that drops a mandatory tag is reported
    Given the template of the "photoeditor" design
    When it is compared with the Terraform configuration in "terraform" with cost_center=
    Then they differ on tags
    And the parity report shows a difference in tags of "photoeditor-dev-jobs"

  Scenario: Nothing changes between two reads of the deployment
    Given the "photoeditor" design is deployed
    When a snapshot of it is saved as "photoeditor-before.json"
    And it is compared with the snapshot "photoeditor-before.json"
    Then they are at parity on types, tags, encryption and observability
