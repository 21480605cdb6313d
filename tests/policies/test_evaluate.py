"""evaluate(): selection of policies and kinds, the report's groups, table and JSON, options."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import UNKNOWN, Encryption, Inventory, Resource
from pytest_infra_parity.policies import BasePolicy, Finding, PolicyContext, PolicyOptions, evaluate
from pytest_infra_parity.policies.base import DEFAULT_MANDATORY_TAGS

TAGS = {"Project": "photoeditor", "Env": "dev", "Owner": "platform", "CostCenter": "cc"}


def make(kind: str, name: str, **fields: Any) -> Resource:
    fields.setdefault("tags", dict(TAGS))
    return Resource(kind=kind, cfn_type=fields.pop("cfn_type", "AWS::Test::Thing"), name=name,
                    source="template", **fields)


def inventory() -> Inventory:
    return Inventory("template photoeditor", [
        make("queue", "ProcessingQueue", cfn_type="AWS::SQS::Queue",
             physical_id="https://sqs.us-east-1.amazonaws.com/123456789012/photoeditor-dev-processing",
             location="template.yaml:40", encryption=Encryption("service-managed"),
             settings={"dlq": None, "is_dlq": False}),
        make("bucket", "TempBucket", cfn_type="AWS::S3::Bucket", physical_id="photoeditor-dev-temp",
             tags={"Project": "photoeditor"},
             encryption=Encryption("customer-managed", "arn:aws:kms:us-east-1:123456789012:key/k"),
             settings={"tls_only": UNKNOWN, "public_access_block": {
                 "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                 "RestrictPublicBuckets": True}}),
        make("key", "Key", settings={"rotation": True, "key_spec": "SYMMETRIC_DEFAULT"}),
    ])


def test_the_table_groups_violations_by_resource_naming_it() -> None:
    report = evaluate(inventory())
    text = report.format_table()
    assert text.splitlines()[0] == (
        "policies on template photoeditor: 3 failed, 1 unknown, 5 passed (3 resources checked)")
    queue_heading = ("queue ProcessingQueue (AWS::SQS::Queue) "
                     "https://sqs.us-east-1.amazonaws.com/123456789012/photoeditor-dev-processing at template.yaml:40")
    assert queue_heading in text
    block = text.split(queue_heading)[1].split("\n\n")[0]
    assert "FAIL    IPP_SQS_001 [high] expected encryption with a customer managed KMS key, found SQS-managed" in block
    assert "FAIL    IPP_SQS_002 [high] expected a dead-letter queue (RedrivePolicy), found none" in block
    assert "FAIL    IPP_SQS_002" in block and "IPP_SQS_003" not in block
    bucket_block = text.split("bucket TempBucket (AWS::S3::Bucket) photoeditor-dev-temp")[1]
    assert ("  FAIL    IPP_TAG_001 [medium] expected tags Project, Env, Owner, CostCenter, "
            "found no Env, Owner, CostCenter\n") in bucket_block
    assert "  UNKNOWN IPP_S3_002  [high] expected a bucket policy denying requests without TLS" in bucket_block
    assert "key Key" not in text, "a resource with only passes is not listed"
    assert not report.ok


def test_failures_unknowns_passed_and_groups() -> None:
    report = evaluate(inventory())
    assert {f.policy_id for f in report.failures} == {"IPP_SQS_001", "IPP_SQS_002", "IPP_TAG_001"}
    assert [f.policy_id for f in report.unknowns] == ["IPP_S3_002"]
    assert len(report.passed) + len(report.failures) + len(report.unknowns) == len(report.findings)
    groups = report.by_resource()
    assert list(groups) == [("queue", "ProcessingQueue"), ("bucket", "TempBucket"), ("key", "Key")]
    assert {f.policy_id for f in groups[("key", "Key")]} == {"IPP_KMS_001", "IPP_TAG_001"}


def test_json_carries_every_finding() -> None:
    report = evaluate(inventory(), policies=["IPP_SQS_*"])
    data = json.loads(report.as_json())
    assert data["policies"] == ["IPP_SQS_001", "IPP_SQS_002", "IPP_SQS_003"]
    assert data["summary"] == {"failed": 2, "unknown": 0, "passed": 0}
    first = data["findings"][0]
    assert first["message"] == ("queue ProcessingQueue: expected encryption with a customer managed KMS key, "
                                "found SQS-managed encryption (SSE-SQS), not a KMS key")
    assert first["physical_id"].endswith("photoeditor-dev-processing")
    assert (first["kind"], first["location"], first["outcome"]) == ("queue", "template.yaml:40", "fail")


def test_select_policies_by_id_and_pattern() -> None:
    assert evaluate(inventory(), policies=["IPP_KMS_001"]).ok
    assert {f.policy_id for f in evaluate(inventory(), policies=["IPP_S3_00?", "IPP_KMS_001"]).findings} == {
        "IPP_S3_001", "IPP_S3_002", "IPP_S3_003", "IPP_KMS_001"}
    with pytest.raises(ConfigError, match="unknown policy 'IPP_NOPE_001'"):
        evaluate(inventory(), policies=["IPP_NOPE_001"])
    with pytest.raises(ConfigError, match=r"no policy matches 'ACME_\*'; known policies: IPP_APIGW_001"):
        evaluate(inventory(), policies=["ACME_*"])


def test_options_restrict_kinds_and_change_mandatory_tags() -> None:
    report = evaluate(inventory(), options=PolicyOptions(kinds=frozenset({"key"})))
    assert {f.resource.name for f in report.findings} == {"Key"}
    tags = evaluate(inventory(), policies=["IPP_TAG_001"], options=PolicyOptions(mandatory_tags=("Project",)))
    assert tags.ok


@pytest.mark.parametrize(("fields", "message"), [
    ({"mandatory_tags": ()}, "mandatory tags must be non-empty"),
    ({"mandatory_tags": ("Project", " ")}, "mandatory tags must be non-empty"),
    ({"log_retention_min_days": 30, "log_retention_max_days": 7}, r"1 <= min <= max days, got 30\.\.7"),
    ({"log_retention_min_days": 0}, "1 <= min <= max"),
])
def test_bad_options_are_config_errors(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        PolicyOptions(**fields)


def test_default_options() -> None:
    options = PolicyOptions()
    assert options.mandatory_tags == DEFAULT_MANDATORY_TAGS == ("Project", "Env", "Owner", "CostCenter")
    assert options.metrics_for("http api") == ("5xx",) and options.metrics_for("rest api") == ("5XXError",)
    assert options.metrics_for("bucket") == ()


def test_an_alarm_metric_option_can_be_dropped() -> None:
    function = make("function", "Fn")
    options = PolicyOptions(alarm_metrics={"function": ()})
    assert evaluate(Inventory("t", [function]), policies=["IPP_LAMBDA_001"], options=options).findings == []
    extra = PolicyOptions(alarm_metrics={"function": ("Errors", "Throttles")})
    found = evaluate(Inventory("t", [function]), policies=["IPP_LAMBDA_001"], options=extra).findings
    assert [f.observed for f in found] == ["no alarm"]


class _Crashes(BasePolicy):
    policy_id = "ACME_BUG_001"
    title = "crashes"
    kinds = ("key",)

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        raise KeyError("boom")


def test_a_crashing_policy_is_not_turned_into_an_outcome() -> None:
    with pytest.raises(KeyError) as caught:
        evaluate(inventory(), policies=[_Crashes()])
    assert "while policy ACME_BUG_001 checked key Key (AWS::Test::Thing)" in caught.value.__notes__
