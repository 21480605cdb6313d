"""The live source on moto: photoeditor and dashborion deployed, and resources created with boto3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_infra_parity.deploy.stack import Stack
from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.inventory.live import Selection, StackItem, collect
from pytest_infra_parity.inventory.model import UNKNOWN, Encryption, Inventory
from pytest_infra_parity.sources import declared_inventory

from .conftest import ACCOUNT, REGION

Clients = Callable[[str], Any]


def live_stack(clients: Clients, stack: Stack) -> Inventory:
    return collect(clients, region=REGION, account=ACCOUNT, selection=Selection.of_stack(stack))


def test_photoeditor_stack_inventory(inventory_clients: Clients, deployed: dict[str, Stack]) -> None:
    stack = deployed["photoeditor"]
    inventory = live_stack(inventory_clients, stack)
    assert inventory.warnings == []
    assert {r.name for r in inventory} == set(stack.resources)  # named by logical id
    key_arn = stack.outputs["KmsKeyArn"]
    temp = inventory.by_name("TempBucket")
    assert temp.encryption == Encryption("customer-managed", key_arn)
    assert temp.tags == {"Project": "photoeditor", "Env": "dev", "Owner": "photoeditor-platform",
                         "CostCenter": "photoeditor"}  # infra-parity:* tags left out
    assert temp.settings == {"versioning": False, "lifecycle_rules": 1, "bucket_key": True, "tls_only": True,
                             "public_access_block": dict.fromkeys(
                                 ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                  "RestrictPublicBuckets"), True)}
    assert inventory.by_name("FinalBucket").settings["versioning"] is True
    queue = inventory.by_name("ProcessingQueue")
    assert queue.settings["dlq"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:photoeditor-dev-processing-dlq"
    assert queue.settings["max_receive_count"] == 3
    assert queue.settings["is_dlq"] is False
    dlq = inventory.by_name("ProcessingDeadLetterQueue")
    assert dlq.settings["is_dlq"] is True
    assert dlq.observability.has_alarm_on("ApproximateNumberOfMessagesVisible") is True
    jobs = inventory.by_name("JobsTable")
    assert (jobs.settings["pitr"], jobs.settings["ttl"], jobs.settings["stream"]) == (True, True, "NEW_AND_OLD_IMAGES")
    assert all(t.encryption == Encryption("customer-managed", key_arn) for t in inventory.of_kind("table"))
    for function in inventory.of_kind("function"):
        assert function.observability.has_alarm_on("Errors") is True, function.name
        assert function.observability.tracing is True
        assert function.observability.log_retention_days == 14
    assert inventory.by_name("HttpApi").observability.metrics_alarmed() == {"5xx"}
    assert inventory.by_name("Key").settings["rotation"] is True
    assert inventory.by_name("WorkerEventSourceMapping").tags["Project"] == "photoeditor"


def comparable(inventory: Inventory) -> dict[str, tuple[Any, ...]]:
    return {r.name: (r.kind, r.tags, r.encryption.mode if r.encryption else None, r.taggable,
                     sorted(r.observability.metrics_alarmed()), r.observability.log_retention_days,
                     r.observability.tracing) for r in inventory}


def test_template_and_live_agree_on_kinds_tags_encryption_and_observability(
        inventory_clients: Clients, deployed: dict[str, Stack]) -> None:
    for name, stack in deployed.items():
        design = builtin_designs()[name]
        template = declared_inventory(design.template_path, design.parameters, name=stack.name, region=REGION,
                                      account=ACCOUNT)
        live = live_stack(inventory_clients, stack)
        assert comparable(template) == comparable(live), name
        assert live.warnings == [] and template.warnings == []


def test_tag_selection_names_by_physical_name(inventory_clients: Clients, deployed: dict[str, Stack]) -> None:
    inventory = collect(inventory_clients, region=REGION, account=ACCOUNT,
                        selection=Selection.of_tags("Project=photoeditor,Env=dev"))
    names = {(r.kind, r.name) for r in inventory}
    assert ("bucket", f"photoeditor-dev-temp-{ACCOUNT}") in names
    assert ("function", "photoeditor-dev-worker") in names
    assert ("alarm", "photoeditor-dev-api-5xx") in names
    assert ("http api", "photoeditor-dev-api") in names  # found although moto's tagging API misses HTTP APIs
    assert ("api stage", "$default") in names
    assert sum(1 for r in inventory if r.kind == "role") == 4  # found although the tagging API misses IAM roles
    assert all(r.tags["Project"] == "photoeditor" for r in inventory)
    queue = next(r for r in inventory if r.name == "photoeditor-dev-processing")
    assert queue.settings["max_receive_count"] == 3
    assert inventory.warnings == []


def test_arn_selection_and_alarms_outside_the_selection(inventory_clients: Clients,
                                                        deployed: dict[str, Stack]) -> None:
    stack = deployed["photoeditor"]
    worker_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{stack.physical_id('WorkerFunction')}"
    arns = [worker_arn, f"arn:aws:s3:::{stack.physical_id('FinalBucket')}",
            f"arn:aws:sqs:{REGION}:{ACCOUNT}:photoeditor-dev-processing-dlq", stack.outputs["KmsKeyArn"]]
    inventory = collect(inventory_clients, region=REGION, account=ACCOUNT, selection=Selection.of_arns(arns))
    assert [r.kind for r in inventory] == ["function", "bucket", "queue", "key"]
    worker = inventory.resources[0]
    assert worker.name == "photoeditor-dev-worker"
    assert worker.observability.alarms[0].alarm == "photoeditor-dev-worker-errors"  # alarm not selected, linked
    assert worker.observability.log_retention_days == 14  # log group not selected, read for the function
    assert inventory.by_name("photoeditor-dev-processing-dlq").settings["is_dlq"] is True  # its source is not selected


def test_gone_and_unreadable_resources_are_warnings(inventory_clients: Clients, deployed: dict[str, Stack]) -> None:
    selection = Selection(stack="ghost", items=(
        StackItem("Gone", "AWS::SQS::Queue", f"http://localhost/{ACCOUNT}/no-such-queue"),
        StackItem("GoneBucket", "AWS::S3::Bucket", "no-such-bucket-h1"),
        StackItem("Machine", "AWS::StepFunctions::StateMachine", "arn:aws:states:x"),
        StackItem("Table", "AWS::DynamoDB::Table", deployed["photoeditor"].physical_id("JobsTable")),
    ))
    inventory = collect(inventory_clients, region=REGION, account=ACCOUNT, selection=selection)
    assert [r.name for r in inventory] == ["Machine", "Table"]
    machine = inventory.by_name("Machine")
    assert (machine.kind, machine.tags) == ("other", UNKNOWN)
    assert len(inventory.warnings) == 3
    assert any("Gone" in w and "left out" in w for w in inventory.warnings)
    assert any("Machine" in w and "not read live" in w for w in inventory.warnings)
