"""Declared resources mapped onto the model: kinds, tags, encryption, settings, observability."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.inventory.model import UNKNOWN, Encryption, Inventory, Resource
from pytest_infra_parity.inventory.template import Declared, from_declared

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def one(cfn_type: str, properties: dict[str, Any], **extra: Any) -> Resource:
    inventory = from_declared([Declared("Thing", cfn_type, properties, **extra)], source="template",
                              region="us-east-1", account="123456789012")
    return inventory.resources[0]


def s3(algorithm: str, key: str | None = None) -> dict[str, Any]:
    default: dict[str, Any] = {"SSEAlgorithm": algorithm}
    if key is not None:
        default["KMSMasterKeyID"] = key
    return {"BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": default}]}}


@pytest.mark.parametrize(("cfn_type", "properties", "expected"), [
    ("AWS::S3::Bucket", s3("aws:kms", KEY_ARN), Encryption("customer-managed", KEY_ARN)),
    ("AWS::S3::Bucket", s3("aws:kms"), Encryption("aws-managed")),
    ("AWS::S3::Bucket", s3("aws:kms", "alias/aws/s3"), Encryption("aws-managed", "alias/aws/s3")),
    ("AWS::S3::Bucket", s3("AES256"), Encryption("service-managed")),
    ("AWS::S3::Bucket", {}, Encryption("service-managed")),
    ("AWS::S3::Bucket", s3("aws:kms", UNKNOWN), Encryption("customer-managed")),  # a key of the same deployment
    ("AWS::SQS::Queue", {"KmsMasterKeyId": "alias/aws/sqs"}, Encryption("aws-managed", "alias/aws/sqs")),
    ("AWS::SQS::Queue", {"KmsMasterKeyId": KEY_ARN}, Encryption("customer-managed", KEY_ARN)),
    ("AWS::SQS::Queue", {"SqsManagedSseEnabled": True}, Encryption("service-managed")),
    ("AWS::SQS::Queue", {}, Encryption("service-managed")),
    ("AWS::SQS::Queue", {"SqsManagedSseEnabled": "false"}, Encryption("none")),
    ("AWS::DynamoDB::Table", {"SSESpecification": {"SSEEnabled": True, "KMSMasterKeyId": KEY_ARN}},
     Encryption("customer-managed", KEY_ARN)),
    ("AWS::DynamoDB::Table", {"SSESpecification": {"SSEEnabled": True}}, Encryption("aws-managed")),
    ("AWS::DynamoDB::Table", {"SSESpecification": {"SSEEnabled": False}}, Encryption("service-managed")),
    ("AWS::DynamoDB::Table", {}, Encryption("service-managed")),
    ("AWS::SNS::Topic", {"KmsMasterKeyId": "alias/aws/sns"}, Encryption("aws-managed", "alias/aws/sns")),
    ("AWS::SNS::Topic", {"KmsMasterKeyId": "mykey"}, Encryption("customer-managed", "mykey")),
    ("AWS::SNS::Topic", {}, Encryption("none")),
    ("AWS::Logs::LogGroup", {"KmsKeyId": KEY_ARN}, Encryption("customer-managed", KEY_ARN)),
    ("AWS::Logs::LogGroup", {}, Encryption("service-managed")),
    ("AWS::Lambda::Function", {"KmsKeyArn": KEY_ARN}, Encryption("customer-managed", KEY_ARN)),
    ("AWS::Lambda::Function", {}, Encryption("aws-managed")),
    ("AWS::SecretsManager::Secret", {}, Encryption("aws-managed")),
    ("AWS::RDS::DBInstance", {"StorageEncrypted": True}, Encryption("aws-managed")),
    ("AWS::RDS::DBInstance", {}, Encryption("none")),
    ("AWS::OpenSearchService::Domain", {"EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": "k"}},
     Encryption("customer-managed", "k")),
])
def test_encryption_rules(cfn_type: str, properties: dict[str, Any], expected: Encryption) -> None:
    assert one(cfn_type, properties).encryption == expected


def test_kinds_without_encryption_have_none() -> None:
    assert one("AWS::KMS::Key", {}).encryption is None
    assert one("AWS::CloudWatch::Alarm", {"MetricName": "Errors"}).encryption is None


@pytest.mark.parametrize("tags", [
    [{"Key": "Project", "Value": "pe"}, {"Key": "Env", "Value": "dev"}],
    {"Project": "pe", "Env": "dev"},
])
def test_tags_as_list_or_map(tags: Any) -> None:
    assert one("AWS::ApiGatewayV2::Api", {"Tags": tags}).tags == {"Project": "pe", "Env": "dev"}


def test_bucket_settings() -> None:
    bucket = one("AWS::S3::Bucket", {
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "RestrictPublicBuckets": "true"},
        "LifecycleConfiguration": {"Rules": [{"Status": "Enabled"}, {"Status": "Disabled"}]},
    })
    assert bucket.settings == {
        "versioning": True, "lifecycle_rules": 2, "bucket_key": False, "tls_only": False,
        "public_access_block": {"BlockPublicAcls": True, "BlockPublicPolicy": False, "IgnorePublicAcls": False,
                                "RestrictPublicBuckets": True},
    }
    assert one("AWS::S3::Bucket", {}).settings["public_access_block"] is None


def test_table_and_queue_settings() -> None:
    table = one("AWS::DynamoDB::Table", {
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": True},
        "StreamSpecification": {"StreamViewType": "KEYS_ONLY"}})
    assert table.settings == {"pitr": True, "ttl": True, "stream": "KEYS_ONLY", "billing_mode": "PROVISIONED"}
    queue = one("AWS::SQS::Queue", {"RedrivePolicy": '{"deadLetterTargetArn": "arn:aws:sqs:r:1:dlq", '
                                                      '"maxReceiveCount": "5"}', "FifoQueue": "true"})
    assert queue.settings["dlq"] == "arn:aws:sqs:r:1:dlq"
    assert queue.settings["max_receive_count"] == 5
    assert queue.settings["fifo"] is True


def test_function_settings_and_tracing() -> None:
    function = one("AWS::Lambda::Function", {"Runtime": "python3.12", "TracingConfig": {"Mode": "Active"},
                                             "ReservedConcurrentExecutions": 5, "FunctionName": "f"},
                   physical_id="f")
    assert function.settings == {"runtime": "python3.12", "memory": 128, "timeout": 3, "reserved_concurrency": 5,
                                 "architectures": ["x86_64"], "dlq": None}
    assert function.observability.tracing is True
    assert function.observability.log_retention_days is None  # no log group declared: never expires
    passthrough = one("AWS::Lambda::Function", {"TracingConfig": {"Mode": "PassThrough"}})
    assert passthrough.observability.tracing is False


def test_unknown_values_stay_unknown_without_crashing() -> None:
    table = one("AWS::DynamoDB::Table", {"PointInTimeRecoverySpecification": UNKNOWN,
                                         "SSESpecification": {"SSEEnabled": UNKNOWN}, "Tags": UNKNOWN})
    assert table.settings["pitr"] is UNKNOWN
    assert table.encryption == Encryption("unknown")
    assert table.tags is UNKNOWN
    function = one("AWS::Lambda::Function", {"MemorySize": UNKNOWN, "TracingConfig": {"Mode": UNKNOWN}})
    assert function.settings["memory"] is UNKNOWN
    assert function.observability.tracing is UNKNOWN


def test_metric_math_alarm_settings() -> None:
    alarm = one("AWS::CloudWatch::Alarm", {"Metrics": [
        {"Id": "e", "Expression": "m1/m2"},
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
                                               "Dimensions": [{"Name": "FunctionName", "Value": "f"}]},
                                    "Stat": "Sum", "Period": 60}},
        {"Id": "m2", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations"},
                                    "Stat": "Sum", "Period": 60}},
    ]})
    assert alarm.settings["metric"] == "Errors,Invocations"
    assert alarm.settings["metrics"][1]["dimensions"] == {"FunctionName": "f"}
    assert alarm.settings["treat_missing_data"] == "missing"


def test_unmapped_type_is_kept_as_other_with_a_warning() -> None:
    inventory = from_declared([Declared("Machine", "AWS::StepFunctions::StateMachine", {"Tags": [
        {"Key": "Project", "Value": "pe"}]}, location="t.yaml:12")], source="template", region=None, account=None)
    machine = inventory.resources[0]
    assert (machine.kind, machine.tags, machine.taggable) == ("other", {"Project": "pe"}, True)
    assert inventory.warnings == ["Machine at t.yaml:12: type AWS::StepFunctions::StateMachine has no kind in the "
                                  "inventory model; kept as kind 'other' (tags only)"]


def test_malformed_tags_are_a_warning_not_a_crash() -> None:
    inventory: Inventory = from_declared([Declared("Q", "AWS::SQS::Queue", {"Tags": "oops"})], source="template",
                                         region=None, account=None)
    assert inventory.resources[0].tags == {}
    assert "tags not read" in inventory.warnings[0]
