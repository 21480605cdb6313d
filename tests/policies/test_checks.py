"""The reusable checks the Gherkin steps call with arbitrary arguments."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import UNKNOWN, AlarmRef, Encryption, Inventory, Observability, Resource
from pytest_infra_parity.policies import ADHOC_ID, report_of
from pytest_infra_parity.policies.checks import (
    encrypted_with_cmk,
    every,
    has_alarm_on,
    has_dlq,
    has_pitr,
    has_tags,
    is_not_a_dlq,
    is_taggable,
    resolve_kind,
    tag_keys,
)


def make(kind: str, name: str, **fields: Any) -> Resource:
    return Resource(kind=kind, cfn_type="AWS::Test::Thing", name=name, source="template", **fields)


def alarmed(*refs: tuple[str, str, str]) -> Observability:
    return Observability(alarms=[AlarmRef(*ref) for ref in refs])


def test_the_dlq_message_reads_as_the_seed_expects() -> None:
    queue = make("queue", "photoeditor-dev-processing", settings={"dlq": None, "is_dlq": False})
    found = has_dlq(queue)
    assert found.policy_id == ADHOC_ID
    assert found.message() == (
        "queue photoeditor-dev-processing: expected a dead-letter queue (RedrivePolicy), found none")


def test_a_function_dlq_is_its_dead_letter_config() -> None:
    function = make("function", "Worker", settings={"dlq": "arn:aws:sqs:us-east-1:1:worker-dlq"})
    found = has_dlq(function)
    assert (found.outcome, found.expectation) == ("pass", "a dead-letter queue (DeadLetterConfig)")


@pytest.mark.parametrize(("kind", "metric", "namespace", "refs", "outcome"), [
    ("function", "Duration", None, [("slow", "Duration", "AWS/Lambda")], "pass"),
    ("table", "ThrottledRequests", "AWS/DynamoDB", [("t", "ThrottledRequests", "AWS/DynamoDB")], "pass"),
    ("table", "ThrottledRequests", "AWS/DynamoDB", [("t", "ThrottledRequests", "Custom")], "fail"),
    ("service", "CPUUtilization", None, [("cpu", "MemoryUtilization", "AWS/ECS")], "fail"),
    ("load balancer", "HTTPCode_ELB_5XX_Count", None, [("m", "RequestCount,HTTPCode_ELB_5XX_Count", "")], "pass"),
    ("queue", "ApproximateAgeOfOldestMessage", None, [("x", UNKNOWN, "AWS/SQS")], "unknown"),
])
def test_has_alarm_on_any_kind_and_metric(kind: str, metric: str, namespace: str | None,
                                          refs: list[tuple[str, Any, str]], outcome: str) -> None:
    resource = make(kind, "R", observability=Observability(alarms=[AlarmRef(*r) for r in refs]))
    assert has_alarm_on(resource, metric, namespace).outcome == outcome


def test_an_alarm_found_wins_over_a_possible_one() -> None:
    obs = Observability(alarms=[AlarmRef("sure", "Errors", "AWS/Lambda")],
                        possible_alarms=[AlarmRef("maybe", "Errors", "AWS/Lambda")])
    assert has_alarm_on(make("function", "F", observability=obs), "Errors").observed == "alarm sure"


def test_a_possible_alarm_on_another_metric_does_not_make_it_unknown() -> None:
    obs = Observability(possible_alarms=[AlarmRef("maybe", "Throttles", "AWS/Lambda")])
    assert has_alarm_on(make("function", "F", observability=obs), "Errors").outcome == "fail"


@pytest.mark.parametrize(("keys", "parsed"), [
    ("Project, Env, Owner, CostCenter", ("Project", "Env", "Owner", "CostCenter")),
    ('"Project","Env"', ("Project", "Env")),
    (["Owner", " CostCenter "], ("Owner", "CostCenter")),
])
def test_tag_keys_accept_step_text_and_lists(keys: Any, parsed: tuple[str, ...]) -> None:
    assert tag_keys(keys) == parsed


def test_no_tag_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no tag key"):
        tag_keys(" , ")


def test_has_tags_with_any_keys() -> None:
    bucket = make("bucket", "B", tags={"team": "x", "Env": "dev"})
    assert has_tags(bucket, "Env").outcome == "pass"
    assert has_tags(bucket, ["Team"]).observed == "no Team (there is team: tag keys are case-sensitive)"


def test_encrypted_with_cmk_names_the_kind_specific_default() -> None:
    table = make("table", "Jobs", encryption=Encryption("service-managed"))
    assert encrypted_with_cmk(table).observed == "the DynamoDB AWS owned key, not a customer managed key"
    queue = make("queue", "Q", encryption=Encryption("aws-managed"))
    assert encrypted_with_cmk(queue).observed == "the AWS managed key alias/aws/sqs"


def test_has_pitr_on_a_table() -> None:
    assert has_pitr(make("table", "T", settings={"pitr": True})).outcome == "pass"
    assert has_pitr(make("table", "T", settings={"pitr": UNKNOWN})).outcome == "unknown"


def _queues() -> Inventory:
    return Inventory("test", [
        make("queue", "Processing", settings={"dlq": "Dlq", "is_dlq": False}),
        make("queue", "Dlq", settings={"dlq": None, "is_dlq": True},
             observability=alarmed(("dlq-alarm", "ApproximateNumberOfMessagesVisible", "AWS/SQS"))),
        make("queue", "Orphan", settings={"dlq": None, "is_dlq": True}),
        make("queue", "Maybe", settings={"dlq": None, "is_dlq": UNKNOWN}),
        make("queue", "Lonely", settings={"dlq": None, "is_dlq": False}),
        make("function", "Fn"),
    ])


def test_every_dead_letter_queue_selects_queues_that_are_dlqs() -> None:
    findings = every(_queues(), "dead-letter queues",
                     lambda r: has_alarm_on(r, "ApproximateNumberOfMessagesVisible"))
    assert {f.resource.name: f.outcome for f in findings} == {"Dlq": "pass", "Orphan": "fail", "Maybe": "unknown"}


def test_every_kind_word_and_where_filter() -> None:
    findings = every(_queues(), "queues", has_dlq, where=lambda r: r.setting("is_dlq") is False)
    assert [(f.resource.name, f.outcome) for f in findings] == [("Processing", "pass"), ("Lonely", "fail")]
    assert every(_queues(), "tables", has_pitr) == []


def test_every_resource_with_the_taggable_filter() -> None:
    inventory = Inventory("t", [make("queue", "Q", tags={"Project": "p"}),
                                make("bucket policy", "P", taggable=False)])
    findings = every(inventory, "resource", lambda r: has_tags(r, "Project"), where=is_taggable)
    assert [f.resource.name for f in findings] == ["Q"]


def test_an_unknown_kind_word_is_a_config_error_listing_kinds() -> None:
    assert resolve_kind("Lambda functions") == "function"
    with pytest.raises(ConfigError, match=r"unknown resource kind 'widgets'; known kinds: .*bucket"):
        resolve_kind("widgets")


def test_report_of_step_findings_is_readable() -> None:
    findings = every(_queues(), "queue", has_dlq, where=is_not_a_dlq)
    text = report_of(findings, "live moto").format_table()
    assert "policies on live moto: 1 failed, 1 unknown, 1 passed (3 resources checked)" in text
    assert "queue Maybe (AWS::Test::Thing)" in text
    assert ("  UNKNOWN [medium] expected a dead-letter queue (RedrivePolicy), cannot tell: none, and whether it is "
            "itself a dead-letter queue is known only after apply") in text
    assert "queue Processing" not in text, "passes are left out unless asked for"
    assert "queue Processing" in report_of(findings).format_table(include_passed=True)
