"""IAM roles, and the IAM helpers :mod:`.iam_policies` shares.

The helpers write policy documents, attach managed policies, paginate and compare inline policies.

AWS managed policies (``arn:aws:iam::aws:policy/...``, which SAM-generated roles attach) must be known
to the target. moto knows them only when its IAM backend loads them: a moto server started with
``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` before the account's first IAM call (the moto target and the
test fixtures start it so). A target that does not know the policy is a :class:`ProvisionError` that
says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, read_or_missing
from pytest_infra_parity.deploy.provisioners._shapes import (
    as_int,
    json_document,
    json_text,
    policy_differences,
)
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    default_name,
    differs,
    error_code,
    is_not_found,
    tag_differences,
    tag_list,
    tag_map,
)

_ROLE_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-"


def write_document(call: Any, **params: Any) -> Any:
    """An IAM write that carries a ``PolicyDocument`` (``PutRolePolicy``, ``CreatePolicy``...)."""
    try:
        return call(**params)
    except Exception as exc:
        document = json_document(params["PolicyDocument"])
        if error_code(exc) != "MalformedPolicyDocument" or "2012-10-17" not in str(exc):
            raise
        if not isinstance(document, dict) or "Version" in document:
            raise
    # moto: rejects a document without Version (SAM writes inline policies so), which AWS accepts and
    # reads as version 2008-10-17; send it with the current version instead.
    return call(**{**params, "PolicyDocument": json.dumps({"Version": "2012-10-17", **document})})


def attach(request: ProvisionRequest, kind: str, name: str, policy_arn: str) -> None:
    """Attach a managed policy to a role, user or group (AWS managed policies included, see above)."""
    attach_policy = getattr(request.client("iam"), f"attach_{kind}_policy")
    try:
        attach_policy(**{f"{kind.capitalize()}Name": name, "PolicyArn": policy_arn})
    except ClientError as exc:
        if not (error_code(exc) == "NoSuchEntity" and ":iam::aws:policy/" in policy_arn):
            raise
        # moto: a server started without MOTO_IAM_LOAD_MANAGED_POLICIES=true knows no AWS managed policy.
        raise ProvisionError(
            f"{request.logical_id}: the target does not know the AWS managed policy {policy_arn}; "
            "on moto, start the server with MOTO_IAM_LOAD_MANAGED_POLICIES=true"
        ) from exc


def paginate(iam: Any, operation: str, key: str, **kwargs: Any) -> Iterable[Any]:
    for page in iam.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


@register
class RoleProvisioner:
    """``AWS::IAM::Role``: primary identifier ``RoleName``; ``Ref`` returns the role name.

    ``Fn::GetAtt``: ``Arn``, ``RoleId``. Deleting detaches the managed policies and deletes the inline
    policies first.
    """

    resource_type: ClassVar[str] = "AWS::IAM::Role"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "RoleName",
            "AssumeRolePolicyDocument",
            "ManagedPolicyArns",
            "Policies",
            "Path",
            "Description",
            "MaxSessionDuration",
            "PermissionsBoundary",
            "Tags",
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        iam = request.client("iam")
        name = request.prop("RoleName") or default_name(request, max_length=64, allowed=_ROLE_NAME_CHARS)
        params: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": json_text(request.prop("AssumeRolePolicyDocument")),
            "Path": request.prop("Path", "/"),
            "Tags": tag_list(request),
        }
        if request.prop("Description") is not None:
            params["Description"] = request.prop("Description")
        if request.prop("MaxSessionDuration") is not None:
            params["MaxSessionDuration"] = as_int(request.prop("MaxSessionDuration"))
        if request.prop("PermissionsBoundary") is not None:
            params["PermissionsBoundary"] = request.prop("PermissionsBoundary")
        role = iam.create_role(**params)["Role"]
        for policy in request.prop("Policies") or []:
            write_document(
                iam.put_role_policy,
                RoleName=name,
                PolicyName=policy["PolicyName"],
                PolicyDocument=json_text(policy["PolicyDocument"]),
            )
        for arn in request.prop("ManagedPolicyArns") or []:
            attach(request, "role", name, str(arn))
        return ProvisionResult(physical_id=name, attributes={"Arn": role["Arn"], "RoleId": role["RoleId"]})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        iam = request.client("iam")
        name = result.physical_id
        role = read_or_missing(f"IAM role {name} ({request.logical_id})", iam.get_role, RoleName=name)["Role"]
        problems = policy_differences(
            "AssumeRolePolicyDocument",
            request.prop("AssumeRolePolicyDocument"),
            role.get("AssumeRolePolicyDocument"),
        )
        problems += differs("Path", request.prop("Path", "/"), role.get("Path"))
        if request.prop("Description") is not None:
            problems += differs("Description", request.prop("Description"), role.get("Description"))
        if request.prop("MaxSessionDuration") is not None:
            problems += differs(
                "MaxSessionDuration",
                as_int(request.prop("MaxSessionDuration")),
                role.get("MaxSessionDuration"),
            )
        if request.prop("PermissionsBoundary") is not None:
            live_boundary = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
            problems += differs("PermissionsBoundary", request.prop("PermissionsBoundary"), live_boundary)
        attached = {
            p["PolicyArn"]
            for p in paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
        }
        for arn in request.prop("ManagedPolicyArns") or []:
            if arn not in attached:
                problems.append(f"ManagedPolicyArns: {arn} is not attached")
        for policy in request.prop("Policies") or []:
            problems += inline_differences(iam, "role", name, policy["PolicyName"], policy["PolicyDocument"])
        live_tags = {t["Key"]: t["Value"] for t in paginate(iam, "list_role_tags", "Tags", RoleName=name)}
        problems += tag_differences(tag_map(request), live_tags)
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        iam = request.client("iam")
        name = result.physical_id
        try:
            attached = [
                p["PolicyArn"]
                for p in paginate(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
            ]
            inline = list(paginate(iam, "list_role_policies", "PolicyNames", RoleName=name))
        except Exception as exc:
            if is_not_found(exc):
                return
            raise
        for arn in attached:
            ignore_missing(iam.detach_role_policy, RoleName=name, PolicyArn=arn)
        for policy_name in inline:
            ignore_missing(iam.delete_role_policy, RoleName=name, PolicyName=policy_name)
        ignore_missing(iam.delete_role, RoleName=name)


def inline_differences(iam: Any, kind: str, owner: str, policy_name: str, declared: Any) -> list[str]:
    label = f"inline policy {policy_name!r} of {kind} {owner}"
    try:
        live = getattr(iam, f"get_{kind}_policy")(
            **{f"{kind.capitalize()}Name": owner, "PolicyName": policy_name}
        )
    except Exception as exc:
        if is_not_found(exc):
            return [f"{label} does not exist"]
        raise
    return policy_differences(label, declared, live.get("PolicyDocument"))
