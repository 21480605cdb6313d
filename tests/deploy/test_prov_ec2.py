"""EC2 network and security group provisioners against the moto server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ResourceMissing
from pytest_infra_parity.deploy.provisioners._shapes import api_call, subset_differences

from ._support import Deployed, assert_all_in_sync, tag_dict, tear_down

POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}


def tags_of(item: dict[str, Any]) -> dict[str, str]:
    return tag_dict(item.get("Tags", []))


def deploy_public_network(deploy: Callable[..., Deployed]) -> dict[str, Any]:
    """A VPC, two public subnets in two zones, an internet gateway and the public route table."""
    vpc = deploy("Vpc", "AWS::EC2::VPC", {
        "CidrBlock": "10.20.0.0/16", "EnableDnsSupport": "true", "EnableDnsHostnames": True,
        "InstanceTenancy": "default", "Tags": [{"Key": "Name", "Value": "main"}],
    })
    vpc_id = vpc[2].physical_id
    subnets = [
        deploy(f"Public{i}", "AWS::EC2::Subnet", {
            "VpcId": vpc_id, "CidrBlock": f"10.20.{i}.0/24", "AvailabilityZone": f"us-east-1{zone}",
            "MapPublicIpOnLaunch": "true", "Tags": [{"Key": "tier", "Value": "public"}],
        })
        for i, zone in ((1, "a"), (2, "b"))
    ]
    igw = deploy("Igw", "AWS::EC2::InternetGateway", {"Tags": [{"Key": "Name", "Value": "igw"}]})
    igw_id = igw[2].physical_id
    attach = deploy("Attach", "AWS::EC2::VPCGatewayAttachment",
                    {"VpcId": vpc_id, "InternetGatewayId": igw_id})
    table = deploy("PublicRoutes", "AWS::EC2::RouteTable", {"VpcId": vpc_id})
    table_id = table[2].physical_id
    route = deploy("DefaultRoute", "AWS::EC2::Route",
                   {"RouteTableId": table_id, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw_id})
    associations = [
        deploy(f"Assoc{i}", "AWS::EC2::SubnetRouteTableAssociation",
               {"RouteTableId": table_id, "SubnetId": subnet[2].physical_id})
        for i, subnet in enumerate(subnets)
    ]
    return {"vpc": vpc, "subnets": subnets, "igw": igw, "attach": attach, "table": table, "route": route,
            "associations": associations}


def deploy_private_egress(deploy: Callable[..., Deployed], public: dict[str, Any]) -> dict[str, Any]:
    """An EIP, a NAT gateway in the first public subnet, a private route table and an S3 endpoint."""
    vpc_id = public["vpc"][2].physical_id
    eip = deploy("NatIp", "AWS::EC2::EIP", {"Domain": "vpc", "Tags": [{"Key": "use", "Value": "nat"}]})
    nat = deploy("Nat", "AWS::EC2::NatGateway", {
        "SubnetId": public["subnets"][0][2].physical_id, "AllocationId": eip[2].attributes["AllocationId"],
        "ConnectivityType": "public", "Tags": [{"Key": "Name", "Value": "nat"}],
    })
    private = deploy("PrivateRoutes", "AWS::EC2::RouteTable", {"VpcId": vpc_id})
    nat_route = deploy("NatRoute", "AWS::EC2::Route", {
        "RouteTableId": private[2].physical_id, "DestinationCidrBlock": "0.0.0.0/0",
        "NatGatewayId": nat[2].physical_id,
    })
    endpoint = deploy("S3Endpoint", "AWS::EC2::VPCEndpoint", {
        "VpcId": vpc_id, "ServiceName": "com.amazonaws.us-east-1.s3", "VpcEndpointType": "Gateway",
        "RouteTableIds": [private[2].physical_id], "PolicyDocument": POLICY,
        "Tags": [{"Key": "Name", "Value": "s3"}],
    })
    return {"eip": eip, "nat": nat, "private": private, "nat_route": nat_route, "endpoint": endpoint}


def check_read_back(ec2: Any, net: dict[str, Any]) -> None:
    vpc_id, igw_id, table_id = (net[k][2].physical_id for k in ("vpc", "igw", "table"))
    live_vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert live_vpc["CidrBlock"] == "10.20.0.0/16"
    assert tags_of(live_vpc)["Name"] == "main" and tags_of(live_vpc)["infra-parity:run"] == "test-run"
    hostnames = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
    assert hostnames["EnableDnsHostnames"]["Value"] is True
    assert net["vpc"][2].attributes["DefaultSecurityGroup"].startswith("sg-")
    assert net["vpc"][2].attributes["DefaultNetworkAcl"].startswith("acl-")
    live_subnets = ec2.describe_subnets(SubnetIds=[s[2].physical_id for s in net["subnets"]])["Subnets"]
    assert {s["AvailabilityZone"] for s in live_subnets} == {"us-east-1a", "us-east-1b"}
    assert all(s["MapPublicIpOnLaunch"] for s in live_subnets)
    assert net["subnets"][1][2].attributes["AvailabilityZone"] == "us-east-1b"
    table = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    default = next(r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")
    assert default["GatewayId"] == igw_id
    assert {a["SubnetId"] for a in table["Associations"]} == {s[2].physical_id for s in net["subnets"]}
    assert net["route"][2].physical_id == f"{table_id}|0.0.0.0/0"
    assert net["attach"][2].physical_id == f"IGW|{vpc_id}"
    eip = net["eip"][2]
    assert eip.physical_id == eip.attributes["PublicIp"]
    nat = ec2.describe_nat_gateways(NatGatewayIds=[net["nat"][2].physical_id])["NatGateways"][0]
    assert nat["NatGatewayAddresses"][0]["AllocationId"] == eip.attributes["AllocationId"]
    endpoint = ec2.describe_vpc_endpoints(VpcEndpointIds=[net["endpoint"][2].physical_id])["VpcEndpoints"][0]
    assert endpoint["RouteTableIds"] == [net["private"][2].physical_id]


def check_drift_is_reported(ec2: Any, net: dict[str, Any]) -> None:
    vpc, subnet, route = net["vpc"], net["subnets"][0], net["route"]
    nat_route, endpoint = net["nat_route"], net["endpoint"]
    ec2.modify_vpc_attribute(VpcId=vpc[2].physical_id, EnableDnsHostnames={"Value": False})
    assert vpc[0].verify(vpc[1], vpc[2]) == ["EnableDnsHostnames is False, declared True"]
    ec2.modify_subnet_attribute(SubnetId=subnet[2].physical_id, MapPublicIpOnLaunch={"Value": False})
    ec2.delete_tags(Resources=[subnet[2].physical_id], Tags=[{"Key": "tier"}])
    assert sorted(subnet[0].verify(subnet[1], subnet[2])) == [
        "MapPublicIpOnLaunch is False, declared True", "tag 'tier' is missing (declared 'public')"]
    private_id = net["private"][2].physical_id
    igw_id = net["igw"][2].physical_id
    ec2.replace_route(RouteTableId=private_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    assert "NatGatewayId" in " ".join(nat_route[0].verify(nat_route[1], nat_route[2]))
    ec2.delete_route(RouteTableId=net["table"][2].physical_id, DestinationCidrBlock="0.0.0.0/0")
    with pytest.raises(ResourceMissing):
        route[0].verify(route[1], route[2])
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint[2].physical_id, RemoveRouteTableIds=[private_id],
                            PolicyDocument=json.dumps({**POLICY, "Statement": []}))
    problems = endpoint[0].verify(endpoint[1], endpoint[2])
    assert [p.split(" is ")[0] for p in problems] == ["RouteTableIds", "PolicyDocument"]


def test_vpc_with_two_public_subnets_nat_and_endpoint(deploy: Callable[..., Deployed], clients: Any) -> None:
    ec2 = clients("ec2")
    net = deploy_public_network(deploy)
    net.update(deploy_private_egress(deploy, net))
    deployed = [net["vpc"], *net["subnets"], *(net[k] for k in ("igw", "attach", "table", "route")),
                *net["associations"], *(net[k] for k in ("eip", "nat", "private", "nat_route", "endpoint"))]
    assert_all_in_sync(deployed)
    check_read_back(ec2, net)
    check_drift_is_reported(ec2, net)
    tear_down(deployed)
    mine = [{"Name": "vpc-id", "Values": [net["vpc"][2].physical_id]}]
    assert ec2.describe_vpcs(Filters=mine)["Vpcs"] == []


def deploy_groups(deploy: Callable[..., Deployed], vpc_id: str) -> list[Deployed]:
    """Two groups (one with inline ingress and egress), a standalone ingress and a standalone egress."""
    app = deploy("AppSg", "AWS::EC2::SecurityGroup", {"GroupDescription": "app tasks", "VpcId": vpc_id})
    app_id = app[2].physical_id
    web = deploy("WebSg", "AWS::EC2::SecurityGroup", {
        "GroupDescription": "load balancer", "GroupName": "web-lb", "VpcId": vpc_id,
        "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": "443", "CidrIp": "0.0.0.0/0",
             "Description": "https"},
            {"IpProtocol": "6", "FromPort": "80", "ToPort": 80, "CidrIp": "0.0.0.0/0"},
        ],
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                                 "DestinationSecurityGroupId": app_id, "Description": "to tasks"}],
        "Tags": [{"Key": "Name", "Value": "web"}],
    })
    ingress = deploy("AppFromWeb", "AWS::EC2::SecurityGroupIngress", {
        "GroupId": app_id, "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
        "SourceSecurityGroupId": web[2].physical_id, "Description": "from lb",
    })
    egress = deploy("AppToDb", "AWS::EC2::SecurityGroupEgress", {
        "GroupId": app_id, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "10.30.9.0/24",
    })
    return [app, web, ingress, egress]


def test_security_groups_inline_and_standalone_rules(deploy: Callable[..., Deployed], clients: Any) -> None:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    app, web, ingress, egress = deploy_groups(deploy, vpc_id)
    app_id, web_id = app[2].physical_id, web[2].physical_id
    ecr = deploy("EcrEndpoint", "AWS::EC2::VPCEndpoint", {
        "VpcId": vpc_id, "ServiceName": "com.amazonaws.us-east-1.ecr.api", "VpcEndpointType": "Interface",
        "SubnetIds": [subnet], "SecurityGroupIds": [app_id], "PrivateDnsEnabled": "true",
    })
    deployed = [app, web, ingress, egress, ecr]
    assert_all_in_sync(deployed)
    assert web_id.startswith("sg-") and web[2].attributes == {"GroupId": web_id, "VpcId": vpc_id}
    assert ingress[2].physical_id.startswith("sgr-")
    assert ecr[2].attributes["NetworkInterfaceIds"] and ":" in ecr[2].attributes["DnsEntries"][0]

    live = ec2.describe_security_groups(GroupIds=[web_id])["SecurityGroups"][0]
    assert live["GroupName"] == "web-lb"
    https = next(p for p in live["IpPermissions"] if p.get("FromPort") == 443)
    assert https["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "https"}]
    # Declared egress replaced the default allow-all rule, as CloudFormation does.
    assert [(p["IpProtocol"], p.get("FromPort")) for p in live["IpPermissionsEgress"]] == [("tcp", 8080)]
    app_live = ec2.describe_security_groups(GroupIds=[app_id])["SecurityGroups"][0]
    assert any(p["IpProtocol"] == "-1" for p in app_live["IpPermissionsEgress"])  # no egress declared: kept

    http = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.revoke_security_group_ingress(GroupId=web_id, IpPermissions=[http])
    anything = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_egress(GroupId=web_id, IpPermissions=[anything])
    assert sorted(web[0].verify(web[1], web[2])) == [
        "egress rule -1 0.0.0.0/0 (allow all) is present but not declared",
        "ingress rule tcp:80 0.0.0.0/0 is missing",
    ]
    ec2.revoke_security_group_ingress(GroupId=app_id, SecurityGroupRuleIds=[ingress[2].physical_id])
    with pytest.raises(ResourceMissing):
        ingress[0].verify(ingress[1], ingress[2])

    tear_down(deployed)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc_id)


def test_cloudformation_scalars_are_coerced_and_compared_as_subsets(clients: Any) -> None:
    ec2 = clients("ec2")
    vpc = api_call(ec2, "create_vpc", CidrBlock="10.40.0.0/16", InstanceTenancy=None)["Vpc"]
    api_call(ec2, "modify_vpc_attribute", VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": "true"})
    answer = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")
    assert answer["EnableDnsHostnames"]["Value"] is True
    ec2.delete_vpc(VpcId=vpc["VpcId"])
    live = {"a": 1, "b": [{"c": "x", "extra": 2}], "d": True}
    assert subset_differences("", {"a": 1, "b": [{"c": "x"}]}, live) == []
    assert subset_differences("", {"a": 2, "b": [{"c": "y"}], "e": 1}, live) == [
        "a is 1, declared 2", "b[0].c is 'x', declared 'y'", "e is missing (declared 1)"]
