"""Live readers of kinds the model only needs existence and tags of: event source mappings, EventBridge
rules, CloudFront distributions, the EC2 network resources, web ACLs and hosted zones.

APIs read: Lambda ``GetEventSourceMapping`` + ``ListTags``; EventBridge ``DescribeRule`` +
``ListTagsForResource``; CloudFront ``GetDistribution`` + ``ListTagsForResource``; EC2
``DescribeVpcs``, ``DescribeSubnets``, ``DescribeSecurityGroups``, ``DescribeInternetGateways``,
``DescribeNatGateways``, ``DescribeRouteTables``, ``DescribeVpcEndpoints`` (tags come with each item);
WAFv2 ``GetWebACL`` + ``ListTagsForResource``; Route 53 ``GetHostedZone`` + ``ListTagsForResource``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_infra_parity.inventory.live_common import Context, Missing, Target, set_tags, tag_list
from pytest_infra_parity.inventory.model import UNKNOWN, Resource


def event_source_mapping(ctx: Context, target: Target) -> Resource:
    lam = ctx.clients("lambda")
    uuid = target.ident.rsplit(":", 1)[-1]
    found = ctx.fetch(target, "event source mapping", lam.get_event_source_mapping, main=True, UUID=uuid)
    arn = found.get("EventSourceMappingArn") or \
        f"arn:aws:lambda:{ctx.region}:{ctx.account}:event-source-mapping:{uuid}"
    resource = ctx.resource(target, physical_id=uuid, arn=arn)
    resource.settings.update({"batch_size": found.get("BatchSize"), "enabled": found.get("State") != "Disabled"})
    set_tags(resource, target, lambda: _tags(ctx.fetch(target, "tags", lam.list_tags, Resource=arn), mapping=True))
    return resource


def event_rule(ctx: Context, target: Target) -> Resource:
    events = ctx.clients("events")
    name = target.ident.rsplit("/", 1)[-1]
    found = ctx.fetch(target, "rule", events.describe_rule, main=True, Name=name)
    resource = ctx.resource(target, physical_id=name, arn=found.get("Arn"))
    resource.settings.update({"schedule": found.get("ScheduleExpression"), "state": found.get("State")})
    set_tags(resource, target, lambda: _tags(ctx.fetch(target, "tags", events.list_tags_for_resource,
                                                       ResourceARN=found.get("Arn"))))
    return resource


def distribution(ctx: Context, target: Target) -> Resource:
    cloudfront = ctx.clients("cloudfront")
    ident = target.ident.rsplit("/", 1)[-1]
    found = ctx.fetch(target, "distribution", cloudfront.get_distribution, main=True, Id=ident)["Distribution"]
    resource = ctx.resource(target, physical_id=ident, arn=found.get("ARN"))
    answer = ctx.fetch(target, "tags", cloudfront.list_tags_for_resource, Resource=found.get("ARN"))
    set_tags(resource, target, lambda: _tags(UNKNOWN if answer is UNKNOWN else answer.get("Tags", {}), key="Items"))
    return resource


def _tags(answer: Any, *, key: str = "Tags", mapping: bool = False) -> Any:
    if answer is UNKNOWN:
        return UNKNOWN
    value = answer.get(key)
    return dict(value or {}) if mapping else tag_list(value)


_EC2: dict[str, tuple[str, str, str]] = {
    "AWS::EC2::VPC": ("describe_vpcs", "VpcIds", "Vpcs"),
    "AWS::EC2::Subnet": ("describe_subnets", "SubnetIds", "Subnets"),
    "AWS::EC2::SecurityGroup": ("describe_security_groups", "GroupIds", "SecurityGroups"),
    "AWS::EC2::InternetGateway": ("describe_internet_gateways", "InternetGatewayIds", "InternetGateways"),
    "AWS::EC2::NatGateway": ("describe_nat_gateways", "NatGatewayIds", "NatGateways"),
    "AWS::EC2::RouteTable": ("describe_route_tables", "RouteTableIds", "RouteTables"),
    "AWS::EC2::VPCEndpoint": ("describe_vpc_endpoints", "VpcEndpointIds", "VpcEndpoints"),
}


def ec2_item(ctx: Context, target: Target) -> Resource:
    operation, parameter, key = _EC2[target.cfn_type]
    ident = target.ident.rsplit("/", 1)[-1]
    params: dict[str, Any] = {parameter: [ident]}
    answer = ctx.fetch(target, target.cfn_type, getattr(ctx.clients("ec2"), operation), main=True, **params)
    items = [i for i in answer.get(key, []) if i.get("State") not in ("deleted", "deleting")]
    if not items:
        raise Missing(f"{target.describe()}: does not exist")
    resource = ctx.resource(target, physical_id=ident)
    set_tags(resource, target, lambda: tag_list(items[0].get("Tags")))
    return resource


def web_acl(ctx: Context, target: Target) -> Resource:
    waf = ctx.clients("wafv2")
    name, ident, scope = [*target.ident.split("|"), "", "", ""][:3]
    found = ctx.fetch(target, "web ACL", waf.get_web_acl, main=True, Name=name, Id=ident, Scope=scope)["WebACL"]
    resource = ctx.resource(target, arn=found.get("ARN"))
    answer = ctx.fetch(target, "tags", waf.list_tags_for_resource, ResourceARN=found.get("ARN"))
    set_tags(resource, target, lambda: UNKNOWN if answer is UNKNOWN else tag_list(
        (answer.get("TagInfoForResource") or {}).get("TagList")))
    return resource


def hosted_zone(ctx: Context, target: Target) -> Resource:
    route53 = ctx.clients("route53")
    ident = target.ident.rsplit("/", 1)[-1]
    ctx.fetch(target, "hosted zone", route53.get_hosted_zone, main=True, Id=ident)
    resource = ctx.resource(target, physical_id=ident, arn=f"arn:aws:route53:::hostedzone/{ident}")
    answer = ctx.fetch(target, "tags", route53.list_tags_for_resource, ResourceType="hostedzone", ResourceId=ident)
    set_tags(resource, target, lambda: UNKNOWN if answer is UNKNOWN else tag_list(
        (answer.get("ResourceTagSet") or {}).get("Tags")))
    return resource


READERS: dict[str, Callable[[Context, Target], Resource]] = {
    "AWS::Lambda::EventSourceMapping": event_source_mapping,
    "AWS::Events::Rule": event_rule,
    "AWS::CloudFront::Distribution": distribution,
    **{cfn_type: ec2_item for cfn_type in _EC2},
    "AWS::WAFv2::WebACL": web_acl,
    "AWS::Route53::HostedZone": hosted_zone,
}
