"""The Terraform state source: ``terraform show -json`` state output and a raw ``terraform.tfstate`` (v4)."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import Encryption, Inventory
from pytest_infra_parity.inventory.terraform_state import load_state_data

KEY = "arn:aws:kms:us-east-1:123456789012:key/0c1f5a7e-3d2b-4e8f-9a6c-5b4d3e2f1a0b"


def _summary(inventory: Inventory) -> list[tuple[Any, ...]]:
    return sorted((r.name, r.kind, r.physical_id, r.arn, tuple(sorted(r.tags.items())), r.encryption,
                   repr(r.settings), repr(r.observability)) for r in inventory)


def test_show_json_and_tfstate_describe_the_same_resources(state_inventory: Inventory,
                                                           tfstate_inventory: Inventory) -> None:
    assert len(state_inventory) == 45
    assert _summary(state_inventory) == _summary(tfstate_inventory)
    assert "show -json" in state_inventory.source and "tfstate v4" in tfstate_inventory.source


def test_state_values_are_all_known(state_inventory: Inventory) -> None:
    queue = state_inventory.by_name("module.processing.aws_sqs_queue.this")
    assert queue.arn == "arn:aws:sqs:us-east-1:123456789012:photoeditor-dev-processing"
    assert queue.settings["dlq"] == "arn:aws:sqs:us-east-1:123456789012:photoeditor-dev-processing-dlq"
    assert queue.settings["max_receive_count"] == 3
    assert state_inventory.by_name("module.processing.aws_sqs_queue.dlq").settings["is_dlq"] is True
    assert queue.encryption == Encryption("customer-managed", KEY)
    alarm = state_inventory.by_name("module.alarms.aws_cloudwatch_metric_alarm.api_5xx")
    assert alarm.settings["dimensions"] == {"ApiId": "k3x9q2m7pa"}
    assert alarm.settings["datapoints_to_alarm"] is None
    function = state_inventory.by_name('aws_lambda_function.function["presign"]')
    assert function.observability.log_group == "/aws/lambda/photoeditor-dev-presign"
    assert function.observability.log_retention_days == 14
    assert function.observability.metrics_alarmed() == {"Errors"}
    assert "log_group_name" not in function.settings  # Lambda's default group, recorded by the provider


def test_split_bucket_resources_are_merged_and_role_policies_folded(state_inventory: Inventory) -> None:
    kinds = {r.native_type for r in state_inventory}
    assert not {t for t in kinds if t.startswith("aws_s3_bucket_") and t != "aws_s3_bucket_policy"}
    assert "aws_iam_role_policy" not in kinds and "aws_iam_role_policy_attachment" not in kinds
    final = state_inventory.by_name("module.final_bucket.aws_s3_bucket.this")
    assert final.settings == {
        "versioning": True, "public_access_block": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                    "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "lifecycle_rules": 1, "bucket_key": True, "tls_only": True}
    assert final.encryption == Encryption("customer-managed", KEY)


def _raw(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": 4, "terraform_version": "1.9.8", "serial": 1, "lineage": "x", "outputs": {},
            "resources": resources}


def test_raw_state_addresses_modes_and_deposed_instances() -> None:
    inventory = load_state_data(_raw([
        {"mode": "data", "type": "aws_region", "name": "current", "instances": [{"attributes": {"name": "x"}}]},
        {"module": 'module.queues["a"]', "mode": "managed", "type": "aws_sqs_queue", "name": "this", "instances": [
            {"index_key": 0, "attributes": {"name": "a0", "kms_master_key_id": "alias/aws/sqs",
                                            "tags_all": {"Env": "dev", "aws:cloudformation:stack-id": "x"}}},
            {"index_key": 1, "attributes": {"name": "a1", "sqs_managed_sse_enabled": False, "kms_master_key_id": ""}},
            {"index_key": 1, "deposed": "00000001", "attributes": {"name": "old"}},
        ]},
    ]), "raw.tfstate")
    assert [(r.name, r.physical_id) for r in inventory] == [('module.queues["a"].aws_sqs_queue.this[0]', "a0"),
                                                          ('module.queues["a"].aws_sqs_queue.this[1]', "a1")]
    first, second = inventory.resources
    assert first.encryption == Encryption("aws-managed", "alias/aws/sqs") and first.tags == {"Env": "dev"}
    assert second.encryption == Encryption("none")


@pytest.mark.parametrize(("document", "message"), [
    ({"version": 3, "modules": []}, "version 3 .*not supported"),
    ({"version": 3, "deployment": {"resources": []}}, "this is a Pulumi state"),
    ({"format_version": "2.0", "values": {}}, "format_version 2.0"),
    (_raw([{"mode": "managed", "type": "aws_sqs_queue", "name": "q", "instances": [{"attributes_flat": {}}]}]),
     r"aws_sqs_queue\.q has no attributes"),
    ([1, 2], "a JSON list"),
])
def test_other_documents_are_source_errors(document: Any, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        load_state_data(document, "given.json")
