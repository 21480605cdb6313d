"""Name normalization: realistic names from CloudFormation, Terraform, Pulumi/SST and live targets."""

from __future__ import annotations

import pytest

from pytest_infra_parity.parity.identity import arn_name, naming_part, terraform_name
from pytest_infra_parity.parity.names import infer_prefix, match_key, normalize_name, rules_for

# (raw name, kind, expected normalized name) with project "photoeditor"
CASES = [
    # the brief's example, and plain project-stage-name physical names (Terraform, templates)
    ("photoeditor-dev-processing-dlq", "queue", "processing-dlq"),
    ("photoeditor-prod-processing-dlq", "queue", "processing-dlq"),
    ("photoeditor-staging-jobs", "table", "jobs"),
    ("photoeditor-pr-123-jobs", "table", "jobs"),
    ("photoeditor-pr123-jobs", "table", "jobs"),
    ("jobs-photoeditor-sandbox", "table", "jobs"),
    ("dev-photoeditor-jobs", "table", "jobs"),
    ("PhotoEditor_Production_Jobs", "table", "jobs"),
    # CloudFormation logical ids (CamelCase, kind words, dead letter queue)
    ("ProcessingQueue", "queue", "processing"),
    ("ProcessingDeadLetterQueue", "queue", "processing-dlq"),
    ("ProcessingDLQ", "queue", "processing-dlq"),
    ("JobsTable", "table", "jobs"),
    ("PresignFunctionLogGroup", "log group", "presign"),
    ("Key", "key", "key"),
    # CloudFormation-generated physical names: <stack>-<LogicalId>-<random>
    ("ipp-photoeditor-run42-ProcessingQueue-1ABCDEFGHIJK7", "queue", "processing"),
    ("MyStack-MyBucket-abcdefghijk1", "bucket", "my"),
    ("photoeditor-dev-WorkerFunction-AbCdEf123456", "function", "worker"),
    # CDK logical id hashes
    ("ProcessingQueueE6CA6235", "queue", "processing"),
    # Pulumi auto-names and URNs
    ("processing-dlq-1a2b3c4", "queue", "processing-dlq"),
    ("processing-dlq-ab158dc9", "queue", "processing-dlq"),
    ("urn:pulumi:dev::photoeditor::aws:sqs/queue:Queue::processing-dlq", "queue", "processing-dlq"),
    # SST v3 physicalName: <app>-<stage>-<Name>-<8 pretty chars>
    ("photoeditor-dev-ProcessingQueue-hkmnorst", "queue", "processing"),
    # Terraform addresses and interpolations
    ("aws_sqs_queue.processing_dlq", "queue", "processing-dlq"),
    ("module.sqs.aws_sqs_queue.this", "queue", "queue"),
    ("module.jobs_table.aws_dynamodb_table.this", "table", "jobs"),
    ('module.queues.aws_sqs_queue.q["processing"]', "queue", "processing"),
    ("aws_s3_bucket.temp[0]", "bucket", "temp"),
    ("aws_s3_bucket.temp[1]", "bucket", "temp-1"),
    ("module.processing.aws_sqs_queue_policy.this[0]", "queue policy", "processing"),
    ("ProcessingQueuePolicy", "queue policy", "processing"),
    ("PresignInvokePermission", "function permission", "presign"),
    ('aws_lambda_permission.api["presign"]', "function permission", "presign"),
    ("JobStatusRoute", "api route", "job-status"),
    ('aws_apigatewayv2_route.route["job_status"]', "api route", "job-status"),
    ("WorkerEventSourceMapping", "event source mapping", "worker"),
    ("${var.project}-${var.stage}-processing", "queue", "processing"),
    # live spellings: ARNs, queue URLs, account ids, Regions, log groups, aliases
    ("arn:aws:sqs:us-east-1:123456789012:photoeditor-dev-processing-dlq", "queue", "processing-dlq"),
    ("https://sqs.eu-west-3.amazonaws.com/123456789012/photoeditor-dev-processing", "queue", "processing"),
    ("http://127.0.0.1:5000/123456789012/photoeditor-dev-processing", "queue", "processing"),
    ("arn:aws:dynamodb:us-east-1:123456789012:table/photoeditor-dev-jobs/stream/2024-01-01T00:00:00.000",
     "table", "jobs"),
    ("arn:aws:lambda:us-east-1:123456789012:function:photoeditor-dev-worker:live", "function", "worker"),
    ("arn:aws:s3:::photoeditor-dev-temp-123456789012", "bucket", "temp"),
    ("photoeditor-dev-temp-123456789012-us-east-1", "bucket", "temp"),
    ("/aws/lambda/photoeditor-dev-presign", "log group", "presign"),
    ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/photoeditor-dev-presign:*", "log group", "presign"),
    ("alias/photoeditor-dev-data", "key alias", "data"),
    ("1234abcd-12ab-34cd-56ef-1234567890ab", "key", ""),
    ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/photoeditor-dev-api/73e2d6bc24d8a067",
     "target group", "api"),
]


@pytest.mark.parametrize(("raw", "kind", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_normalize(raw: str, kind: str, expected: str) -> None:
    assert normalize_name(raw, project="photoeditor", kind=kind) == expected


@pytest.mark.parametrize(("left", "right", "kind"), [
    ("ProcessingDeadLetterQueue", "photoeditor-dev-processing-dlq", "queue"),
    ("JobsTable", "module.jobs_table.aws_dynamodb_table.this", "table"),
    ("WorkerFunctionLogGroup", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/photoeditor-prod-worker:*",
     "log group"),
    ("Key", "module.kms.aws_kms_key.this", "key"),
    ("processing_dlq", "Processing-DLQ", "queue"),
])
def test_spellings_of_one_resource_share_a_key(left: str, right: str, kind: str) -> None:
    rules = rules_for("photoeditor")
    assert match_key(left, rules, kind) == match_key(right, rules, kind) != ""


def test_without_kind_the_kind_words_stay() -> None:
    assert normalize_name("ProcessingQueue") == "processing-queue"
    assert normalize_name("photoeditor-dev", project="photoeditor") == "dev"


def test_project_spelled_with_separators_is_one_key() -> None:
    assert normalize_name("photo-editor-dev-jobs", project="PhotoEditor") == "jobs"
    assert normalize_name("photoeditor-dev-jobs", project="photo-editor") == "jobs"


def test_extra_stage_words() -> None:
    assert normalize_name("photoeditor-qa2-jobs", project="photoeditor") == "jobs"
    assert normalize_name("photoeditor-blue-jobs", project="photoeditor") == "blue-jobs"
    assert normalize_name("photoeditor-blue-jobs", project="photoeditor", stages=["blue"]) == "jobs"


def test_real_words_are_not_taken_for_random_suffixes() -> None:
    assert normalize_name("photoeditor-dev-notifications", project="photoeditor") == "notifications"
    assert normalize_name("photoeditor-dev-metadata", project="photoeditor") == "metadata"
    assert normalize_name("photoeditor-dev-ProcessingJobs", project="photoeditor") == "processing-jobs"
    assert normalize_name("photoeditor-dev-image-v2", project="photoeditor") == "image-v-2"


@pytest.mark.parametrize(("names", "expected"), [
    (["photoeditor-dev-processing", "photoeditor-dev-jobs", "photoeditor-dev-temp"], "photoeditor"),
    (["ipp-photoeditor-dev-a", "ipp-photoeditor-dev-b", "other"], "ipp-photoeditor"),
    (["dev-photoeditor-a", "dev-photoeditor-b"], "photoeditor"),
    (["acme-a", "acme-b", "acme-c", "acme-d", "x-y"], "acme"),
    (["processing-queue", "processing-dlq", "jobs-table"], ""),
    (["acme-a", "acme-b", "acme-c"], ""),
    (["ProcessingQueue"], ""),
])
def test_infer_prefix(names: list[str], expected: str) -> None:
    assert infer_prefix(names) == expected


@pytest.mark.parametrize(("arn", "expected"), [
    ("arn:aws:sns:us-east-1:123456789012:photoeditor-dev-alarms", "photoeditor-dev-alarms"),
    ("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
     "1234abcd-12ab-34cd-56ef-1234567890ab"),
    ("arn:aws:kms:us-east-1:123456789012:alias/photoeditor-dev", "alias/photoeditor-dev"),
    ("arn:aws:iam::123456789012:role/service-role/photoeditor-dev-worker", "photoeditor-dev-worker"),
    ("arn:aws:cloudwatch:us-east-1:123456789012:alarm:photoeditor-dev-errors", "photoeditor-dev-errors"),
    ("arn:aws:ecs:us-east-1:123456789012:service/cluster/photoeditor-api", "photoeditor-api"),
    ("not-an-arn", None),
])
def test_arn_name(arn: str, expected: str | None) -> None:
    assert arn_name(arn) == expected


def test_terraform_names() -> None:
    assert terraform_name("module.sqs.aws_sqs_queue.main") == "sqs"
    assert terraform_name('module.queue["orders"].aws_sqs_queue.this') == "orders"
    assert terraform_name("data.aws_kms_key.shared") == "shared"
    assert terraform_name("photoeditor-dev-jobs") is None
    assert naming_part("var.something") == "var.something"
