"""Each aspect's differences and unknowns, and KMS key resolution across sources."""

from __future__ import annotations

import pytest

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import UNKNOWN, Encryption
from pytest_infra_parity.parity.diff import compare
from pytest_infra_parity.parity.report import UNKNOWN_TEXT
from tests.parity._build import TAGS, cmk, inv, res

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_ARN = "arn:aws:kms:us-east-1:123456789012:key/9999abcd-12ab-34cd-56ef-1234567890ab"


def _rows(report, aspect=None):
    return [(d.name_a, d.aspect, d.attribute, d.value_a, d.value_b) for d in report.differences
            if aspect is None or d.aspect == aspect]


def _unknowns(report):
    return [(u.aspect, u.attribute) for u in report.unknowns]


def test_types_one_side_only_and_cfn_type() -> None:
    a = inv("a", res("queue", "ProcessingQueue"), res("function", "WorkerFunction"),
            res("bucket", "TempBucket"))
    b = inv("b", res("queue", "aws_sqs_queue.processing"), res("topic", "aws_sns_topic.alarms"),
            res("bucket", "aws_s3_bucket.temp", cfn_type="AWS::S3::Bucket2"))
    report = compare(a, b, aspects=["types"])
    assert [(d.kind, d.name_a, d.name_b, d.attribute) for d in report.differences] == [
        ("function", "WorkerFunction", None, "resource"),
        ("topic", None, "aws_sns_topic.alarms", "resource"),
        ("bucket", "TempBucket", "aws_s3_bucket.temp", "cfn_type"),
    ]
    assert report.counts == {"queue": (1, 1), "bucket": (1, 1), "function": (1, 0), "topic": (0, 1)}
    assert not report.ok
    # without "types", resources on one side only are listed but are no difference
    assert compare(a, b, aspects=["tags"]).ok


def test_tags_missing_extra_different_and_ignored() -> None:
    a = inv("a", res("queue", "ProcessingQueue", tags={**TAGS, "Team": "imaging"}))
    b = inv("b", res("queue", "aws_sqs_queue.processing",
                     tags={"Project": "photoeditor", "Env": "prod", "Owner": "someone", "CostCenter": "media",
                           "ManagedBy": "terraform"}))
    report = compare(a, b, aspects=["tags"])
    assert _rows(report) == [
        ("ProcessingQueue", "tags", "Env", "dev", "prod"),
        ("ProcessingQueue", "tags", "ManagedBy", None, "terraform"),
        ("ProcessingQueue", "tags", "Owner", "platform", "someone"),
        ("ProcessingQueue", "tags", "Team", "imaging", None),
    ]
    ignored = compare(a, b, aspects=["tags"], ignore_tags=["Env", "Managed*"])
    assert [r[2] for r in _rows(ignored)] == ["Owner", "Team"]


def test_tags_unknown_map_or_value_is_unknown_not_difference() -> None:
    a = inv("a", res("queue", "Q1", physical="x-one"), res("queue", "Q2", physical="x-two"))
    b = inv("b", res("queue", "t1", physical="x-one", tags=UNKNOWN),
            res("queue", "t2", physical="x-two", tags={**TAGS, "Owner": UNKNOWN}))
    report = compare(a, b, aspects=["tags"])
    assert report.ok
    assert sorted(_unknowns(report)) == [("tags", "Owner"), ("tags", "tags")]
    owner = next(u for u in report.unknowns if u.attribute == "Owner")
    assert (owner.value_a, owner.value_b) == ("platform", UNKNOWN_TEXT)


def test_untaggable_kinds_are_not_compared_on_tags() -> None:
    a = inv("a", res("queue policy", "P", physical="p", taggable=False, tags={}))
    b = inv("b", res("queue policy", "P", physical="p", taggable=False, tags={"x": "y"}))
    assert compare(a, b, aspects=["tags"]).ok


def test_encryption_mode_difference() -> None:
    a = inv("a", res("queue", "DlqQueue", physical="x-dlq", enc=cmk("Key")), res("key", "Key"))
    b = inv("b", res("queue", "aws_sqs_queue.dlq", physical="x-dlq", enc=Encryption("service-managed")),
            res("key", "aws_kms_key.this"))
    assert _rows(compare(a, b, aspects=["encryption"])) == [
        ("DlqQueue", "encryption", "mode", "customer-managed", "service-managed")]


@pytest.mark.parametrize(("ref_a", "ref_b"), [
    ("Key.Arn", "aws_kms_key.this.arn"),                # template GetAtt / Terraform expression
    ("${Key.Arn}", "alias/photoeditor-dev"),            # placeholder / alias name
    ("Key", "module.kms.key_arn"),                      # Ref / module output
    ("Key", KEY_ARN),                                   # template / live ARN
    ("Key", "1234abcd-12ab-34cd-56ef-1234567890ab"),    # key id
    ("Key", "arn:aws:kms:us-east-1:123456789012:alias/photoeditor-dev"),  # alias ARN
])
def test_keys_resolve_in_their_own_inventory(ref_a: str, ref_b: str) -> None:
    a = inv("template", res("key", "Key"), res("key", "OtherKey"),
            res("bucket", "TempBucket", physical="photoeditor-dev-temp", enc=cmk(ref_a)))
    b = inv("terraform", res("key", "module.kms.aws_kms_key.this", physical="1234abcd-12ab-34cd-56ef-1234567890ab",
                             arn=KEY_ARN),
            res("key", "aws_kms_key.other", physical="9999abcd-12ab-34cd-56ef-1234567890ab", arn=OTHER_ARN),
            res("key alias", "module.kms.aws_kms_alias.this", physical="alias/photoeditor-dev", taggable=False,
                settings={"target_key": "aws_kms_key.this.key_id"}),
            res("bucket", "aws_s3_bucket.temp", physical="photoeditor-dev-temp", enc=cmk(ref_b)))
    report = compare(a, b, aspects=["encryption"],
                     mapping={"Key": "module.kms.aws_kms_key.this", "OtherKey": "aws_kms_key.other"})
    assert report.ok, report.format_table()
    assert report.unknowns == []


def test_keys_that_are_not_a_pair_differ() -> None:
    a = inv("template", res("key", "Key"), res("key", "LogsKey"),
            res("bucket", "TempBucket", physical="photoeditor-dev-temp", enc=cmk("LogsKey.Arn")))
    b = inv("live", res("key", "Key", physical="1234abcd-12ab-34cd-56ef-1234567890ab", arn=KEY_ARN),
            res("key", "LogsKey", physical="9999abcd-12ab-34cd-56ef-1234567890ab", arn=OTHER_ARN),
            res("bucket", "TempBucket", physical="photoeditor-dev-temp", enc=cmk(KEY_ARN)))
    assert _rows(compare(a, b, aspects=["encryption"])) == [
        ("TempBucket", "encryption", "key", "LogsKey", "Key (A's is paired with LogsKey)")]


@pytest.mark.parametrize(("ref_b", "reason"), [
    (UNKNOWN, "B: known only after apply"),
    (None, "B: b does not say which"),
    ("data.aws_kms_key.shared.arn", "B: 'data.aws_kms_key.shared.arn' is not a key of b"),
])
def test_unresolvable_key_is_unknown(ref_b: object, reason: str) -> None:
    a = inv("a", res("key", "Key"), res("table", "JobsTable", physical="x-jobs", enc=cmk("Key")))
    b = inv("b", res("key", "aws_kms_key.this"), res("key", "aws_kms_key.other"),
            res("table", "aws_dynamodb_table.jobs", physical="x-jobs",
                enc=Encryption("customer-managed", ref_b)))  # type: ignore[arg-type]
    report = compare(a, b, aspects=["encryption"])
    assert report.ok
    [unknown] = report.unknowns
    assert (unknown.aspect, unknown.attribute, unknown.reason) == ("encryption", "key", reason)


def test_encryption_unknown_mode_and_silent_side() -> None:
    a = inv("a", res("queue", "Q1", physical="x-one", enc=cmk("k")), res("queue", "Q2", physical="x-two", enc=None),
            res("queue", "Q3", physical="x-three", enc=None))
    b = inv("b", res("queue", "t1", physical="x-one", enc=Encryption("unknown")),
            res("queue", "t2", physical="x-two", enc=Encryption("service-managed")),
            res("queue", "t3", physical="x-three", enc=Encryption("none")))
    report = compare(a, b, aspects=["encryption"])
    assert report.ok
    assert sorted((u.name_a, u.attribute) for u in report.unknowns) == [("Q1", "mode"), ("Q2", "mode")]
    silent = next(u for u in report.unknowns if u.name_a == "Q2")
    assert silent.reason == "A does not describe this resource's encryption"


def test_aws_managed_alias_compared() -> None:
    a = inv("a", res("queue", "Q", physical="x-q", enc=Encryption("aws-managed", "alias/aws/sqs")))
    b = inv("b", res("queue", "t", physical="x-q", enc=Encryption("aws-managed", "alias/aws/sns")))
    assert _rows(compare(a, b, aspects=["encryption"])) == [
        ("Q", "encryption", "key", "alias/aws/sqs", "alias/aws/sns")]


def test_observability_alarms_retention_tracing() -> None:
    a = inv("a", res("function", "WorkerFunction", physical="x-worker", alarms=("Errors", "Throttles"), tracing=True),
            res("log group", "WorkerLogs", physical="/aws/lambda/x-worker", retention=14))
    b = inv("b", res("function", "fn", physical="x-worker", alarms=("Errors", "Duration"), tracing=False),
            res("log group", "lg", physical="/aws/lambda/x-worker", retention=None))
    assert _rows(compare(a, b, aspects=["observability"])) == [
        ("WorkerFunction", "observability", "alarm on Duration", None, "fn-Duration"),
        ("WorkerFunction", "observability", "alarm on Throttles", "WorkerFunction-Throttles", None),
        ("WorkerFunction", "observability", "tracing", True, False),
        ("WorkerLogs", "observability", "log retention days", 14, "never expire"),
    ]


def test_observability_unknown_retention() -> None:
    a = inv("a", res("log group", "L", physical="/aws/lambda/x-worker", retention=14))
    b = inv("b", res("log group", "l", physical="/aws/lambda/x-worker", retention=UNKNOWN))
    report = compare(a, b, aspects=["observability"])
    assert report.ok
    assert _unknowns(report) == [("observability", "log retention days")]


def test_settings_aspect_resolves_dlq_references() -> None:
    a = inv("template", res("queue", "ProcessingQueue", physical="x-processing",
                            settings={"dlq": "ProcessingDeadLetterQueue.Arn", "max_receive_count": 3, "fifo": False}),
            res("queue", "ProcessingDeadLetterQueue", physical="x-processing-dlq"))
    b = inv("terraform", res("queue", "module.sqs.aws_sqs_queue.main", physical="x-processing",
                             settings={"dlq": "aws_sqs_queue.dlq.arn", "max_receive_count": 5}),
            res("queue", "module.sqs.aws_sqs_queue.dlq", physical="x-processing-dlq"))
    assert _rows(compare(a, b, aspects=["settings"])) == [
        ("ProcessingQueue", "settings", "max_receive_count", 3, 5)]


def test_unknown_aspect_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown parity aspect.*colour.*known: types, tags"):
        compare(inv("a"), inv("b"), aspects=["tags", "colour"])


def test_key_given_by_key_ref_or_by_being_the_only_key() -> None:
    """Templates read offline give ``key=None`` for ``!GetAtt Key.Arn``: ``key_ref`` or the sole key decide."""
    a = inv("template", res("key", "Key"), res("key", "LogsKey"),
            res("table", "JobsTable", physical="photoeditor-dev-jobs", enc=cmk(None), settings={"key_ref": "Key"}),
            res("log group", "Logs", physical="/aws/lambda/photoeditor-dev-w", enc=cmk(None),
                settings={"key_ref": "LogsKey"}))
    b = inv("live", res("key", "Key", physical="1234abcd-12ab-34cd-56ef-1234567890ab", arn=KEY_ARN),
            res("key", "LogsKey", physical="9999abcd-12ab-34cd-56ef-1234567890ab", arn=OTHER_ARN),
            res("table", "JobsTable", physical="photoeditor-dev-jobs", enc=cmk(KEY_ARN)),
            res("log group", "Logs", physical="/aws/lambda/photoeditor-dev-w", enc=cmk(KEY_ARN)))
    assert _rows(compare(a, b, aspects=["encryption"])) == [
        ("Logs", "encryption", "key", "LogsKey", "Key (A's is paired with LogsKey)")]
    sole_a = inv("template", res("key", "Key"), res("table", "JobsTable", physical="x-jobs", enc=cmk(None)))
    sole_b = inv("terraform", res("key", "module.kms.aws_kms_key.this"),
                 res("table", "aws_dynamodb_table.jobs", physical="x-jobs", enc=cmk("module.kms.aws_kms_key.this.arn")))
    report = compare(sole_a, sole_b, aspects=["encryption"])
    assert report.ok and report.unknowns == []


def test_possible_alarm_makes_a_missing_metric_unknown() -> None:
    from pytest_infra_parity.inventory.model import AlarmRef

    a = inv("a", res("function", "Worker", physical="x-worker", alarms=("Errors",)))
    b = inv("b", res("function", "fn", physical="x-worker"))
    b.resources[0].observability.possible_alarms.append(AlarmRef("aws_cloudwatch_metric_alarm.errors", "Errors"))
    report = compare(a, b, aspects=["observability"])
    assert report.ok
    [unknown] = report.unknowns
    assert (unknown.attribute, unknown.value_a, unknown.value_b) == ("alarm on Errors", "Worker-Errors", UNKNOWN_TEXT)
    assert unknown.reason.startswith("aws_cloudwatch_metric_alarm.errors may watch it")


class _Ref:
    """Stands for the Terraform sources' Ref: prints as its address and attribute."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        raise TypeError("no truth value")


def test_reference_objects_and_ref_settings() -> None:
    a = inv("template", res("key", "Key"),
            res("queue", "ProcessingQueue", physical="x-processing", enc=cmk(None), settings={"dlq": UNKNOWN,
                "dlq_ref": "ProcessingDeadLetterQueue", "max_receive_count": 3}),
            res("queue", "ProcessingDeadLetterQueue", physical="x-processing-dlq"))
    b = inv("terraform", res("key", "module.kms.aws_kms_key.this"),
            res("queue", "module.sqs.aws_sqs_queue.main", physical="x-processing",
                enc=cmk(_Ref("module.kms.aws_kms_key.this.arn")),  # type: ignore[arg-type]
                settings={"dlq": _Ref("module.sqs.aws_sqs_queue.dlq.arn"), "max_receive_count": 3}),
            res("queue", "module.sqs.aws_sqs_queue.dlq", physical="x-processing-dlq"))
    report = compare(a, b, aspects=["encryption", "settings"])
    assert report.ok, report.format_table()
    assert report.unknowns == []
    b.resources[1].settings["dlq"] = _Ref("module.sqs.aws_sqs_queue.main.arn")
    assert _rows(compare(a, b, aspects=["settings"])) == [
        ("ProcessingQueue", "settings", "dlq", "ProcessingDeadLetterQueue",
         "module.sqs.aws_sqs_queue.main (A's is paired with module.sqs.aws_sqs_queue.dlq)")]
