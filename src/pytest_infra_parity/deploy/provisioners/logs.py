"""CloudWatch Logs log groups."""

from __future__ import annotations

import string
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, key_differences
from pytest_infra_parity.deploy.provisioners._shapes import as_int
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    tag_differences,
    tag_map,
)

_NAME_CHARS = string.ascii_letters + string.digits + "_-/.#"


def _describe(request: ProvisionRequest, name: str) -> dict[str, Any]:
    logs = request.client("logs")
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name):
        for group in page.get("logGroups", []):
            if group.get("logGroupName") == name:
                return dict(group)
    raise ResourceMissing(f"log group {name} ({request.logical_id}) does not exist")


def _group_arn(group: dict[str, Any]) -> str:
    """The log group ARN without the ``:*`` suffix (what the tagging API takes)."""
    arn = str(group.get("logGroupArn") or group["arn"])
    return arn[:-2] if arn.endswith(":*") else arn


@register
class LogGroupProvisioner:
    """``AWS::Logs::LogGroup``: primary identifier ``LogGroupName``; ``Ref`` returns the log group name.

    ``Fn::GetAtt``: ``Arn`` (``arn:...:log-group:<name>:*``, as CloudFormation gives it).
    Without ``RetentionInDays`` the events never expire.
    """

    resource_type: ClassVar[str] = "AWS::Logs::LogGroup"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"LogGroupName", "RetentionInDays", "KmsKeyId", "LogGroupClass", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        logs = request.client("logs")
        name = request.prop("LogGroupName") or default_name(request, max_length=512, allowed=_NAME_CHARS)
        params: dict[str, Any] = {"logGroupName": name, "tags": tag_map(request)}
        if request.prop("KmsKeyId") is not None:
            params["kmsKeyId"] = request.prop("KmsKeyId")
        if request.prop("LogGroupClass") is not None:
            params["logGroupClass"] = request.prop("LogGroupClass")
        logs.create_log_group(**params)
        if request.prop("RetentionInDays") is not None:
            logs.put_retention_policy(
                logGroupName=name, retentionInDays=as_int(request.prop("RetentionInDays"))
            )
        group = _describe(request, name)
        arn = _group_arn(group) + ":*"
        return ProvisionResult(physical_id=name, attributes={"Arn": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        group = _describe(request, result.physical_id)
        retention = request.prop("RetentionInDays")
        problems = differs(
            "RetentionInDays",
            as_int(retention) if retention is not None else None,
            group.get("retentionInDays"),
        )
        problems += key_differences(request, "KmsKeyId", request.prop("KmsKeyId"), group.get("kmsKeyId"))
        # moto: logGroupClass is accepted and dropped (never returned); compared only when the target
        # reports it (AWS always does).
        if request.prop("LogGroupClass") is not None and "logGroupClass" in group:
            problems += differs("LogGroupClass", request.prop("LogGroupClass"), group["logGroupClass"])
        live_tags = (
            request.client("logs").list_tags_for_resource(resourceArn=_group_arn(group)).get("tags", {})
        )
        problems += tag_differences(tag_map(request), live_tags)
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("logs").delete_log_group, logGroupName=result.physical_id)
