"""Drift: declared (template) against live, paired by logical name then physical id."""

from __future__ import annotations

from pytest_infra_parity.inventory.model import Encryption
from pytest_infra_parity.parity.drift import drift
from tests.parity._build import TAGS, cmk, inv, res

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_drift_by_logical_name_then_physical_id() -> None:
    declared = inv("template of stack ipp-photoeditor",
                   res("key", "Key"),
                   res("queue", "ProcessingQueue", physical="photoeditor-dev-processing", enc=cmk("Key.Arn")),
                   res("log group", "WorkerLogs", physical="/aws/lambda/photoeditor-dev-worker", retention=14),
                   res("bucket", "TempBucket", physical="photoeditor-dev-temp"))
    live = inv("live moto us-east-1 stack ipp-photoeditor",
               res("key", "Key", source="live", physical="1234abcd-12ab-34cd-56ef-1234567890ab", arn=KEY_ARN),
               res("queue", "ProcessingQueue", source="live",
                   physical="https://sqs.us-east-1.amazonaws.com/123456789012/photoeditor-dev-processing",
                   enc=Encryption("service-managed"), tags={**TAGS, "Owner": "changed-by-hand"}),
               res("log group", "/aws/lambda/photoeditor-dev-worker", source="live",
                   physical="/aws/lambda/photoeditor-dev-worker", retention=30),
               res("bucket", "stray-bucket", source="live", physical="photoeditor-dev-stray"))
    report = drift(declared, live)
    assert report.mode == "drift"
    assert {(p.a.name, p.b.name, p.matched_by) for p in report.pairs} == {
        ("Key", "Key", "logical name"),
        ("ProcessingQueue", "ProcessingQueue", "logical name"),
        ("WorkerLogs", "/aws/lambda/photoeditor-dev-worker", "physical id"),
    }
    assert [(d.name_a, d.name_b, d.aspect, d.attribute, d.value_a, d.value_b) for d in report.differences] == [
        ("TempBucket", None, "types", "resource", "AWS::S3::Bucket", None),
        (None, "stray-bucket", "types", "resource", None, "AWS::S3::Bucket"),
        ("ProcessingQueue", "ProcessingQueue", "tags", "Owner", "platform", "changed-by-hand"),
        ("ProcessingQueue", "ProcessingQueue", "encryption", "mode", "customer-managed", "service-managed"),
        ("WorkerLogs", "/aws/lambda/photoeditor-dev-worker", "observability", "log retention days", 14, 30),
    ]
    lines = report.format_table().splitlines()
    assert lines[0] == "Drift of  declared = template of stack ipp-photoeditor"
    assert lines[1] == "      and live     = live moto us-east-1 stack ipp-photoeditor"
    assert "only in declared (template of stack ipp-photoeditor): 1" in lines


def test_no_drift_and_key_resolved_by_arn() -> None:
    declared = inv("declared", res("key", "Key"), res("table", "JobsTable", physical="photoeditor-dev-jobs",
                                                       enc=cmk("Key.Arn")))
    live = inv("live", res("key", "Key", physical="1234abcd-12ab-34cd-56ef-1234567890ab", arn=KEY_ARN),
               res("table", "JobsTable", physical="photoeditor-dev-jobs", enc=cmk(KEY_ARN)))
    report = drift(declared, live)
    assert report.ok
    assert report.unknowns == []
    assert report.as_json()["labels"] == {"a": "declared", "b": "live"}


def test_drift_does_not_normalize_names() -> None:
    declared = inv("declared", res("queue", "ProcessingQueue", physical="photoeditor-dev-processing"))
    live = inv("live", res("queue", "processing", physical="photoeditor-prod-processing"))
    report = drift(declared, live)
    assert report.pairs == []
    assert len(report.differences) == 2
