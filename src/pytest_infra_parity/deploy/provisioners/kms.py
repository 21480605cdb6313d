"""KMS keys and aliases.

(The key-identifier comparison the other provisioners use, :func:`._common.key_differences`, resolves
a key id, key ARN, alias name or alias ARN to the key ARN through ``DescribeKey``.)
"""

from __future__ import annotations

from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, key_differences, read_or_missing
from pytest_infra_parity.deploy.provisioners._shapes import as_bool, as_int, json_text, policy_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    tag_differences,
    tag_map,
)

_GONE_STATES = frozenset({"PendingDeletion", "PendingReplicaDeletion"})


def _describe(request: ProvisionRequest, key_id: str) -> dict[str, Any]:
    what = f"KMS key {key_id} ({request.logical_id})"
    described = read_or_missing(what, request.client("kms").describe_key, KeyId=key_id)
    meta: dict[str, Any] = described["KeyMetadata"]
    if meta.get("KeyState") in _GONE_STATES:
        raise ResourceMissing(f"KMS key {key_id} ({request.logical_id}) is {meta['KeyState']}")
    return meta


@register
class KeyProvisioner:
    """``AWS::KMS::Key``: primary identifier ``KeyId``; ``Ref`` returns the key id.

    ``Fn::GetAtt``: ``Arn`` (the key ARN), ``KeyId``. Deleting schedules the key's deletion after
    ``PendingWindowInDays`` (7 when not declared), as CloudFormation does.
    """

    resource_type: ClassVar[str] = "AWS::KMS::Key"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "Description",
            "KeyPolicy",
            "EnableKeyRotation",
            "RotationPeriodInDays",
            "KeySpec",
            "KeyUsage",
            "Enabled",
            "PendingWindowInDays",
            "MultiRegion",
            "BypassPolicyLockoutSafetyCheck",
            "Tags",
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        kms = request.client("kms")
        params: dict[str, Any] = {
            "KeySpec": request.prop("KeySpec", "SYMMETRIC_DEFAULT"),
            "KeyUsage": request.prop("KeyUsage", "ENCRYPT_DECRYPT"),
            "MultiRegion": as_bool(request.prop("MultiRegion", False)),
            "Tags": [{"TagKey": k, "TagValue": v} for k, v in tag_map(request).items()],
        }
        if request.prop("Description") is not None:
            params["Description"] = request.prop("Description")
        if request.prop("KeyPolicy") is not None:
            params["Policy"] = json_text(request.prop("KeyPolicy"))
        if request.prop("BypassPolicyLockoutSafetyCheck") is not None:
            params["BypassPolicyLockoutSafetyCheck"] = as_bool(request.prop("BypassPolicyLockoutSafetyCheck"))
        meta = kms.create_key(**params)["KeyMetadata"]
        key_id = meta["KeyId"]
        if as_bool(request.prop("EnableKeyRotation", False)):
            rotation: dict[str, Any] = {"KeyId": key_id}
            if request.prop("RotationPeriodInDays") is not None:
                rotation["RotationPeriodInDays"] = as_int(request.prop("RotationPeriodInDays"))
            kms.enable_key_rotation(**rotation)
        if not as_bool(request.prop("Enabled", True)):
            kms.disable_key(KeyId=key_id)
        return ProvisionResult(physical_id=key_id, attributes={"Arn": meta["Arn"], "KeyId": key_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        kms = request.client("kms")
        key_id = result.physical_id
        meta = _describe(request, key_id)
        problems: list[str] = []
        for prop, field in (("Description", "Description"), ("KeySpec", "KeySpec"), ("KeyUsage", "KeyUsage")):
            if request.prop(prop) is not None:
                problems += differs(prop, request.prop(prop), meta.get(field))
        if request.prop("MultiRegion") is not None:
            problems += differs("MultiRegion", as_bool(request.prop("MultiRegion")), meta.get("MultiRegion"))
        problems += differs("Enabled", as_bool(request.prop("Enabled", True)), meta.get("Enabled"))
        if meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT":
            status = kms.get_key_rotation_status(KeyId=key_id)
            declared_rotation = as_bool(request.prop("EnableKeyRotation", False))
            problems += differs("EnableKeyRotation", declared_rotation, status.get("KeyRotationEnabled"))
            # moto: GetKeyRotationStatus never returns RotationPeriodInDays, so it is compared only when
            # the target reports it.
            if (
                declared_rotation
                and request.prop("RotationPeriodInDays") is not None
                and ("RotationPeriodInDays" in status)
            ):
                problems += differs(
                    "RotationPeriodInDays",
                    as_int(request.prop("RotationPeriodInDays")),
                    status["RotationPeriodInDays"],
                )
        if request.prop("KeyPolicy") is not None:
            live_policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
            problems += policy_differences("KeyPolicy", request.prop("KeyPolicy"), live_policy)
        live_tags = kms.list_resource_tags(KeyId=key_id).get("Tags", [])
        problems += tag_differences(tag_map(request), {t["TagKey"]: t["TagValue"] for t in live_tags})
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        try:
            _describe(request, result.physical_id)
        except ResourceMissing:
            return
        window = as_int(request.prop("PendingWindowInDays", 7))
        kms = request.client("kms")
        ignore_missing(kms.schedule_key_deletion, KeyId=result.physical_id, PendingWindowInDays=window)


@register
class AliasProvisioner:
    """``AWS::KMS::Alias``: primary identifier ``AliasName``; ``Ref`` returns the alias name
    (``alias/...``). No ``Fn::GetAtt`` attributes. ``TargetKeyId`` may be a key id, key ARN or alias.
    """

    resource_type: ClassVar[str] = "AWS::KMS::Alias"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"AliasName", "TargetKeyId"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        alias_name = str(request.prop("AliasName"))
        target = _describe(request, str(request.prop("TargetKeyId")))["KeyId"]
        request.client("kms").create_alias(AliasName=alias_name, TargetKeyId=target)
        return ProvisionResult(physical_id=alias_name)

    def _find(self, request: ProvisionRequest, alias_name: str) -> dict[str, Any]:
        paginator = request.client("kms").get_paginator("list_aliases")
        for page in paginator.paginate():
            for alias in page.get("Aliases", []):
                if alias.get("AliasName") == alias_name:
                    return dict(alias)
        raise ResourceMissing(f"KMS alias {alias_name} ({request.logical_id}) does not exist")

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        alias = self._find(request, result.physical_id)
        live_target = alias.get("TargetKeyId")
        return key_differences(request, "TargetKeyId", request.prop("TargetKeyId"), live_target)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("kms").delete_alias, AliasName=result.physical_id)
