"""The other policies on a design deployed on moto: buckets, topics, log groups, functions, HTTP APIs.

Companion of ``test_policies_pytester.py`` (which covers keys, queues, tables, log retention and
tags): together every registered policy fails its deliberately bad resource and passes its good one,
on the declared template and on the live inventory read back from the target.
"""

from __future__ import annotations

import textwrap

import pytest

from pytest_infra_parity.policies import all_policies

TAGS_LIST = """\
        - {Key: Project, Value: checked}
        - {Key: Env, Value: test}"""

CODE = "def handler(event, context):\\n    return 1\\n"

TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  GoodBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {{SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt Key.Arn}}
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  GoodBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref GoodBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt GoodBucket.Arn, !Sub "${{GoodBucket.Arn}}/*"]
            Condition: {{Bool: {{"aws:SecureTransport": "false"}}}}
  BadBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {{SSEAlgorithm: AES256}}
  GoodTopic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: !Ref Key
  BadTopic:
    Type: AWS::SNS::Topic
  GoodLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 14
      KmsKeyId: !GetAtt Key.Arn
  BadLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 14
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: "sts:AssumeRole"}}
  GoodFn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {{ZipFile: "{CODE}"}}
      TracingConfig: {{Mode: Active}}
  BadFn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {{ZipFile: "{CODE}"}}
      TracingConfig: {{Mode: PassThrough}}
  GoodFnErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions: [{{Name: FunctionName, Value: !Ref GoodFn}}]
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
  GoodApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: good-api
      ProtocolType: HTTP
  BadApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: bad-api
      ProtocolType: HTTP
  GoodApi5xx:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/ApiGateway
      MetricName: 5xx
      Dimensions: [{{Name: ApiId, Value: !Ref GoodApi}}]
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
  UnwatchedDlq:
    Type: AWS::SQS::Queue
  Source:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {{deadLetterTargetArn: !GetAtt UnwatchedDlq.Arn, maxReceiveCount: 3}}
"""

EXPECTED = {
    "IPP_S3_001": {"pass": {"GoodBucket"}, "fail": {"BadBucket"}},
    "IPP_S3_002": {"pass": {"GoodBucket"}, "fail": {"BadBucket"}},
    "IPP_S3_003": {"pass": {"GoodBucket"}, "fail": {"BadBucket"}},
    "IPP_SNS_001": {"pass": {"GoodTopic"}, "fail": {"BadTopic"}},
    "IPP_LOGS_001": {"pass": {"GoodLogs"}, "fail": {"BadLogs"}},
    "IPP_LAMBDA_001": {"pass": {"GoodFn"}, "fail": {"BadFn"}},
    "IPP_LAMBDA_002": {"pass": {"GoodFn"}, "fail": {"BadFn"}},
    "IPP_APIGW_001": {"pass": {"GoodApi"}, "fail": {"BadApi"}},
    "IPP_SQS_003": {"pass": set(), "fail": {"UnwatchedDlq"}},
}

TEST_MODULE = f"""\
from pytest_infra_parity.deploy.declared import from_stack
from pytest_infra_parity.inventory.template import from_declared

EXPECTED = {EXPECTED!r}


def outcomes(report):
    got = {{pid: {{"pass": set(), "fail": set()}} for pid in EXPECTED}}
    for found in report.findings:
        assert found.outcome != "unknown", found.message()
        got[found.policy_id][found.outcome].add(found.resource.name)
    return got


def test_declared(infra_deploy, infra_policies):
    stack = infra_deploy("checked_more")
    declared = from_declared(from_stack(stack), source="template", region=stack.region, account=stack.account_id)
    assert outcomes(infra_policies(declared, policies=sorted(EXPECTED))) == EXPECTED


def test_live(infra_deploy, infra_inventory, infra_policies):
    live = infra_inventory(infra_deploy("checked_more"))
    assert outcomes(infra_policies(live, policies=sorted(EXPECTED))) == EXPECTED
"""


def test_every_policy_is_exercised_by_a_deployed_design() -> None:
    from tests.policies.test_policies_pytester import TEST_MODULE as FIRST

    covered = set(EXPECTED) | {pid for pid in (p.policy_id for p in all_policies()) if f'"{pid}"' in FIRST}
    assert covered == {p.policy_id for p in all_policies()}


def test_more_policies_on_a_design_deployed_on_moto(pytester: pytest.Pytester) -> None:
    folder = pytester.mkdir("designs").joinpath("checked_more")
    folder.mkdir()
    folder.joinpath("template.yaml").write_text(TEMPLATE)
    folder.joinpath("design.yaml").write_text(textwrap.dedent("""\
        name: checked_more
        title: Good and bad resources for the remaining policies
    """))
    pytester.makepyfile(test_checked_more=TEST_MODULE)
    result = pytester.runpytest_subprocess("--infra-design-path=designs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
