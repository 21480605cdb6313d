"""IAM inline policies (``AWS::IAM::Policy``) and customer managed policies."""

from __future__ import annotations

from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, read_or_missing
from pytest_infra_parity.deploy.provisioners._shapes import json_text, policy_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    is_not_found,
    tag_list,
)
from pytest_infra_parity.deploy.provisioners.iam import attach, inline_differences, write_document

_PRINCIPALS = (("Roles", "role"), ("Users", "user"), ("Groups", "group"))


@register
class PolicyProvisioner:
    """``AWS::IAM::Policy`` (an inline policy put on roles, users and groups): primary identifier
    ``Id``; ``Ref`` returns that generated id. ``Fn::GetAtt``: ``Id``.
    """

    resource_type: ClassVar[str] = "AWS::IAM::Policy"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"PolicyName", "PolicyDocument", "Roles", "Users", "Groups"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        iam = request.client("iam")
        document = json_text(request.prop("PolicyDocument"))
        for prop, kind in _PRINCIPALS:
            for owner in request.prop(prop) or []:
                write_document(
                    getattr(iam, f"put_{kind}_policy"),
                    **{f"{kind.capitalize()}Name": owner},
                    PolicyName=request.prop("PolicyName"),
                    PolicyDocument=document,
                )
        physical_id = default_name(request, max_length=64)
        return ProvisionResult(physical_id=physical_id, attributes={"Id": physical_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        iam = request.client("iam")
        problems: list[str] = []
        owners = missing = 0
        for prop, kind in _PRINCIPALS:
            for owner in request.prop(prop) or []:
                found = inline_differences(
                    iam, kind, owner, request.prop("PolicyName"), request.prop("PolicyDocument")
                )
                owners += 1
                missing += any(line.endswith(" does not exist") for line in found)
                problems += found
        if owners and missing == owners:
            raise ResourceMissing(
                f"IAM policy {request.prop('PolicyName')} ({request.logical_id}) is on no principal"
            )
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        iam = request.client("iam")
        for prop, kind in _PRINCIPALS:
            for owner in request.prop(prop) or []:
                ignore_missing(
                    getattr(iam, f"delete_{kind}_policy"),
                    **{f"{kind.capitalize()}Name": owner},
                    PolicyName=request.prop("PolicyName"),
                )


@register
class ManagedPolicyProvisioner:
    """``AWS::IAM::ManagedPolicy``: primary identifier ``PolicyArn``; ``Ref`` returns the policy ARN.

    ``Fn::GetAtt``: ``PolicyArn``, ``PolicyId``, ``DefaultVersionId``, ``AttachmentCount``,
    ``IsAttachable``, ``PermissionsBoundaryUsageCount``, ``CreateDate``, ``UpdateDate``.
    """

    resource_type: ClassVar[str] = "AWS::IAM::ManagedPolicy"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"ManagedPolicyName", "PolicyDocument", "Roles", "Users", "Groups", "Description", "Path"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        iam = request.client("iam")
        params: dict[str, Any] = {
            "PolicyName": request.prop("ManagedPolicyName") or default_name(request, max_length=128),
            "PolicyDocument": json_text(request.prop("PolicyDocument")),
            "Path": request.prop("Path", "/"),
            "Tags": tag_list(request, declared=[]),
        }
        if request.prop("Description") is not None:
            params["Description"] = request.prop("Description")
        arn = write_document(iam.create_policy, **params)["Policy"]["Arn"]
        for prop, kind in _PRINCIPALS:
            for owner in request.prop(prop) or []:
                attach(request, kind, owner, arn)
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        attributes = {
            "PolicyArn": arn,
            "PolicyId": policy["PolicyId"],
            "DefaultVersionId": policy["DefaultVersionId"],
            "AttachmentCount": policy.get("AttachmentCount", 0),
            "IsAttachable": policy.get("IsAttachable", True),
            "PermissionsBoundaryUsageCount": policy.get("PermissionsBoundaryUsageCount", 0),
            "CreateDate": str(policy.get("CreateDate", "")),
            "UpdateDate": str(policy.get("UpdateDate", "")),
        }
        return ProvisionResult(physical_id=arn, attributes=attributes)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        iam = request.client("iam")
        arn = result.physical_id
        what = f"IAM managed policy {arn} ({request.logical_id})"
        policy = read_or_missing(what, iam.get_policy, PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        problems = policy_differences(
            "PolicyDocument", request.prop("PolicyDocument"), version.get("Document")
        )
        problems += differs("Path", request.prop("Path", "/"), policy.get("Path"))
        if request.prop("ManagedPolicyName") is not None:
            problems += differs(
                "ManagedPolicyName", request.prop("ManagedPolicyName"), policy.get("PolicyName")
            )
        if request.prop("Description") is not None:
            problems += differs("Description", request.prop("Description"), policy.get("Description"))
        entities = iam.list_entities_for_policy(PolicyArn=arn)
        live = {
            "Roles": {r["RoleName"] for r in entities.get("PolicyRoles", [])},
            "Users": {u["UserName"] for u in entities.get("PolicyUsers", [])},
            "Groups": {g["GroupName"] for g in entities.get("PolicyGroups", [])},
        }
        for prop, _kind in _PRINCIPALS:
            for owner in request.prop(prop) or []:
                if owner not in live[prop]:
                    problems.append(f"{prop}: the policy is not attached to {owner}")
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        iam = request.client("iam")
        arn = result.physical_id
        try:
            entities = iam.list_entities_for_policy(PolicyArn=arn)
            versions = iam.list_policy_versions(PolicyArn=arn).get("Versions", [])
        except Exception as exc:
            if is_not_found(exc):
                return
            raise
        for role in entities.get("PolicyRoles", []):
            ignore_missing(iam.detach_role_policy, RoleName=role["RoleName"], PolicyArn=arn)
        for user in entities.get("PolicyUsers", []):
            ignore_missing(iam.detach_user_policy, UserName=user["UserName"], PolicyArn=arn)
        for group in entities.get("PolicyGroups", []):
            ignore_missing(iam.detach_group_policy, GroupName=group["GroupName"], PolicyArn=arn)
        for version in versions:
            if not version.get("IsDefaultVersion"):
                ignore_missing(iam.delete_policy_version, PolicyArn=arn, VersionId=version["VersionId"])
        ignore_missing(iam.delete_policy, PolicyArn=arn)
