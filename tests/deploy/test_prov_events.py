"""EventBridge rule provisioner on the moto server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ProvisionError

from ._support import Build, Clients, assert_deleted, error_code, provisioner_for

QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
DLQ = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:nightly"
ROLE = "arn:aws:iam::123456789012:role/events-invoke"


def _gone(call: Callable[..., Any], **params: Any) -> bool:
    return error_code(call, **params) == "ResourceNotFoundException"


def test_scheduled_rule(make_request: Build, clients: Clients) -> None:
    ev, prov = clients("events"), provisioner_for("AWS::Events::Rule")
    req = make_request("Nightly", "AWS::Events::Rule", {
        "Description": "nightly batch", "ScheduleExpression": "cron(0 3 * * ? *)", "State": "ENABLED",
        "Targets": [
            {"Id": "queue", "Arn": QUEUE, "Input": '{"job": "nightly"}', "DeadLetterConfig": {"Arn": DLQ},
             "RetryPolicy": {"MaximumRetryAttempts": "3", "MaximumEventAgeInSeconds": 3600}},
            {"Id": "fn", "Arn": FUNCTION, "InputPath": "$.detail", "RoleArn": ROLE},
        ],
        "Tags": [{"Key": "team", "Value": "batch"}],
    })  # fmt: skip
    result = prov.create(req)
    name = result.physical_id
    assert name.startswith(f"{req.stack_name}-Nightly-") and len(name) <= 64
    assert result.attributes["Arn"] == f"arn:aws:events:us-east-1:123456789012:rule/{name}"
    live = ev.describe_rule(Name=name)
    assert live["ScheduleExpression"] == "cron(0 3 * * ? *)" and live["Description"] == "nightly batch"
    targets = {t["Id"]: t for t in ev.list_targets_by_rule(Rule=name)["Targets"]}
    assert targets["queue"]["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert targets["queue"]["DeadLetterConfig"] == {"Arn": DLQ} and targets["fn"]["InputPath"] == "$.detail"
    tags = {t["Key"]: t["Value"] for t in ev.list_tags_for_resource(ResourceARN=live["Arn"])["Tags"]}
    assert tags["team"] == "batch" and tags["infra-parity:run"] == "test-run"
    assert prov.verify(req, result) == []

    ev.put_rule(Name=name, ScheduleExpression="rate(1 hour)", State="DISABLED", Description="nightly batch")
    ev.remove_targets(Rule=name, Ids=["fn"])
    ev.put_targets(Rule=name, Targets=[{"Id": "extra", "Arn": QUEUE}])
    assert prov.verify(req, result) == [
        "State is 'DISABLED', declared 'ENABLED'",
        "ScheduleExpression is 'rate(1 hour)', declared 'cron(0 3 * * ? *)'",
        "target 'fn' is missing",
        "target 'extra' is not declared",
    ]

    assert_deleted(prov, req, result, gone=lambda: _gone(ev.describe_rule, Name=name))


def test_pattern_rule_on_a_custom_bus(make_request: Build, clients: Clients) -> None:
    ev, prov = clients("events"), provisioner_for("AWS::Events::Rule")
    ev.create_event_bus(Name="orders-bus")
    big = {"total": [{"numeric": [">", 100]}]}
    pattern = {"source": ["orders"], "detail-type": ["OrderPlaced"], "detail": big}
    req = make_request("BigOrders", "AWS::Events::Rule", {
        "Name": "big-orders", "EventBusName": "orders-bus", "EventPattern": pattern,
        "Targets": [{"Id": "q", "Arn": QUEUE, "InputTransformer": {
            "InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": '{"order": <id>}'}}],
    })  # fmt: skip
    result = prov.create(req)
    assert result.physical_id == "big-orders"
    assert result.attributes["Arn"] == "arn:aws:events:us-east-1:123456789012:rule/orders-bus/big-orders"
    live = ev.describe_rule(Name="big-orders", EventBusName="orders-bus")
    assert json.loads(live["EventPattern"]) == pattern and live["State"] == "ENABLED"
    assert prov.verify(req, result) == []

    changed = dict(pattern, source=["payments"])
    ev.put_rule(Name="big-orders", EventBusName="orders-bus", EventPattern=json.dumps(changed))
    problems = prov.verify(req, result)
    assert len(problems) == 1 and problems[0].startswith("EventPattern is {")

    prov.delete(req, result)
    assert _gone(ev.describe_rule, Name="big-orders", EventBusName="orders-bus")
    prov.delete(req, result)


def test_unknown_target_keys_are_refused(make_request: Build) -> None:
    req = make_request("Bad", "AWS::Events::Rule", {
        "ScheduleExpression": "rate(5 minutes)",
        "Targets": [{"Id": "t", "Arn": QUEUE, "KinesisParameters": {}}],
    })  # fmt: skip
    with pytest.raises(ProvisionError, match="KinesisParameters"):
        provisioner_for("AWS::Events::Rule").create(req)
