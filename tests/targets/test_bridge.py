"""Cross-service references between the two sides of a split target (LocalStack + moto fallback).

A moto server in another process plays LocalStack here (moto servers of one process share their
store): what matters is that the two sides are separate stores in one account and region, as
LocalStack and the fallback are.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_infra_parity.targets._clients import ClientCache, RoutedClients
from pytest_infra_parity.targets.localstack_bridge import Bridge
from pytest_infra_parity.targets.localstack_tagging import TaggingAugmenter, matches, type_matches
from pytest_infra_parity.targets.moto import MotoTarget

ON_FALLBACK = {"lambda", "dynamodb", "application-autoscaling", "resourcegroupstaggingapi-moto"}


class Split:
    """``local`` (the stand-in LocalStack) and ``fallback`` (moto), routed like a LocalStack target."""

    def __init__(self, local_endpoint: str) -> None:
        self.local = ClientCache(endpoint_url=local_endpoint, default_region="us-east-1",
                                 credentials=("test", "test"), max_attempts=1)
        self.fallback = MotoTarget("us-east-1")
        self.bridge = Bridge(self.where, self.client_on, "moto", local_endpoint)
        self.clients = RoutedClients(self.where, {"localstack": self.local.client, "moto": self.fallback.client},
                                     self.bridge.attach)

    def where(self, service: str) -> str:
        return "moto" if service in ON_FALLBACK else "localstack"

    def client_on(self, where: str, service: str, region: str | None) -> Any:
        return self.clients.client_on(where, service, region)


@pytest.fixture(scope="module")
def other_process_moto() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "false"}
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def split(other_process_moto: str) -> Iterator[Split]:
    made = Split(other_process_moto)
    yield made
    made.fallback.stop()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buffer.getvalue()


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def test_a_function_on_moto_can_use_a_role_and_a_queue_that_live_on_localstack(split: Split) -> None:
    role = split.clients.client("iam").create_role(RoleName="bridge-fn-role", Path="/svc/",
                                                   AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    queue_url = split.clients.client("sqs").create_queue(QueueName="bridge-jobs")["QueueUrl"]
    queue_arn = split.clients.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam = split.clients.client("lambda")
    lam.create_function(FunctionName="bridge-fn", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip()})
    mapping = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="bridge-fn")
    assert mapping["EventSourceArn"] == queue_arn
    assert split.bridge.mirrored == ["iam role bridge-fn-role", "sqs queue bridge-jobs"]
    # the placeholders are on moto only; LocalStack keeps the real ones
    moto_role = split.fallback.client("iam").get_role(RoleName="bridge-fn-role")["Role"]
    assert moto_role["Arn"] == role and moto_role["Path"] == "/svc/"


def test_without_the_bridge_moto_refuses_the_foreign_role(split: Split) -> None:
    role = split.local.client("iam").create_role(RoleName="bridge-other", AssumeRolePolicyDocument=TRUST)["Role"]
    with pytest.raises(Exception, match="cannot be assumed by Lambda"):
        split.fallback.client("lambda").create_function(
            FunctionName="plain-fn", Runtime="python3.12", Role=role["Arn"], Handler="app.handler",
            Code={"ZipFile": _zip()})


def test_kms_reads_of_a_key_only_moto_has_are_answered_by_moto(split: Split) -> None:
    moto_key = split.fallback.client("kms").create_key(Description="made by a fallback service")["KeyMetadata"]
    split.fallback.client("kms").create_alias(AliasName="alias/aws/bridge-test", TargetKeyId=moto_key["KeyId"])
    local_key = split.clients.client("kms").create_key(Description="on localstack")["KeyMetadata"]
    kms = split.clients.client("kms")  # routed to the stand-in LocalStack
    assert kms.describe_key(KeyId=moto_key["Arn"])["KeyMetadata"]["Description"] == "made by a fallback service"
    aliases = kms.list_aliases(KeyId=moto_key["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in aliases] == ["alias/aws/bridge-test"]
    assert kms.describe_key(KeyId=local_key["KeyId"])["KeyMetadata"]["Description"] == "on localstack"
    with pytest.raises(Exception, match="NotFound"):
        kms.describe_key(KeyId="11111111-2222-3333-4444-555555555555")


def test_tag_filters_follow_get_resources() -> None:
    tags = {"Project": "p", "Env": "dev"}
    assert matches(tags, [{"Key": "Project", "Values": ["p", "q"]}, {"Key": "Env"}])
    assert not matches(tags, [{"Key": "Project", "Values": ["q"]}])
    assert not matches(tags, [{"Key": "Owner"}])
    assert type_matches("arn:aws:sqs:us-east-1:1:q", ["sqs"])
    assert type_matches("arn:aws:ec2:us-east-1:1:vpc/vpc-1", ["ec2:vpc"])
    assert not type_matches("arn:aws:ec2:us-east-1:1:subnet/s-1", ["ec2:vpc", "s3"])


def test_get_resources_adds_what_the_localstack_tagging_api_leaves_out(split: Split) -> None:
    sqs = split.clients.client("sqs")
    sqs.create_queue(QueueName="tagged-q", tags={"Project": "tagtest"})
    sqs.create_queue(QueueName="other-q", tags={"Project": "else"})
    split.clients.client("s3").create_bucket(Bucket="tagged-bucket-ipp")
    split.clients.client("s3").put_bucket_tagging(Bucket="tagged-bucket-ipp",
                                                  Tagging={"TagSet": [{"Key": "Project", "Value": "tagtest"}]})
    split.clients.client("dynamodb").create_table(
        TableName="tagged-table", BillingMode="PAY_PER_REQUEST", Tags=[{"Key": "Project", "Value": "tagtest"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    augmenter = TaggingAugmenter(split.where, split.client_on, "localstack", "moto")
    parsed: dict[str, Any] = {"ResourceTagMappingList": []}  # what LocalStack's tagging API answered
    augmenter.augment(parsed, {"TagFilters": [{"Key": "Project", "Values": ["tagtest"]}]}, "us-east-1")
    arns = sorted(m["ResourceARN"] for m in parsed["ResourceTagMappingList"])
    assert [a.split(":")[2] for a in arns] == ["dynamodb", "s3", "sqs"]
    assert any(a.endswith(":tagged-q") for a in arns) and not any(a.endswith(":other-q") for a in arns)
    paged: dict[str, Any] = {"ResourceTagMappingList": [], "PaginationToken": "more"}
    augmenter.augment(paged, {}, "us-east-1")
    assert paged["ResourceTagMappingList"] == []  # only the last page gets the additions


def test_target_tracking_alarms_reach_the_cloudwatch_that_serves_the_account(split: Split) -> None:
    split.clients.client("dynamodb").create_table(
        TableName="scaled", BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    scaling = split.clients.client("application-autoscaling")
    target = {"ServiceNamespace": "dynamodb", "ResourceId": "table/scaled",
              "ScalableDimension": "dynamodb:table:ReadCapacityUnits"}
    scaling.register_scalable_target(**target, MinCapacity=1, MaxCapacity=10)
    policy = scaling.put_scaling_policy(**target, PolicyName="reads", PolicyType="TargetTrackingScaling",
                                        TargetTrackingScalingPolicyConfiguration={
                                            "TargetValue": 70.0, "PredefinedMetricSpecification": {
                                                "PredefinedMetricType": "DynamoDBReadCapacityUtilization"}})
    names = sorted(alarm["AlarmName"] for alarm in policy["Alarms"])
    assert names  # moto made them in its own CloudWatch ...
    local = split.clients.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in local) == names  # ... and the bridge copied them where CloudWatch is
    assert {a["MetricName"] for a in local} <= {"ConsumedReadCapacityUnits", "ProvisionedReadCapacityUnits"}
    scaling.delete_scaling_policy(**target, PolicyName="reads")
    assert split.clients.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"] == []
