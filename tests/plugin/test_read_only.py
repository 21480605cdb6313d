"""Against a shared account (the aws target) a run is read-only unless --infra-allow-destructive is given.

moto's server stands in for the account (``aws_on_moto``); the stack the nightly run reads is created
beforehand with CloudFormation, as a team's own pipeline would have deployed it.
"""

from __future__ import annotations

import boto3
import pytest

TEMPLATE = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: ipp-readonly-queue
      Tags: [{Key: Project, Value: demo}]
"""

FEATURE = """
Feature: Nightly staging
  Scenario: The staging stack is tagged
    Given the deployed stack "ipp-staging"
    Then every resource is tagged with "Project"

  Scenario: A design is deployed
    Given the "demo" design is deployed
    Then every resource of the template exists

  Scenario: A stale lock is released
    Given an SST lock for the app "shop" stage "dev" taken 1 hour ago
    When the state locks held longer than 30 minutes are released
    Then no state lock is left behind
"""

ACCOUNT = "--infra-allowed-account=123456789012"


@pytest.fixture
def staging(aws_on_moto: str, pytester: pytest.Pytester) -> pytest.Pytester:
    cfn = boto3.client("cloudformation", endpoint_url=aws_on_moto, region_name="eu-west-3")
    cfn.create_stack(StackName="ipp-staging", TemplateBody=TEMPLATE)
    design = pytester.path / "designs" / "demo"
    design.mkdir(parents=True)
    (design / "template.yaml").write_text(TEMPLATE.replace("ipp-readonly-queue", "ipp-readonly-demo"))
    pytester.makeini("[pytest]\ninfra_design_path = designs\n")
    pytester.makefile(".feature", staging=FEATURE)
    yield pytester
    for stack in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]:
        cfn.delete_stack(StackName=stack["StackName"])


def test_read_only_by_default_checks_the_live_stack_and_skips_deploying(staging: pytest.Pytester) -> None:
    result = staging.runpytest_subprocess("--infra-target=aws", ACCOUNT, "-rs", "-p", "no:xdist")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines_random([
        "*infra-parity: read-only: deployments and chaos are skipped (--infra-allow-destructive allows them)*",
        "*SKIPPED*read-only run on target aws: deploying the design demo needs --infra-allow-destructive*",
        "*SKIPPED*read-only run on target aws: writing a state lock needs --infra-allow-destructive*",
    ])
    cfn = boto3.client("cloudformation", region_name="eu-west-3")
    names = {s["StackName"] for s in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]}
    assert names == {"ipp-staging"}  # nothing was deployed
    buckets = {b["Name"] for b in boto3.client("s3", region_name="eu-west-3").list_buckets()["Buckets"]}
    assert not [b for b in buckets if "sst" in b]  # no SST state bucket, no lock written


def test_allow_destructive_deploys(staging: pytest.Pytester) -> None:
    result = staging.runpytest_subprocess("--infra-target=aws", ACCOUNT, "--infra-allow-destructive",
                                          "-p", "no:xdist")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*infra-parity: destructive steps allowed (--infra-allow-destructive)*"])


def test_the_ini_key_allows_it_too(staging: pytest.Pytester) -> None:
    staging.makeini("[pytest]\ninfra_design_path = designs\ninfra_allow_destructive = true\n")
    result = staging.runpytest_subprocess("--infra-target=aws", ACCOUNT, "-p", "no:xdist")
    result.assert_outcomes(passed=3)
