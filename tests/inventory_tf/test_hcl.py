"""The Terraform HCL source: variables, locals, modules, count/for_each, tags, encryption, split S3 resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import UNKNOWN, Encryption
from pytest_infra_parity.inventory.terraform_hcl import load_hcl
from tests.inventory_tf.conftest import write_tf

PROVIDER = """
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
  default_tags {
    tags = {
      Project = var.project
      Env     = var.stage
      Owner   = "platform"
    }
  }
}
variable "project" {
  type    = string
  default = "shop"
}
variable "stage" {
  type    = string
  default = "dev"
}
"""


def load(tmp_path: Path, body: str, **kwargs: object) -> object:
    return load_hcl(write_tf(tmp_path, {"main.tf": PROVIDER + body}), **kwargs)  # type: ignore[arg-type]


def test_default_tags_are_merged_under_resource_tags_and_aws_tags_left_out(tmp_path: Path) -> None:
    inventory = load(tmp_path, """
resource "aws_sqs_queue" "orders" {
  name = "${var.project}-${var.stage}-orders"
  tags = { Env = "override", Team = "payments", "aws:cloudformation:stack-name" = "x" }
}
""")
    queue = inventory.by_name("aws_sqs_queue.orders")  # type: ignore[attr-defined]
    assert queue.physical_id == "shop-dev-orders"
    assert queue.tags == {"Project": "shop", "Env": "override", "Owner": "platform", "Team": "payments"}
    assert queue.region == "eu-west-1" and queue.account == "111122223333"
    assert queue.arn == "arn:aws:sqs:eu-west-1:111122223333:shop-dev-orders"
    lines = (tmp_path / "main.tf").read_text().splitlines()
    line = lines.index('resource "aws_sqs_queue" "orders" {') + 1
    assert queue.location == f"{tmp_path}/main.tf:{line}"


@pytest.mark.parametrize(("config", "expected"), [
    ("", Encryption("service-managed")),
    ('sse_algorithm = "AES256"', Encryption("service-managed")),
    ('sse_algorithm = "aws:kms"', Encryption("aws-managed")),
    ('sse_algorithm = "aws:kms"\n kms_master_key_id = "alias/aws/s3"', Encryption("aws-managed", "alias/aws/s3")),
    ('sse_algorithm = "aws:kms"\n kms_master_key_id = aws_kms_key.this.arn',
     Encryption("customer-managed", "aws_kms_key.this.arn")),
])
def test_bucket_encryption_from_the_split_configuration(tmp_path: Path, config: str, expected: Encryption) -> None:
    split = "" if not config else f"""
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {{
  bucket = aws_s3_bucket.data.id
  rule {{
    apply_server_side_encryption_by_default {{
      {config}
    }}
  }}
}}"""
    inventory = load(tmp_path, f"""
resource "aws_kms_key" "this" {{}}
resource "aws_s3_bucket" "data" {{
  bucket = "shop-dev-data"
}}
{split}
""")
    assert inventory.by_name("aws_s3_bucket.data").encryption == expected  # type: ignore[attr-defined]
    assert [r.kind for r in inventory] == ["key", "bucket"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("resource", "expected"), [
    ('resource "aws_sqs_queue" "x" {\n name = "q"\n}', "service-managed"),
    ('resource "aws_sqs_queue" "x" {\n name = "q"\n sqs_managed_sse_enabled = false\n}', "none"),
    ('resource "aws_sqs_queue" "x" {\n name = "q"\n kms_master_key_id = "alias/aws/sqs"\n}', "aws-managed"),
    ('resource "aws_dynamodb_table" "x" {\n name = "t"\n}', "service-managed"),
    ('resource "aws_dynamodb_table" "x" {\n name = "t"\n server_side_encryption {\n enabled = true\n }\n}',
     "aws-managed"),
    ('resource "aws_sns_topic" "x" {\n name = "t"\n}', "none"),
    ('resource "aws_sns_topic" "x" {\n name = "t"\n kms_master_key_id = "alias/aws/sns"\n}', "aws-managed"),
    ('resource "aws_cloudwatch_log_group" "x" {\n name = "/aws/lambda/f"\n}', "service-managed"),
    ('resource "aws_cloudwatch_log_group" "x" {\n name = "/l"\n kms_key_id = aws_kms_key.k.arn\n}',
     "customer-managed"),
])
def test_encryption_modes_and_their_defaults(tmp_path: Path, resource: str, expected: str) -> None:
    inventory = load(tmp_path, 'resource "aws_kms_key" "k" {}\n' + resource)
    target = next(r for r in inventory if r.kind != "key")  # type: ignore[attr-defined]
    assert target.encryption is not None and target.encryption.mode == expected


def test_split_s3_resources_are_merged_onto_their_bucket_and_not_listed(tmp_path: Path) -> None:
    inventory = load(tmp_path, """
resource "aws_s3_bucket" "b" {
  bucket = "shop-dev-b"
}
resource "aws_s3_bucket_versioning" "b" {
  bucket = aws_s3_bucket.b.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket                  = aws_s3_bucket.b.bucket
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = false
  restrict_public_buckets = true
}
resource "aws_s3_bucket_lifecycle_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  dynamic "rule" {
    for_each = { expire = 2, archive = 30 }
    content {
      id     = rule.key
      status = "Enabled"
      expiration { days = rule.value }
    }
  }
}
resource "aws_s3_bucket_versioning" "elsewhere" {
  bucket = "not-here"
  versioning_configuration { status = "Enabled" }
}
""")
    assert [r.kind for r in inventory] == ["bucket"]  # type: ignore[attr-defined]
    bucket = inventory.by_name("aws_s3_bucket.b")  # type: ignore[attr-defined]
    assert bucket.settings["versioning"] is True
    assert bucket.settings["public_access_block"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                      "IgnorePublicAcls": False, "RestrictPublicBuckets": True}
    assert bucket.settings["lifecycle_rules"] == 2
    assert any("aws_s3_bucket_versioning.elsewhere" in w and "not merged" in w
               for w in inventory.warnings)  # type: ignore[attr-defined]


def test_modules_for_each_and_count_give_terraform_addresses(tmp_path: Path) -> None:
    folder = write_tf(tmp_path, {
        "main.tf": PROVIDER + """
locals {
  queues = toset(["orders", "refunds"])
}
module "queue" {
  source   = "./modules/queue"
  for_each = local.queues
  name     = "${var.project}-${var.stage}-${each.key}"
}
module "logs" {
  source = "./modules/logs"
  names  = [for q in sort(tolist(local.queues)) : module.queue[q].name]
}
""",
        "modules/queue/main.tf": """
variable "name" { type = string }
resource "aws_sqs_queue" "this" {
  name = var.name
}
output "name" { value = aws_sqs_queue.this.name }
""",
        "modules/logs/main.tf": """
variable "names" { type = list(string) }
resource "aws_cloudwatch_log_group" "this" {
  count             = length(var.names)
  name              = "/queues/${var.names[count.index]}"
  retention_in_days = 7
}
""",
    })
    inventory = load_hcl(folder)
    names = {r.name: r.physical_id for r in inventory}
    assert names == {
        'module.queue["orders"].aws_sqs_queue.this': "shop-dev-orders",
        'module.queue["refunds"].aws_sqs_queue.this': "shop-dev-refunds",
        "module.logs.aws_cloudwatch_log_group.this[0]": "/queues/shop-dev-orders",
        "module.logs.aws_cloudwatch_log_group.this[1]": "/queues/shop-dev-refunds",
    }
    group = inventory.by_name("module.logs.aws_cloudwatch_log_group.this[1]")
    assert group.observability.log_retention_days == 7
    assert group.tags["Project"] == "shop"
    assert group.location and "modules/logs/main.tf" in group.location


def test_variable_precedence_conversion_and_validation(tmp_path: Path) -> None:
    folder = write_tf(tmp_path, {
        "main.tf": PROVIDER + """
variable "retention" {
  type    = number
  default = 7
  validation {
    condition     = contains([7, 14, 30], var.retention)
    error_message = "retention must be 7, 14 or 30."
  }
}
resource "aws_cloudwatch_log_group" "g" {
  name              = "/${var.project}/${var.stage}"
  retention_in_days = var.retention
}
""",
        "terraform.tfvars": 'stage = "staging"\nretention = 14\n',
        "zz.auto.tfvars": 'project = "market"\n',
        "prod.tfvars": 'stage = "prod"\n',
    })
    group = load_hcl(folder).by_name("aws_cloudwatch_log_group.g")
    assert (group.physical_id, group.observability.log_retention_days) == ("/market/staging", 14)
    group = load_hcl(folder, var_files=[folder / "prod.tfvars"], variables={"retention": "30"}).resources[0]
    assert (group.physical_id, group.observability.log_retention_days) == ("/market/prod", 30)
    with pytest.raises(SourceError, match="retention must be 7, 14 or 30") as error:
        load_hcl(folder, variables={"retention": "5"})
    assert error.value.path == folder.resolve() / "main.tf" and error.value.line is not None
    with pytest.raises(SourceError, match="retention"):
        load_hcl(folder, variables={"retention": "often"})


def test_values_only_known_after_apply_are_unknown_not_missing(tmp_path: Path) -> None:
    inventory = load(tmp_path, """
variable "owner" { type = string }
resource "aws_kms_key" "k" {}
resource "aws_sns_topic" "t" {
  name              = "shop-dev-t"
  kms_master_key_id = aws_kms_key.k.arn
  tags              = { Owner = var.owner, KeyId = aws_kms_key.k.key_id }
}
""")
    key = inventory.by_name("aws_kms_key.k")  # type: ignore[attr-defined]
    assert key.physical_id is UNKNOWN and key.arn is UNKNOWN
    topic = inventory.by_name("aws_sns_topic.t")  # type: ignore[attr-defined]
    assert topic.tags["Owner"] is UNKNOWN and topic.tags["KeyId"] is UNKNOWN and topic.tags["Env"] == "dev"
    assert topic.encryption == Encryption("customer-managed", "aws_kms_key.k.arn")
    assert any("var.owner has no value" in w for w in inventory.warnings)  # type: ignore[attr-defined]


def test_references_link_alarms_and_dead_letter_queues(tmp_path: Path) -> None:
    inventory = load(tmp_path, """
resource "aws_apigatewayv2_api" "http" {
  name          = "shop-dev-api"
  protocol_type = "HTTP"
}
resource "aws_sqs_queue" "dlq" { name = "shop-dev-dlq" }
resource "aws_sqs_queue" "main" {
  name           = "shop-dev-main"
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 4 })
}
resource "aws_cloudwatch_metric_alarm" "api" {
  alarm_name          = "shop-dev-api-5xx"
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = { ApiId = aws_apigatewayv2_api.http.id }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
}
""")
    alarm = inventory.by_name("aws_cloudwatch_metric_alarm.api")  # type: ignore[attr-defined]
    assert alarm.settings["dimensions"] == {"ApiId": UNKNOWN}
    assert alarm.settings["dimension_refs"] == {"ApiId": "aws_apigatewayv2_api.http"}
    assert alarm.settings["treat_missing_data"] == "missing"
    api = inventory.by_name("aws_apigatewayv2_api.http")  # type: ignore[attr-defined]
    assert api.observability.metrics_alarmed() == {"5xx"}
    main = inventory.by_name("aws_sqs_queue.main")  # type: ignore[attr-defined]
    assert main.settings["dlq"] == "arn:aws:sqs:eu-west-1:111122223333:shop-dev-dlq"
    assert main.settings["max_receive_count"] == 4
    assert inventory.by_name("aws_sqs_queue.dlq").settings["is_dlq"] is True  # type: ignore[attr-defined]


def test_other_providers_are_ignored_and_unknown_aws_types_are_other(tmp_path: Path) -> None:
    inventory = load(tmp_path, """
resource "random_id" "suffix" { byte_length = 4 }
resource "aws_ec2_transit_gateway" "tgw" {}
""")
    assert [(r.kind, r.cfn_type) for r in inventory] == [("other", "")]  # type: ignore[attr-defined]
    warnings = " ".join(inventory.warnings)  # type: ignore[attr-defined]
    assert "random_id.suffix: random_id is not an AWS resource" in warnings
    assert "aws_ec2_transit_gateway.tgw" in warnings
    with pytest.raises(SourceError, match=r"aws_ec2_transit_gateway\.tgw: unknown resource type"):
        load_hcl(tmp_path, strict=True)


def test_data_sources_known_from_the_provider(tmp_path: Path) -> None:
    inventory = load(tmp_path, """
data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "me" {}
data "aws_iam_policy_document" "p" {}
resource "aws_ssm_parameter" "p" {
  name  = join("/", ["", data.aws_partition.current.partition, data.aws_region.current.name,
    data.aws_caller_identity.me.account_id])
  type  = "String"
  value = data.aws_iam_policy_document.p.json
}
""")
    parameter = inventory.resources[0]  # type: ignore[attr-defined]
    assert parameter.physical_id == "/aws/eu-west-1/111122223333"
    assert parameter.encryption == Encryption("none")
