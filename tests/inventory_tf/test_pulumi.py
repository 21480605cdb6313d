"""The Pulumi / SST v3 state source: ``pulumi stack export`` with bridged ``aws:*`` resources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import UNKNOWN, Encryption, Inventory
from pytest_infra_parity.inventory.pulumi import load_pulumi_data, load_pulumi_state
from pytest_infra_parity.inventory.tf_types import tf_type_of_pulumi

STACK = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"
PROVIDER = "urn:pulumi:dev::shop::pulumi:providers:aws::default_6_66_2"


@pytest.mark.parametrize(("token", "tf_type"), [
    ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
    ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
    ("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
     "aws_s3_bucket_server_side_encryption_configuration"),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws_cloudwatch_metric_alarm"),
    ("aws:lambda/eventSourceMapping:EventSourceMapping", "aws_lambda_event_source_mapping"),
    ("aws:apigatewayv2/api:Api", "aws_apigatewayv2_api"),
    ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),
    ("aws:lb/targetGroup:TargetGroup", "aws_lb_target_group"),
    ("aws:rds/instance:Instance", "aws_db_instance"),
    ("aws-native:s3:Bucket", None),
    ("random:index/randomId:RandomId", None),
])
def test_pulumi_tokens_map_to_terraform_types(token: str, tf_type: str | None) -> None:
    assert tf_type_of_pulumi(token) == tf_type


def test_sst_stage_of_photoeditor(pulumi_inventory: Inventory) -> None:
    assert len(pulumi_inventory) == 45
    assert "(known after apply)" not in repr([r.tags for r in pulumi_inventory])
    bucket = pulumi_inventory.by_name("TempBucket")
    assert (bucket.kind, bucket.native_type, bucket.source) == ("bucket", "aws:s3/bucketV2:BucketV2", "pulumi")
    assert bucket.physical_id == "photoeditor-dev-temp-123456789012"
    assert bucket.settings["public_access_block"]["BlockPublicPolicy"] is True
    assert bucket.settings["tls_only"] is True and bucket.settings["lifecycle_rules"] == 1
    assert bucket.encryption is not None and bucket.encryption.is_customer_managed
    table = pulumi_inventory.by_name("JobsTable")
    assert table.settings["pitr"] is True and table.settings["ttl"] is True
    assert table.tags == {"Project": "photoeditor", "Env": "dev", "Owner": "photoeditor-platform",
                          "CostCenter": "photoeditor"}
    function = pulumi_inventory.by_name("WorkerFunction")
    assert function.observability.tracing is True and function.settings["memory"] == 1024
    assert function.observability.metrics_alarmed() == {"Errors"}
    assert pulumi_inventory.by_name("ProcessingDlqQueue").settings["is_dlq"] is True
    assert sorted(w.split(":")[0] for w in pulumi_inventory.warnings) == [
        "DownloadCode", "PresignCode", "StatusCode", "WorkerCode"]


def _deployment(resources: list[dict[str, Any]], **provider_inputs: Any) -> dict[str, Any]:
    provider = {"urn": PROVIDER, "custom": True, "id": "p1", "type": "pulumi:providers:aws",
                "inputs": {"region": "eu-west-1", **provider_inputs}}
    stack = {"urn": STACK, "custom": False, "type": "pulumi:pulumi:Stack"}
    return {"version": 3, "deployment": {"manifest": {"time": "t", "magic": "m", "version": "v3.137.0"},
                                         "resources": [stack, provider, *resources]}}


def _queue(name: str, outputs: dict[str, Any]) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:dev::shop::aws:sqs/queue:Queue::{name}", "custom": True, "id": name,
            "type": "aws:sqs/queue:Queue", "inputs": {}, "outputs": outputs, "parent": STACK,
            "provider": f"{PROVIDER}::p1"}


def test_default_tags_without_tags_all_secrets_and_unknowns() -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc"}
    shown = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": '"alias/aws/sqs"'}
    inventory = load_pulumi_data(_deployment([
        _queue("Orders", {"name": "shop-dev-orders", "tags": {"Team": "pay", "Env": "prod"}, "kmsMasterKeyId": secret}),
        _queue("Refunds", {"name": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "kmsMasterKeyId": shown}),
    ], defaultTags=json.dumps({"tags": {"Project": "shop", "Env": "dev"}})), "inline.json")
    orders, refunds = inventory.resources
    assert orders.tags == {"Project": "shop", "Env": "prod", "Team": "pay"}
    assert orders.encryption == Encryption("customer-managed", None)
    assert orders.region == "eu-west-1"
    assert refunds.physical_id is UNKNOWN
    assert refunds.encryption == Encryption("aws-managed", "alias/aws/sqs")


def test_checkpoint_and_bare_deployment_shapes(tmp_path: Path) -> None:
    deployment = _deployment([_queue("Orders", {"name": "shop-dev-orders"})])["deployment"]
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"version": 3, "checkpoint": {"stack": "organization/shop/dev", "latest": deployment}}))
    from_checkpoint = load_pulumi_state(path)
    assert [r.physical_id for r in from_checkpoint] == ["shop-dev-orders"]
    assert "organization/shop/dev" in from_checkpoint.source
    assert [r.physical_id for r in load_pulumi_data(deployment, "bare.json")] == ["shop-dev-orders"]


@pytest.mark.parametrize(("document", "message"), [
    ({"version": 4, "deployment": {"resources": []}}, "version 4 is not supported"),
    ({"version": 4, "terraform_version": "1.9.8", "resources": []}, "this is a Terraform state file"),
    ({"version": 3, "deployment": {"resources": [{"type": "aws:sqs/queue:Queue"}]}}, "has no urn"),
    ({"version": 3, "deployment": {"resources": [{"urn": "bad", "custom": True, "type": "aws:sqs/queue:Queue"}]}},
     "malformed URN"),
])
def test_other_documents_are_source_errors(document: dict[str, Any], message: str) -> None:
    with pytest.raises(SourceError, match=message):
        load_pulumi_data(document, "given.json")
