"""VPC networking provisioners: VPC, subnets, gateways, EIPs and NAT gateways.

The first section holds the EC2 helpers :mod:`.ec2_routing` and :mod:`.ec2_security` share (tag
specifications, reading one item, comparing its properties and tags).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError, WaiterError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, read_first
from pytest_infra_parity.deploy.provisioners._shapes import api_call, as_bool
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    error_code,
    tag_differences,
    tag_list,
    tag_map,
)

# --------------------------------------------------------------------------- EC2 helpers


def tag_specs(request: ProvisionRequest, resource_type: str) -> list[dict[str, Any]] | None:
    """EC2 ``TagSpecifications`` for the declared tags plus the plugin's, or ``None`` when there are none."""
    tags = tag_list(request)
    return [{"ResourceType": resource_type, "Tags": tags}] if tags else None


def ec2_tag_differences(request: ProvisionRequest, live: Mapping[str, Any]) -> list[str]:
    return tag_differences(tag_map(request), {t["Key"]: t["Value"] for t in live.get("Tags") or []})


def describe_one(
    request: ProvisionRequest, method: str, ids_param: str, key: str, ident: str
) -> dict[str, Any]:
    """The single EC2 item ``ident``; :class:`ResourceMissing` when the target does not know it."""
    call = getattr(request.client("ec2"), method)
    return read_first(f"{request.logical_id} ({ident})", call, key, **{ids_param: [ident]})


def compare_props(request: ProvisionRequest, live: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    """Declared scalar properties that the live item (same field names) holds differently."""
    problems: list[str] = []
    for name in names:
        declared = request.prop(name)
        if declared is None:
            continue
        want = as_bool(declared) if isinstance(live.get(name), bool) else declared
        if isinstance(live.get(name), int) and not isinstance(live.get(name), bool):
            want = int(declared)
        problems.extend(differs(name, want, live.get(name)))
    return problems


def props(request: ProvisionRequest, *names: str) -> dict[str, Any]:
    """The declared values of ``names`` (``None`` when absent, which :func:`~._shapes.api_call` drops)."""
    return {name: request.prop(name) for name in names}


class Ec2Item:
    """An EC2 item read with ``describe_<items>(<Ids>=[id])`` and deleted with ``delete_<item>(<Id>=id)``."""

    resource_type: ClassVar[str]
    supported_properties: ClassVar[frozenset[str]]
    describe: ClassVar[tuple[str, str, str]]
    """(describe method, ids parameter, result key)."""
    remove: ClassVar[tuple[str, str]]
    """(delete method, id parameter)."""
    compared: ClassVar[tuple[str, ...]] = ()
    """Declared properties whose live field has the same name and value."""

    def live(self, request: ProvisionRequest, ident: str) -> dict[str, Any]:
        return describe_one(request, *self.describe, ident)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = self.live(request, result.physical_id)
        return compare_props(request, live, self.compared) + ec2_tag_differences(request, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        method, param = self.remove
        ignore_missing(getattr(request.client("ec2"), method), **{param: result.physical_id})

# --------------------------------------------------------------------------- VPC, subnets, gateways


@register
class VpcProvisioner(Ec2Item):
    """AWS::EC2::VPC. Identifier: the VPC id. Ref: the VPC id. GetAtt: VpcId, CidrBlock,
    CidrBlockAssociations, DefaultNetworkAcl, DefaultSecurityGroup, Ipv6CidrBlocks."""

    resource_type = "AWS::EC2::VPC"
    supported_properties = frozenset(
        {"CidrBlock", "EnableDnsSupport", "EnableDnsHostnames", "InstanceTenancy", "Tags"}
    )
    describe = ("describe_vpcs", "VpcIds", "Vpcs")
    remove = ("delete_vpc", "VpcId")
    compared = ("CidrBlock", "InstanceTenancy")
    _DNS = ("EnableDnsSupport", "EnableDnsHostnames")  # in this order: host names need DNS support

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        ec2 = request.client("ec2")
        params = props(request, "CidrBlock", "InstanceTenancy")
        vpc = api_call(ec2, "create_vpc", TagSpecifications=tag_specs(request, "vpc"), **params)["Vpc"]
        vpc_id = vpc["VpcId"]
        for name in self._DNS:
            if request.prop(name) is not None:
                api_call(ec2, "modify_vpc_attribute", VpcId=vpc_id, **{name: {"Value": request.prop(name)}})
        mine = {"Name": "vpc-id", "Values": [vpc_id]}
        groups = ec2.describe_security_groups(Filters=[mine, {"Name": "group-name", "Values": ["default"]}])
        acls = ec2.describe_network_acls(Filters=[mine, {"Name": "default", "Values": ["true"]}])
        return ProvisionResult(
            vpc_id,
            {
                "VpcId": vpc_id,
                "CidrBlock": vpc["CidrBlock"],
                "CidrBlockAssociations": [a["AssociationId"] for a in vpc.get("CidrBlockAssociationSet", [])],
                "DefaultSecurityGroup": next((g["GroupId"] for g in groups["SecurityGroups"]), None),
                "DefaultNetworkAcl": next((a["NetworkAclId"] for a in acls["NetworkAcls"]), None),
                "Ipv6CidrBlocks": [a["Ipv6CidrBlock"] for a in vpc.get("Ipv6CidrBlockAssociationSet", [])],
            },
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        problems = super().verify(request, result)
        for name in self._DNS:
            if request.prop(name) is not None:
                answer = request.client("ec2").describe_vpc_attribute(
                    VpcId=result.physical_id, Attribute=name[0].lower() + name[1:]
                )
                problems += differs(name, as_bool(request.prop(name)), answer[name]["Value"])
        return problems


@register
class SubnetProvisioner(Ec2Item):
    """AWS::EC2::Subnet. Identifier: the subnet id. Ref: the subnet id. GetAtt: SubnetId, AvailabilityZone,
    AvailabilityZoneId, CidrBlock, VpcId, Ipv6CidrBlocks."""

    resource_type = "AWS::EC2::Subnet"
    compared = ("VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId", "MapPublicIpOnLaunch")
    supported_properties = frozenset({*compared, "Tags"})
    describe = ("describe_subnets", "SubnetIds", "Subnets")
    remove = ("delete_subnet", "SubnetId")

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        ec2 = request.client("ec2")
        params = props(request, "VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId")
        params["TagSpecifications"] = tag_specs(request, "subnet")
        subnet = api_call(ec2, "create_subnet", **params)["Subnet"]
        if request.prop("MapPublicIpOnLaunch") is not None:
            flag = {"Value": request.prop("MapPublicIpOnLaunch")}
            api_call(ec2, "modify_subnet_attribute", SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch=flag)
        names = ("SubnetId", "AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "VpcId")
        attributes: dict[str, Any] = {name: subnet.get(name) for name in names}
        ipv6 = subnet.get("Ipv6CidrBlockAssociationSet", [])
        attributes["Ipv6CidrBlocks"] = [a["Ipv6CidrBlock"] for a in ipv6]
        return ProvisionResult(subnet["SubnetId"], attributes)


@register
class InternetGatewayProvisioner(Ec2Item):
    """AWS::EC2::InternetGateway. Identifier: the gateway id. Ref: the gateway id.
    GetAtt: InternetGatewayId."""

    resource_type = "AWS::EC2::InternetGateway"
    supported_properties = frozenset({"Tags"})
    describe = ("describe_internet_gateways", "InternetGatewayIds", "InternetGateways")
    remove = ("delete_internet_gateway", "InternetGatewayId")

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        specs = tag_specs(request, "internet-gateway")
        gateway_id = api_call(request.client("ec2"), "create_internet_gateway", TagSpecifications=specs)[
            "InternetGateway"
        ]["InternetGatewayId"]
        return ProvisionResult(gateway_id, {"InternetGatewayId": gateway_id})


@register
class VpcGatewayAttachmentProvisioner:
    """AWS::EC2::VPCGatewayAttachment. Identifier: ``<IGW|VGW>|<VpcId>``. Ref: that identifier.
    GetAtt: AttachmentType (``IGW`` or ``VGW``)."""

    resource_type: ClassVar[str] = "AWS::EC2::VPCGatewayAttachment"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"VpcId", "InternetGatewayId", "VpnGatewayId"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        kind, gateway, method = self._gateway(request)
        getattr(request.client("ec2"), f"attach_{method}")(VpcId=request.prop("VpcId"), **gateway)
        return ProvisionResult(f"{kind}|{request.prop('VpcId')}", {"AttachmentType": kind})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        kind, gateway, _ = self._gateway(request)
        ((param, ident),) = gateway.items()
        if kind == "IGW":
            live = describe_one(request, "describe_internet_gateways", f"{param}s", "InternetGateways", ident)
        else:
            live = describe_one(request, "describe_vpn_gateways", f"{param}s", "VpnGateways", ident)
        attachments = live.get("Attachments") or live.get("VpcAttachments") or []
        attached = [a for a in attachments if a.get("VpcId") == request.prop("VpcId")]
        if not attached or attached[0].get("State") in ("detached", "detaching"):
            raise ResourceMissing(f"{request.logical_id}: {ident} is not attached to {request.prop('VpcId')}")
        return []

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        _, gateway, method = self._gateway(request)
        try:
            detach = getattr(request.client("ec2"), f"detach_{method}")
            ignore_missing(detach, VpcId=request.prop("VpcId"), **gateway)
        except ClientError as exc:
            if error_code(exc) != "Gateway.NotAttached":
                raise

    @staticmethod
    def _gateway(request: ProvisionRequest) -> tuple[str, dict[str, Any], str]:
        if request.prop("InternetGatewayId"):
            return "IGW", {"InternetGatewayId": request.prop("InternetGatewayId")}, "internet_gateway"
        if request.prop("VpnGatewayId"):
            return "VGW", {"VpnGatewayId": request.prop("VpnGatewayId")}, "vpn_gateway"
        raise ProvisionError(f"{request.logical_id}: give InternetGatewayId or VpnGatewayId")

# --------------------------------------------------------------------------- addresses, NAT


@register
class EipProvisioner(Ec2Item):
    """AWS::EC2::EIP. Identifier: the public IP. Ref: the public IP. GetAtt: AllocationId, PublicIp."""

    resource_type = "AWS::EC2::EIP"
    supported_properties = frozenset({"Domain", "Tags"})
    describe = ("describe_addresses", "PublicIps", "Addresses")
    compared = ("Domain",)

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        specs = tag_specs(request, "elastic-ip")
        address = api_call(
            request.client("ec2"), "allocate_address", Domain=request.prop("Domain", "vpc"),
            TagSpecifications=specs,
        )
        attributes = {"AllocationId": address.get("AllocationId"), "PublicIp": address["PublicIp"]}
        return ProvisionResult(address["PublicIp"], attributes)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        allocation = result.attributes.get("AllocationId")
        address = {"AllocationId": allocation} if allocation else {"PublicIp": result.physical_id}
        ignore_missing(request.client("ec2").release_address, **address)


@register
class NatGatewayProvisioner(Ec2Item):
    """AWS::EC2::NatGateway. Identifier: the NAT gateway id. Ref: the NAT gateway id. GetAtt: NatGatewayId."""

    resource_type = "AWS::EC2::NatGateway"
    _FIELDS = ("SubnetId", "AllocationId", "ConnectivityType", "PrivateIpAddress")
    supported_properties = frozenset({*_FIELDS, "Tags"})
    describe = ("describe_nat_gateways", "NatGatewayIds", "NatGateways")
    compared = ("SubnetId", "ConnectivityType")

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        ec2 = request.client("ec2")
        params = props(request, *self._FIELDS)
        params["TagSpecifications"] = tag_specs(request, "natgateway")
        nat_id = api_call(ec2, "create_nat_gateway", **params)["NatGateway"]["NatGatewayId"]
        try:  # CloudFormation waits until the gateway is available
            ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_id])
        except WaiterError as exc:
            raise ProvisionError(f"{request.logical_id}: NAT gateway {nat_id} is not available") from exc
        return ProvisionResult(nat_id, {"NatGatewayId": nat_id})

    def live(self, request: ProvisionRequest, ident: str) -> dict[str, Any]:
        live = super().live(request, ident)
        if live.get("State") in ("deleting", "deleted", "failed"):
            raise ResourceMissing(f"{request.logical_id} ({ident}) is {live['State']}")
        address: dict[str, Any] = next(iter(live.get("NatGatewayAddresses") or []), {})
        live.update(AllocationId=address.get("AllocationId"), PrivateIpAddress=address.get("PrivateIp"))
        return live

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = self.live(request, result.physical_id)
        return compare_props(request, live, self._FIELDS) + ec2_tag_differences(request, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ec2 = request.client("ec2")
        if ignore_missing(ec2.delete_nat_gateway, NatGatewayId=result.physical_id) is not None:
            # As CloudFormation does, wait: the EIP can only be released once the gateway is gone.
            ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[result.physical_id])
