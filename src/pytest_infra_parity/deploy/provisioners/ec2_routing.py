"""VPC routing provisioners: route tables, routes, subnet associations and VPC endpoints."""

from __future__ import annotations

from typing import ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing
from pytest_infra_parity.deploy.provisioners._shapes import api_call, json_document, json_text
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
)
from pytest_infra_parity.deploy.provisioners.ec2_network import (
    Ec2Item,
    compare_props,
    describe_one,
    ec2_tag_differences,
    props,
    tag_specs,
)

# --------------------------------------------------------------------------- routing


@register
class RouteTableProvisioner(Ec2Item):
    """AWS::EC2::RouteTable. Identifier: the route table id. Ref: the route table id. GetAtt: RouteTableId."""

    resource_type = "AWS::EC2::RouteTable"
    supported_properties = frozenset({"VpcId", "Tags"})
    describe = ("describe_route_tables", "RouteTableIds", "RouteTables")
    remove = ("delete_route_table", "RouteTableId")
    compared = ("VpcId",)

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        specs = tag_specs(request, "route-table")
        ec2, vpc_id = request.client("ec2"), request.prop("VpcId")
        table = api_call(ec2, "create_route_table", VpcId=vpc_id, TagSpecifications=specs)
        table_id = table["RouteTable"]["RouteTableId"]
        return ProvisionResult(table_id, {"RouteTableId": table_id})


_DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")
_ROUTE_TARGETS = (
    "GatewayId", "NatGatewayId", "VpcEndpointId", "TransitGatewayId", "VpcPeeringConnectionId",
    "NetworkInterfaceId", "EgressOnlyInternetGatewayId", "InstanceId",
)  # fmt: skip


@register
class RouteProvisioner:
    """AWS::EC2::Route. Identifier: ``<RouteTableId>|<destination>``. Ref: that identifier.
    GetAtt: CidrBlock."""

    resource_type: ClassVar[str] = "AWS::EC2::Route"
    _FIELDS = ("RouteTableId", *_DESTINATIONS, *_ROUTE_TARGETS)
    supported_properties: ClassVar[frozenset[str]] = frozenset(_FIELDS)

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        destination = self._destination(request)
        api_call(request.client("ec2"), "create_route", **props(request, *self._FIELDS))
        table = request.prop("RouteTableId")
        return ProvisionResult(f"{table}|{destination}", {"CidrBlock": request.prop("DestinationCidrBlock")})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        table_id, destination = request.prop("RouteTableId"), self._destination(request)
        table = describe_one(request, "describe_route_tables", "RouteTableIds", "RouteTables", table_id)
        routes = [r for r in table.get("Routes", []) if destination in (r.get(d) for d in _DESTINATIONS)]
        if not routes:
            raise ResourceMissing(f"{request.logical_id}: no route to {destination} in {table_id}")
        live, problems = routes[0], []
        for name in _ROUTE_TARGETS:
            if request.prop(name) is not None:
                # A VPC endpoint target is listed as the route's GatewayId.
                got = live.get(name) or (live.get("GatewayId") if name == "VpcEndpointId" else None)
                problems += differs(name, request.prop(name), got)
        if live.get("State", "active") != "active":
            problems.append(f"route state is {live['State']!r} (its target is gone)")
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        destination = {name: request.prop(name) for name in _DESTINATIONS if request.prop(name) is not None}
        destination["RouteTableId"] = request.prop("RouteTableId")
        ignore_missing(request.client("ec2").delete_route, **destination)

    @staticmethod
    def _destination(request: ProvisionRequest) -> str:
        for name in _DESTINATIONS:
            if request.prop(name):
                return str(request.prop(name))
        raise ProvisionError(f"{request.logical_id}: a route needs one of {', '.join(_DESTINATIONS)}")


@register
class SubnetRouteTableAssociationProvisioner:
    """AWS::EC2::SubnetRouteTableAssociation. Identifier: the association id. Ref: the association id.
    GetAtt: Id."""

    resource_type: ClassVar[str] = "AWS::EC2::SubnetRouteTableAssociation"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"RouteTableId", "SubnetId"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        params = props(request, "RouteTableId", "SubnetId")
        association = request.client("ec2").associate_route_table(**params)["AssociationId"]
        return ProvisionResult(association, {"Id": association})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        table_id = request.prop("RouteTableId")
        table = describe_one(request, "describe_route_tables", "RouteTableIds", "RouteTables", table_id)
        associations = table.get("Associations", [])
        found = [a for a in associations if a.get("RouteTableAssociationId") == result.physical_id]
        if not found:
            raise ResourceMissing(f"{request.logical_id} ({result.physical_id}) does not exist")
        return differs("SubnetId", request.prop("SubnetId"), found[0].get("SubnetId"))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("ec2").disassociate_route_table, AssociationId=result.physical_id)


# --------------------------------------------------------------------------- endpoints


@register
class VpcEndpointProvisioner(Ec2Item):
    """AWS::EC2::VPCEndpoint. Identifier: the endpoint id. Ref: the endpoint id. GetAtt: Id,
    CreationTimestamp, DnsEntries (``<hosted zone id>:<dns name>``), NetworkInterfaceIds."""

    resource_type = "AWS::EC2::VPCEndpoint"
    _LISTS = ("SubnetIds", "RouteTableIds", "SecurityGroupIds")
    compared = ("VpcId", "ServiceName", "PrivateDnsEnabled")
    supported_properties = frozenset({*compared, *_LISTS, "VpcEndpointType", "PolicyDocument", "Tags"})
    describe = ("describe_vpc_endpoints", "VpcEndpointIds", "VpcEndpoints")

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        policy = request.prop("PolicyDocument")
        endpoint = api_call(
            request.client("ec2"),
            "create_vpc_endpoint",
            VpcEndpointType=request.prop("VpcEndpointType", "Gateway"),
            PolicyDocument=None if policy is None else json_text(policy),
            TagSpecifications=tag_specs(request, "vpc-endpoint"),
            **props(request, *self.compared, *self._LISTS),
        )["VpcEndpoint"]
        created = endpoint.get("CreationTimestamp")
        entries = [f"{e.get('HostedZoneId')}:{e.get('DnsName')}" for e in endpoint.get("DnsEntries", [])]
        return ProvisionResult(
            endpoint["VpcEndpointId"],
            {
                "Id": endpoint["VpcEndpointId"],
                "CreationTimestamp": created.isoformat() if hasattr(created, "isoformat") else created,
                "DnsEntries": entries,
                "NetworkInterfaceIds": list(endpoint.get("NetworkInterfaceIds", [])),
            },
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = self.live(request, result.physical_id)
        if str(live.get("State", "")).lower() in ("deleting", "deleted"):
            raise ResourceMissing(f"{request.logical_id} ({result.physical_id}) is {live['State']}")
        problems = compare_props(request, live, self.compared)
        declared_type = request.prop("VpcEndpointType", "Gateway")
        problems += differs("VpcEndpointType", declared_type, live.get("VpcEndpointType"))
        live["SecurityGroupIds"] = [g["GroupId"] for g in live.get("Groups", [])]
        for name in self._LISTS:
            if request.prop(name) is not None:
                problems += differs(name, sorted(request.prop(name)), sorted(live.get(name) or []))
        policy = request.prop("PolicyDocument")
        if policy is not None:
            live_policy = json_document(live.get("PolicyDocument") or "null")
            problems += differs("PolicyDocument", json_document(policy), live_policy)
        return problems + ec2_tag_differences(request, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ec2 = request.client("ec2")
        answer = ignore_missing(ec2.delete_vpc_endpoints, VpcEndpointIds=[result.physical_id]) or {}
        for failure in answer.get("Unsuccessful", []):
            if not str(failure.get("Error", {}).get("Code", "")).endswith("NotFound"):
                raise ProvisionError(f"{request.logical_id}: {result.physical_id} not deleted: {failure}")
