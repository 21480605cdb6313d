"""Log group provisioner on the moto server: name, retention, KMS key, class, tags."""

from __future__ import annotations

from typing import Any

from ._support import Build, Clients, assert_deleted, create


def _names(logs: Any, prefix: str) -> list[str]:
    return [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]]


def test_log_group_lifecycle(make_request: Build, clients: Clients) -> None:
    logs, kms = clients("logs"), clients("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    prov, req, result = create(
        make_request,
        "ApiLogs",
        "AWS::Logs::LogGroup",
        {
            "LogGroupName": "/c1/api",
            "RetentionInDays": "14",
            "KmsKeyId": key_arn,
            "LogGroupClass": "STANDARD",
            "Tags": [{"Key": "team", "Value": "api"}],
        },
    )
    assert result.physical_id == "/c1/api"
    assert result.attributes["Arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/c1/api:*"
    assert prov.verify(req, result) == []

    group = logs.describe_log_groups(logGroupNamePrefix="/c1/api")["logGroups"][0]
    assert group["retentionInDays"] == 14
    assert group["kmsKeyId"] == key_arn
    tags = logs.list_tags_for_resource(resourceArn="arn:aws:logs:us-east-1:123456789012:log-group:/c1/api")[
        "tags"
    ]
    assert tags["team"] == "api"

    logs.put_retention_policy(logGroupName="/c1/api", retentionInDays=3)
    logs.untag_log_group(logGroupName="/c1/api", tags=["team"])
    problems = prov.verify(req, result)
    assert "RetentionInDays is 3, declared 14" in problems
    assert any("'team' is missing" in p for p in problems)
    logs.delete_retention_policy(logGroupName="/c1/api")
    assert "RetentionInDays is None, declared 14" in prov.verify(req, result)

    assert_deleted(prov, req, result, gone=lambda: _names(logs, "/c1/api") == [])


def test_log_group_default_name_and_no_retention(make_request: Build, clients: Clients) -> None:
    logs = clients("logs")
    prov, req, result = create(make_request, "Audit", "AWS::Logs::LogGroup", {})
    assert result.physical_id.startswith(f"{req.stack_name}-Audit-")
    assert _names(logs, result.physical_id) == [result.physical_id]
    assert prov.verify(req, result) == []
    logs.put_retention_policy(logGroupName=result.physical_id, retentionInDays=7)
    assert prov.verify(req, result) == ["RetentionInDays is 7, declared None"]
    other_key = clients("kms").create_key()["KeyMetadata"]["Arn"]
    keyed = make_request("Audit", "AWS::Logs::LogGroup", {"KmsKeyId": other_key})
    assert any(p.startswith("KmsKeyId is not set") for p in prov.verify(keyed, result))
    prov.delete(req, result)
    assert _names(logs, result.physical_id) == []
