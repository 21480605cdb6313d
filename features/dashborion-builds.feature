Feature: Dashborion builds safely in parallel and a crash leaves nothing locked (seed 000)
  SST v3 built the Python Lambdas in parallel and crashed with "fatal error: concurrent map writes",
  leaving the state locked until someone ran `sst unlock`. The migration's acceptance criteria: the
  build is safe in parallel and reproducible, and a crashed deployment leaves no lock and no resource.

  Scenario: The Lambda build is safe in parallel and reproducible
    Given the Lambda functions in "dashborion:handlers"
    When the functions are built 10 times with 4 builds in parallel using "scripts/build.sh {function} {src} {out}"
    Then every build succeeds
    And every build of a function produces identical bytes
    And no lock or temporary file is left behind

  Scenario: A deployment killed mid-way leaves no lock and no resource after the next run's cleanup
    Given a deployment of the "dashborion" design
    When the deployment is killed mid-way
    Then no state lock is left behind
    And no resource is left behind after cleanup

  Scenario: Stale Terraform, OpenTofu and SST locks are found with who and when, then released
    Given a Terraform state lock on "dashborion-tfstate/dashborion/dev/terraform.tfstate" in the table "dashborion-tflock" taken 2 hours ago by "ci@runner-7"
    And an OpenTofu lock file on "dashborion-tfstate-native/dashborion/dev/terraform.tfstate" taken 3 hours ago by "dev@laptop"
    And an SST lock for the app "dashborion" stage "dev" taken 1 hour ago
    Then the state locks held longer than 30 minutes are reported with who and when
    When the state locks held longer than 30 minutes are released
    Then no state lock is left behind
