"""Matching two inventories: passes, ambiguity, mapping, ignore, kinds."""

from __future__ import annotations

import pytest

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.parity.mapping import Mapping, parse_mapping
from pytest_infra_parity.parity.match import match
from tests.parity._build import inv, res


def _names(matching: object) -> set[tuple[str, str]]:
    return {(p.a.name, p.b.name) for p in matching.pairs}  # type: ignore[attr-defined]


def template_side():
    return inv("template", res("queue", "ProcessingQueue", physical="photoeditor-dev-processing"),
               res("queue", "ProcessingDeadLetterQueue", physical="photoeditor-dev-processing-dlq"),
               res("table", "JobsTable"),
               res("key", "Key"),
               res("log group", "WorkerFunctionLogGroup", physical="/aws/lambda/photoeditor-dev-worker"))


def terraform_side():
    return inv("terraform", res("queue", "module.sqs.aws_sqs_queue.main", source="terraform-hcl",
                                physical="photoeditor-prod-processing"),
               res("queue", "module.sqs.aws_sqs_queue.dlq", source="terraform-hcl",
                   physical="photoeditor-prod-processing-dlq"),
               res("table", "module.jobs.aws_dynamodb_table.this", source="terraform-hcl", physical=UNKNOWN),
               res("key", "module.kms.aws_kms_key.this", source="terraform-hcl", physical=UNKNOWN),
               res("log group", "aws_cloudwatch_log_group.worker", source="terraform-hcl",
                   physical="/aws/lambda/photoeditor-prod-worker"))


def test_template_against_terraform_in_another_stage() -> None:
    matching = match(template_side(), terraform_side())
    assert _names(matching) == {
        ("ProcessingQueue", "module.sqs.aws_sqs_queue.main"),
        ("ProcessingDeadLetterQueue", "module.sqs.aws_sqs_queue.dlq"),
        ("JobsTable", "module.jobs.aws_dynamodb_table.this"),
        ("Key", "module.kms.aws_kms_key.this"),
        ("WorkerFunctionLogGroup", "aws_cloudwatch_log_group.worker"),
    }
    how = {p.a.name: p.matched_by for p in matching.pairs}
    assert how["ProcessingQueue"] == "physical name"
    assert how["JobsTable"] == "logical name"
    assert matching.only_a == matching.only_b == []
    queue = next(r for r in matching.pairs if r.a.name == "ProcessingQueue")
    assert matching.partner_in_b(queue.a) is queue.b
    assert matching.partner_in_a(queue.b) is queue.a


def test_physical_on_one_side_logical_on_the_other() -> None:
    a = inv("template", res("topic", "NotificationsTopic"))
    b = inv("terraform", res("topic", "aws_sns_topic.this", physical="photoeditor-dev-notifications"))
    matching = match(a, b, project="photoeditor")
    assert [(p.a.name, p.matched_by) for p in matching.pairs] == [
        ("NotificationsTopic", "logical name (A) = physical name (B)")]


def test_live_stack_against_template_by_logical_id_when_names_are_generated() -> None:
    live = inv("live", res("queue", "ProcessingQueue", source="live",
                           physical="https://sqs.us-east-1.amazonaws.com/123456789012/"
                                    "ipp-photoeditor-r1-ProcessingQueue-1ABCDEFGHIJK7"),
               res("bucket", "TempBucket", source="live", physical="ipp-photoeditor-r1-tempbucket-abcdefghij12"))
    template = inv("template", res("queue", "ProcessingQueue"), res("bucket", "TempBucket"))
    assert _names(match(template, live)) == {("ProcessingQueue", "ProcessingQueue"), ("TempBucket", "TempBucket")}


def test_kinds_keep_same_names_apart() -> None:
    a = inv("a", res("function", "photoeditor-dev-worker", physical="photoeditor-dev-worker"),
            res("log group", "/aws/lambda/photoeditor-dev-worker", physical="/aws/lambda/photoeditor-dev-worker"))
    b = inv("b", res("log group", "lg", physical="/aws/lambda/photoeditor-prod-worker"),
            res("function", "fn", physical="photoeditor-prod-worker"))
    assert _names(match(a, b)) == {("photoeditor-dev-worker", "fn"), ("/aws/lambda/photoeditor-dev-worker", "lg")}


def test_ambiguity_is_reported_not_guessed() -> None:
    a = inv("a", res("queue", "ProcessingQueue", physical="photoeditor-dev-processing"))
    b = inv("b", res("queue", "aws_sqs_queue.one", physical="photoeditor-dev-processing-queue"),
            res("queue", "aws_sqs_queue.two", physical="photoeditor-prod-processing"))
    matching = match(a, b)
    assert matching.pairs == []
    assert [r.name for r in matching.only_a] == ["ProcessingQueue"]
    assert len(matching.only_b) == 2
    [ambiguity] = matching.ambiguous
    assert (ambiguity.kind, ambiguity.key, ambiguity.names_a) == ("queue", "processing", ("ProcessingQueue",))
    assert set(ambiguity.names_b) == {"aws_sqs_queue.one", "aws_sqs_queue.two"}
    assert "A has ProcessingQueue" in ambiguity.describe()


def test_ambiguity_resolved_by_a_later_pass_is_dropped() -> None:
    a = inv("a", res("queue", "One", physical="photoeditor-dev-jobs"),
            res("queue", "Two", physical="photoeditor-dev-jobs"))
    b = inv("b", res("queue", "One", physical="x-jobs-1"), res("queue", "Two", physical="y-jobs-2"))
    matching = match(a, b)
    assert _names(matching) == {("One", "One"), ("Two", "Two")}
    assert matching.ambiguous == []


def test_mapping_pairs_first_and_ignores() -> None:
    mapping = parse_mapping(
        "pairs:\n"
        "  ProcessingQueue: module.sqs.aws_sqs_queue.dlq\n"
        "  JobsTable: {name: photoeditor-prod-jobs, kind: table}\n"
        "ignore:\n"
        "  a: ['*LogGroup']\n"
        "  b: ['aws_cloudwatch_*']\n"
    )
    tf = terraform_side()
    tf.resources[2].physical_id = "photoeditor-prod-jobs"
    matching = match(template_side(), tf, mapping=mapping)
    how = {(p.a.name, p.b.name): p.matched_by for p in matching.pairs}
    assert how[("ProcessingQueue", "module.sqs.aws_sqs_queue.dlq")] == "mapping"
    assert how[("JobsTable", "module.jobs.aws_dynamodb_table.this")] == "mapping"
    assert [r.name for r in matching.ignored_a] == ["WorkerFunctionLogGroup"]
    assert [r.name for r in matching.ignored_b] == ["aws_cloudwatch_log_group.worker"]
    # the explicit pairing took the names normalization would have paired otherwise
    assert [r.name for r in matching.only_a] == ["ProcessingDeadLetterQueue"]
    assert [r.name for r in matching.only_b] == ["module.sqs.aws_sqs_queue.main"]
    assert matching.warnings == []


def test_mapping_entries_naming_nothing_become_warnings() -> None:
    mapping = parse_mapping("pairs:\n  Nope: module.sqs.aws_sqs_queue.main\n  Key: Ghost\n")
    matching = match(template_side(), terraform_side(), mapping=mapping)
    assert matching.warnings == [
        "mapping:2: 'Nope' is not an unpaired resource of A (template)",
        "mapping:3: 'Ghost' is not an unpaired resource of B (terraform)",
    ]
    assert len(matching.pairs) == 5


def test_mapping_entry_naming_two_resources_asks_for_kind() -> None:
    a = inv("a", res("function", "worker"), res("log group", "worker"))
    b = inv("b", res("function", "fn"), res("log group", "lg"))
    assert "names 2 resources of A (function, log group): add 'kind:'" in match(
        a, b, mapping=Mapping.of({"worker": "zzz"})).warnings[0]
    matching = match(a, b, mapping=parse_mapping("pairs:\n  worker: {name: fn, kind: function}\n"))
    assert ("worker", "fn") in _names(matching)


def test_kinds_filter() -> None:
    matching = match(template_side(), terraform_side(), kinds=["queues"])
    assert {p.a.kind for p in matching.pairs} == {"queue"}
    assert len(matching.pairs) == 2
    with pytest.raises(ConfigError, match="unknown resource kind 'gizmo'"):
        match(template_side(), terraform_side(), kinds=["gizmo"])


def test_explicit_project_switches_off_inference() -> None:
    a = inv("a", res("queue", "q1", physical="acme-shop-orders"), res("queue", "q2", physical="acme-shop-refunds"))
    b = inv("b", res("queue", "t1", physical="orders"), res("queue", "t2", physical="refunds"))
    assert len(match(a, b, project="acme-shop").pairs) == 2
    assert len(match(a, b, project="other").pairs) == 0


def test_mapping_names_may_be_physical_ids_or_arns() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:legacy-alerts"
    a = inv("template", res("topic", "AlertsTopic"))
    b = inv("live", res("topic", "legacy-alerts", source="live", physical=arn, arn=arn))
    assert match(a, b).pairs == []
    matching = match(a, b, mapping=Mapping.of({"AlertsTopic": arn}))
    assert [(p.a.name, p.b.name, p.matched_by) for p in matching.pairs] == [("AlertsTopic", "legacy-alerts", "mapping")]
