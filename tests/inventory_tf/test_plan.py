"""The Terraform plan source: ``terraform show -json`` of a plan, with "known after apply" kept unknown."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import UNKNOWN, Encryption, Inventory
from pytest_infra_parity.inventory.terraform_plan import load_plan, load_plan_data
from tests.inventory_tf.conftest import PHOTOEDITOR

TAGS = {"Project": "photoeditor", "Env": "dev", "Owner": "photoeditor-platform", "CostCenter": "photoeditor"}


def test_photoeditor_plan_lists_what_the_plan_creates(plan_inventory: Inventory) -> None:
    assert len(plan_inventory) == 45
    assert plan_inventory.source.startswith("terraform plan") and "1.9.8" in plan_inventory.source
    table = plan_inventory.by_name("module.jobs_table.aws_dynamodb_table.this")
    assert (table.kind, table.cfn_type, table.source) == ("table", "AWS::DynamoDB::Table", "terraform-plan")
    assert table.physical_id == "photoeditor-dev-jobs"
    assert table.settings["pitr"] is True and table.settings["stream"] == "NEW_AND_OLD_IMAGES"
    assert table.tags == TAGS
    assert table.region == "us-east-1"


def test_known_after_apply_is_unknown_not_missing(plan_inventory: Inventory) -> None:
    function = plan_inventory.by_name('aws_lambda_function.function["worker"]')
    assert function.arn is UNKNOWN
    assert function.settings["architectures"] is UNKNOWN
    assert function.settings["memory"] == 1024 and function.observability.tracing is True
    key = plan_inventory.by_name("module.kms.aws_kms_key.this")
    assert key.physical_id is UNKNOWN and key.settings["rotation"] is True
    queue = plan_inventory.by_name("module.processing.aws_sqs_queue.this")
    assert queue.settings["dlq"] is UNKNOWN and queue.settings["max_receive_count"] is UNKNOWN
    # ... but the configuration says which queue the redrive policy reads the ARN of.
    assert queue.settings["dlq_ref"] == "module.processing.aws_sqs_queue.dlq"
    assert plan_inventory.by_name("module.processing.aws_sqs_queue.dlq").settings["is_dlq"] is True
    bucket = plan_inventory.by_name("module.temp_bucket.aws_s3_bucket.this")
    assert bucket.settings["tls_only"] is UNKNOWN
    alarm = plan_inventory.by_name("module.alarms.aws_cloudwatch_metric_alarm.api_5xx")
    assert alarm.settings["actions"] is UNKNOWN


def test_unknown_key_ids_are_traced_through_module_variables_and_outputs(plan_inventory: Inventory) -> None:
    expected = Encryption("customer-managed", "module.kms.aws_kms_key.this.arn")
    for name in ("module.temp_bucket.aws_s3_bucket.this", "module.jobs_table.aws_dynamodb_table.this",
                 "module.processing.aws_sqs_queue.dlq", "module.notifications.aws_sns_topic.this",
                 'module.function_logs.aws_cloudwatch_log_group.this["worker"]'):
        assert plan_inventory.by_name(name).encryption == expected, name
    alarm = plan_inventory.by_name("module.alarms.aws_cloudwatch_metric_alarm.api_5xx")
    assert alarm.settings["dimension_refs"] == {"ApiId": "aws_apigatewayv2_api.http"}
    assert plan_inventory.by_name("aws_apigatewayv2_api.http").observability.metrics_alarmed() == {"5xx"}


def _plan(changes: list[dict[str, Any]], configuration: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": changes,
            "configuration": configuration or {"root_module": {}}}


def _change(address: str, actions: list[str], after: dict[str, Any] | None, unknown: Any = None,
            mode: str = "managed") -> dict[str, Any]:
    tf_type, name = address.split(".")[-2:]
    return {"address": address, "mode": mode, "type": tf_type, "name": name,
            "change": {"actions": actions, "before": None, "after": after, "after_unknown": unknown or {}}}


def test_actions_decide_what_the_plan_leaves() -> None:
    inventory = load_plan_data(_plan([
        _change("aws_sqs_queue.deleted", ["delete"], None),
        _change("aws_sqs_queue.replaced", ["delete", "create"], {"name": "replaced"}),
        _change("aws_sqs_queue.kept", ["no-op"], {"name": "kept"}),
        _change("aws_sqs_queue.updated", ["update"], {"name": "updated", "tags_all": {"A": "1"}}),
        _change("aws_sqs_queue.read", ["read"], {"name": "x"}, mode="data"),
    ]), "inline.json")
    assert [r.physical_id for r in inventory] == ["replaced", "kept", "updated"]
    assert inventory.by_name("aws_sqs_queue.updated").tags == {"A": "1"}


def test_unknown_tags_and_unset_nested_keys() -> None:
    config = {"root_module": {"resources": [{"address": "aws_dynamodb_table.t", "mode": "managed",
                                             "type": "aws_dynamodb_table", "name": "t", "expressions": {
                                                 "server_side_encryption": [{"enabled": {"constant_value": True}}]}}]}}
    inventory = load_plan_data(_plan([
        _change("aws_dynamodb_table.t", ["create"],
                {"name": "t", "server_side_encryption": [{"enabled": True}], "tags_all": None},
                {"tags_all": True, "server_side_encryption": [{"kms_key_arn": True}]}),
    ], config), "inline.json")
    table = inventory.resources[0]
    assert table.tags is UNKNOWN
    # kms_key_arn is computed because it is not configured: the table uses the AWS managed key.
    assert table.encryption == Encryption("aws-managed")


def test_a_plan_given_as_a_file_and_as_parsed_data_agree(tmp_path: Path, plan_inventory: Inventory) -> None:
    data = json.loads((PHOTOEDITOR / "plan.json").read_text())
    smaller = copy.deepcopy(data)
    smaller["resource_changes"] = [c for c in smaller["resource_changes"] if c["type"] == "aws_sns_topic"]
    path = tmp_path / "topics.json"
    path.write_text(json.dumps(smaller))
    topics = load_plan(path)
    assert [r.name for r in topics] == [r.name for r in plan_inventory.of_kind("topic")]
    assert [r.encryption for r in topics] == [r.encryption for r in plan_inventory.of_kind("topic")]


@pytest.mark.parametrize(("document", "message"), [
    ({"format_version": "1.2", "resource_changes": {}}, "resource_changes is not a list"),
    (_plan([{"address": "aws_sqs_queue.q", "type": "aws_sqs_queue"}]), "has no change object"),
    (_plan([_change("aws_sqs_queue.q", "create", {})]), r"aws_sqs_queue\.q: change\.actions is not a list"),
    ({"resource_changes": []}, "has no format_version"),
    ({"Resources": {}}, "this is a CloudFormation template"),
])
def test_malformed_plans_are_source_errors(document: dict[str, Any], message: str) -> None:
    with pytest.raises(SourceError, match=message):
        load_plan_data(document, "given.json")
