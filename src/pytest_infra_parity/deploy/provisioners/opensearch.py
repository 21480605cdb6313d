"""OpenSearch Service domains.

Emulated store: when the target answers that OpenSearch is not implemented, the declared domain is
kept with :mod:`._emulated` instead; never on moto, which implements every call used here.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import (
    SLOW,
    delete_and_wait,
    emulate,
    emulated_or_raise,
    same_key,
    wait_for,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import coerced, json_document, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    is_not_found,
    tag_differences,
    tag_list,
    tag_map,
)

_BLOCKS = (
    "ClusterConfig",
    "EBSOptions",
    "EncryptionAtRestOptions",
    "NodeToNodeEncryptionOptions",
    "DomainEndpointOptions",
    "VPCOptions",
    "AdvancedSecurityOptions",
    "SnapshotOptions",
    "AdvancedOptions",
    "CognitoOptions",
    "LogPublishingOptions",
    "SoftwareUpdateOptions",
    "OffPeakWindowOptions",
)
"""Configuration blocks passed to CreateDomain as declared and compared key by key on read-back."""


def _create_params(request: ProvisionRequest, name: str) -> dict[str, Any]:
    params: dict[str, Any] = {"DomainName": name, "TagList": tag_list(request)}
    for key in (*_BLOCKS, "EngineVersion", "IPAddressType"):
        if key in request.properties:
            params[key] = request.properties[key]
    if "AccessPolicies" in request.properties:
        params["AccessPolicies"] = json.dumps(json_document(request.prop("AccessPolicies")))
    return coerced(request.client("opensearch"), "create_domain", params)


def _describe(request: ProvisionRequest, name: str) -> dict[str, Any]:
    try:
        status: dict[str, Any] = request.client("opensearch").describe_domain(DomainName=name)["DomainStatus"]
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceMissing(f"{request.logical_id}: OpenSearch domain {name}") from exc
        raise
    if status.get("Deleted"):
        raise ResourceMissing(f"{request.logical_id}: OpenSearch domain {name} is being deleted")
    return status


def _ready(request: ProvisionRequest, name: str) -> bool:
    status = _describe(request, name)
    return not status.get("Processing") and bool(status.get("Endpoint") or status.get("Endpoints"))


def _block_differences(request: ProvisionRequest, key: str, block: Mapping[str, Any], live: Any) -> list[str]:
    declared = dict(block)
    live = dict(live or {})
    problems: list[str] = []
    if key == "EncryptionAtRestOptions" and "KmsKeyId" in declared:
        wanted, key_id = declared.pop("KmsKeyId"), live.get("KmsKeyId")
        if not same_key(request, wanted, key_id):
            problems.append(f"EncryptionAtRestOptions.KmsKeyId is {key_id!r}, declared {wanted!r}")
    if key == "AdvancedSecurityOptions":
        declared.pop("MasterUserOptions", None)  # write-only: the master password is never returned
    if key == "VPCOptions":
        for ids in ("SubnetIds", "SecurityGroupIds"):
            if ids in declared:
                problems += differs(f"VPCOptions.{ids}", sorted(declared.pop(ids)), sorted(live.get(ids, [])))
    return problems + subset_differences(key, declared, live)


@register
class DomainProvisioner:
    """AWS::OpenSearchService::Domain. Primary identifier: DomainName.

    Ref returns the domain name. Fn::GetAtt: Arn, DomainArn, DomainEndpoint, DomainEndpoints,
    DomainEndpointV2 (dual-stack domains), Id (``<account>/<domain name>``).
    """

    resource_type: ClassVar[str] = "AWS::OpenSearchService::Domain"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {*_BLOCKS, "DomainName", "EngineVersion", "IPAddressType", "AccessPolicies", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = str(request.prop("DomainName") or default_name(
            request, 28, lowercase=True, allowed=string.ascii_letters + string.digits + "-"))
        try:
            request.client("opensearch").create_domain(**_create_params(request, name))
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                arn = f"arn:aws:es:{request.region}:{request.account_id}:domain/{name}"
                endpoint = f"search-{name}-emulated.{request.region}.es.amazonaws.com"
                return emulate(request, name, {"Arn": arn, "DomainArn": arn, "DomainEndpoint": endpoint,
                                               "Id": f"{request.account_id}/{name}"}, exc)
            raise
        wait_for(f"{request.logical_id}: OpenSearch domain {name} ready", lambda: _ready(request, name),
                 *SLOW)
        status = _describe(request, name)
        endpoints = dict(status.get("Endpoints") or {})
        attributes: dict[str, Any] = {
            "Arn": status["ARN"], "DomainArn": status["ARN"], "Id": status["DomainId"],
            "DomainEndpoint": status.get("Endpoint") or endpoints.get("vpc", ""),
            "DomainEndpoints": endpoints,
        }
        if status.get("EndpointV2"):
            attributes["DomainEndpointV2"] = status["EndpointV2"]
        return ProvisionResult(physical_id=name, attributes=attributes)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            status = _describe(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        declared = _create_params(request, result.physical_id)
        problems: list[str] = []
        for key in ("EngineVersion", "IPAddressType"):
            if key in declared:
                problems += differs(key, declared[key], status.get(key))
        if "AccessPolicies" in declared:
            live_policy = json_document(status.get("AccessPolicies") or "{}")
            problems += differs("AccessPolicies", json.loads(declared["AccessPolicies"]), live_policy)
        for key in _BLOCKS:
            if key in declared:
                problems += _block_differences(request, key, declared[key], status.get(key))
        tags = request.client("opensearch").list_tags(ARN=status["ARN"])["TagList"]
        return problems + tag_differences(tag_map(request), {t["Key"]: t["Value"] for t in tags})

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        name = result.physical_id
        delete_and_wait(request, f"OpenSearch domain {name}", lambda: _deleted(request, name),
                        request.client("opensearch").delete_domain, DomainName=name)


def _deleted(request: ProvisionRequest, name: str) -> bool:
    try:
        request.client("opensearch").describe_domain(DomainName=name)
    except ClientError as exc:
        if is_not_found(exc):
            return True
        raise
    return False
