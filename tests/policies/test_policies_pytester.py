"""Policies on a design deployed by the plugin on moto: each fails its bad resource, passes its good one."""

from __future__ import annotations

import textwrap

import pytest

FULL_TAGS = """\
        - {Key: Project, Value: checked}
        - {Key: Env, Value: test}
        - {Key: Owner, Value: platform}
        - {Key: CostCenter, Value: cc-1}"""

TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      Tags:
{FULL_TAGS}
  StaleKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: false
      Tags:
{FULL_TAGS}
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: !Ref Key
      Tags:
{FULL_TAGS}
  GoodQueue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: !Ref Key
      RedrivePolicy: {{deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}}
      Tags:
{FULL_TAGS}
  BadQueue:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
      Tags:
        - {{Key: Project, Value: checked}}
        - {{Key: Env, Value: test}}
  GoodTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{{AttributeName: pk, AttributeType: S}}]
      KeySchema: [{{AttributeName: pk, KeyType: HASH}}]
      PointInTimeRecoverySpecification: {{PointInTimeRecoveryEnabled: true}}
      SSESpecification: {{SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: !GetAtt Key.Arn}}
      Tags:
{FULL_TAGS}
  BadTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{{AttributeName: pk, AttributeType: S}}]
      KeySchema: [{{AttributeName: pk, KeyType: HASH}}]
      Tags:
{FULL_TAGS}
  GoodLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 14
      Tags:
{FULL_TAGS}
  BadLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      Tags:
{FULL_TAGS}
  DlqAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{{Name: QueueName, Value: !GetAtt Dlq.QueueName}}]
      Statistic: Maximum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      Tags:
{FULL_TAGS}
"""

TEST_MODULE = """\
import pytest

from pytest_infra_parity.deploy.declared import from_stack
from pytest_infra_parity.inventory.template import from_declared
from pytest_infra_parity.policies import evaluate

EXPECTED = {
    "IPP_KMS_001": {"pass": {"Key"}, "fail": {"StaleKey"}},
    "IPP_SQS_001": {"pass": {"Dlq", "GoodQueue"}, "fail": {"BadQueue"}},
    "IPP_SQS_002": {"pass": {"GoodQueue"}, "fail": {"BadQueue"}},
    "IPP_SQS_003": {"pass": {"Dlq"}, "fail": set()},
    "IPP_DDB_001": {"pass": {"GoodTable"}, "fail": {"BadTable"}},
    "IPP_DDB_002": {"pass": {"GoodTable"}, "fail": {"BadTable"}},
    "IPP_LOGS_002": {"pass": {"GoodLogs"}, "fail": {"BadLogs"}},
    "IPP_TAG_001": {"pass": {"Key", "StaleKey", "Dlq", "GoodQueue", "GoodTable", "BadTable", "GoodLogs",
                             "BadLogs", "DlqAlarm"}, "fail": {"BadQueue"}},
}


@pytest.fixture(scope="module")
def report(infra_deploy):
    stack = infra_deploy("checked")
    inventory = from_declared(from_stack(stack), source="template", region=stack.region,
                              account=stack.account_id, description=f"stack {stack.name}")
    return evaluate(inventory, policies=sorted(EXPECTED))


def test_each_policy_fails_the_bad_resource_and_passes_the_good_one(report):
    got = {pid: {"pass": set(), "fail": set()} for pid in EXPECTED}
    for found in report.findings:
        assert found.outcome != "unknown", found.message()
        got[found.policy_id][found.outcome].add(found.resource.name)
    assert got == EXPECTED


def test_the_live_inventory_gives_the_same_outcomes(infra_deploy, infra_inventory, infra_policies):
    live = infra_policies(infra_inventory(infra_deploy("checked")), policies=sorted(EXPECTED))
    got = {pid: {"pass": set(), "fail": set()} for pid in EXPECTED}
    for found in live.findings:
        assert found.outcome != "unknown", found.message()
        got[found.policy_id][found.outcome].add(found.resource.name)
    assert got == EXPECTED


def test_the_violations_read_well(report):
    assert report.ok, report.format_table()
"""


def test_policies_on_a_design_deployed_on_moto(pytester: pytest.Pytester) -> None:
    folder = pytester.mkdir("designs").joinpath("checked")
    folder.mkdir()
    folder.joinpath("template.yaml").write_text(TEMPLATE)
    folder.joinpath("design.yaml").write_text(textwrap.dedent("""\
        name: checked
        title: Good and bad resources for the policies
    """))
    pytester.makepyfile(test_checked=TEST_MODULE)
    result = pytester.runpytest_subprocess("--infra-design-path=designs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*policies on stack ipp-checked-*: 7 failed, 0 unknown, 17 passed (10 resources checked)",
        "*key StaleKey (AWS::KMS::Key) * in 123456789012/us-east-1 at *designs/checked/template.yaml:12",
        "*  FAIL    IPP_KMS_001 [[]medium] expected automatic key rotation (EnableKeyRotation), "
        "found rotation disabled",
        "*queue BadQueue (AWS::SQS::Queue) http*BadQueue* at *template.yaml:40",
        "*  FAIL    IPP_SQS_001 [[]high] expected encryption with a customer managed KMS key, "
        "found SQS-managed encryption (SSE-SQS), not a KMS key",
        "*  FAIL    IPP_SQS_002 [[]high] expected a dead-letter queue (RedrivePolicy), found none",
        "*  FAIL    IPP_TAG_001 [[]medium] expected tags Project, Env, Owner, CostCenter, found no Owner, CostCenter",
        "*table BadTable (AWS::DynamoDB::Table) *",
        "*  FAIL    IPP_DDB_001 [[]high] expected encryption with a customer managed KMS key, "
        "found the DynamoDB AWS owned key, not a customer managed key",
        "*  FAIL    IPP_DDB_002 [[]high] expected point-in-time recovery (PointInTimeRecoverySpecification), "
        "found point-in-time recovery disabled",
        "*log group BadLogs (AWS::Logs::LogGroup) *",
        "*  FAIL    IPP_LOGS_002 [[]medium] expected a log retention between 7 and 3653 days (RetentionInDays), "
        "found logs that never expire",
    ])
    out = result.stdout.str()
    assert "GoodQueue (AWS::SQS::Queue)" not in out, "a compliant resource is not listed among the violations"
