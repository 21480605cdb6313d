"""Helpers shared by the provisioner tests: look-up, create, delete checks, not-found probes, networks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_infra_parity.deploy import provisioners
from pytest_infra_parity.deploy.provisioners import (
    Provisioner,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
)

Build = Callable[..., ProvisionRequest]
Clients = Callable[[str], Any]
Deployed = tuple[Any, ProvisionRequest, ProvisionResult]


def provisioner_for(resource_type: str) -> Provisioner:
    """The registered provisioner of a CloudFormation type; the test fails when there is none."""
    found = provisioners.get(resource_type)
    assert found is not None, resource_type
    return found


def create(make_request: Build, logical_id: str, resource_type: str, properties: dict[str, Any]) -> Deployed:
    """Build the request and create the resource: ``(provisioner, request, result)``."""
    provisioner = provisioner_for(resource_type)
    request = make_request(logical_id, resource_type, properties)
    return provisioner, request, provisioner.create(request)


def assert_deleted(
    provisioner: Any,
    request: ProvisionRequest,
    result: ProvisionResult,
    gone: Callable[[], bool] | None = None,
) -> None:
    """Delete; then ``gone()`` (if given) holds, verify raises ResourceMissing, a second delete is a no-op."""
    provisioner.delete(request, result)
    if gone is not None:
        assert gone(), f"{request.logical_id} is still there after delete"
    with pytest.raises(ResourceMissing):
        provisioner.verify(request, result)
    provisioner.delete(request, result)


def assert_all_in_sync(deployed: Iterable[Deployed]) -> None:
    """Each deployed resource verifies without a difference."""
    for provisioner, request, result in deployed:
        assert provisioner.verify(request, result) == [], request.logical_id


def tear_down(deployed: list[Deployed]) -> None:
    """Delete in reverse order; each resource is then gone, and a second delete is a no-op."""
    for provisioner, request, result in reversed(deployed):
        assert_deleted(provisioner, request, result)


def error_code(call: Callable[..., Any], **params: Any) -> str | None:
    """The error code ``call(**params)`` fails with, or ``None`` when it succeeds."""
    try:
        call(**params)
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return None


def raises(error: type[BaseException], call: Callable[..., Any], **params: Any) -> bool:
    """Whether ``call(**params)`` raises ``error`` (any other exception propagates)."""
    try:
        call(**params)
    except error:
        return True
    return False


def tag_dict(tags: Iterable[dict[str, str]]) -> dict[str, str]:
    """``[{"Key": k, "Value": v}, ...]`` as ``{k: v}``."""
    return {t["Key"]: t["Value"] for t in tags}


def new_key(kms: Any, alias: str | None = None) -> dict[str, Any]:
    """The metadata of a fresh KMS key, given ``alias`` when one is named."""
    meta: dict[str, Any] = kms.create_key()["KeyMetadata"]
    if alias is not None:
        kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    return meta


def new_queue_arn(clients: Clients, name: str) -> str:
    """The ARN of a new SQS queue."""
    sqs = clients("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def new_network(
    clients: Clients,
    prefix: str,
    group_name: str,
    description: str,
    key_description: str | None = None,
    key_field: str = "Arn",
) -> dict[str, Any]:
    """A VPC ``<prefix>.0.0/16``, subnets ``<prefix>.1.0/24`` (zone a) and ``.2.0/24`` (zone b), a group.

    With ``key_description``, also a KMS key of that description, its ``key_field`` under ``"key"``.
    """
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock=f"{prefix}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{prefix}.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")[
            "Subnet"
        ]["SubnetId"]
        for i, zone in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName=group_name, Description=description, VpcId=vpc)["GroupId"]
    network = {"vpc": vpc, "subnets": subnets, "group": group}
    if key_description is not None:
        network["key"] = clients("kms").create_key(Description=key_description)["KeyMetadata"][key_field]
    return network
