"""Elastic Load Balancing v2 provisioners: load balancers, target groups, listeners and listener rules.

CloudFormation's ELBv2 properties have the API's names and shapes (actions, conditions, matchers), so
they are passed through, with scalars coerced to the API's types, and compared as subsets of what the
target returns (the target adds defaults such as ``Order`` or ``TargetGroupStickinessConfig``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, read_first
from pytest_infra_parity.deploy.provisioners._shapes import api_call, coerced, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    default_name,
    differs,
    tag_differences,
    tag_list,
    tag_map,
)

_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"


def elb_name(request: ProvisionRequest) -> str:
    """The declared ``Name`` or a CloudFormation-like one: at most 32 letters, digits and single hyphens,
    not at either end."""
    if request.prop("Name"):
        return str(request.prop("Name"))
    return re.sub("-{2,}", "-", default_name(request, 32, allowed=_NAME_CHARS)).strip("-")


def full_name(balancer: Mapping[str, Any]) -> str:
    """``LoadBalancerFullName``: ``app|net|gwy/<name>/<id>``, the ARN's last part."""
    _, name, ident = balancer["LoadBalancerArn"].split(":loadbalancer/", 1)[-1].split("/")
    # moto: the ARN of a network (or gateway) load balancer says ``app/``; the prefix follows the type.
    prefix = {"network": "net", "gateway": "gwy"}.get(str(balancer.get("Type")), "app")
    return f"{prefix}/{name}/{ident}"


def attribute_list(declared: Any) -> list[dict[str, str]]:
    """CloudFormation ``[{Key, Value}]`` attributes with the values as the API's strings."""
    out = []
    for item in declared or []:
        value = item["Value"]
        out.append(
            {"Key": str(item["Key"]), "Value": str(value).lower() if isinstance(value, bool) else str(value)}
        )
    return out


def attribute_differences(name: str, declared: Any, live: list[Mapping[str, str]]) -> list[str]:
    current = {a["Key"]: a["Value"] for a in live}
    return [
        f"{name} {a['Key']!r} is {current.get(a['Key'])!r}, declared {a['Value']!r}"
        for a in attribute_list(declared)
        if current.get(a["Key"]) != a["Value"]
    ]


def elb_tag_differences(request: ProvisionRequest, arn: str) -> list[str]:
    descriptions = request.client("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"]
    live = {t["Key"]: t["Value"] for d in descriptions for t in d.get("Tags", [])}
    return tag_differences(tag_map(request), live)


def describe_single(request: ProvisionRequest, method: str, key: str, **params: Any) -> dict[str, Any]:
    return read_first(request.logical_id, getattr(request.client("elbv2"), method), key, **params)


@register
class LoadBalancerProvisioner:
    """AWS::ElasticLoadBalancingV2::LoadBalancer. Identifier: the load balancer ARN. Ref: the ARN.
    GetAtt: LoadBalancerArn, DNSName, CanonicalHostedZoneID, LoadBalancerFullName, LoadBalancerName,
    SecurityGroups."""

    resource_type: ClassVar[str] = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "Name",
            "Scheme",
            "Type",
            "Subnets",
            "SubnetMappings",
            "SecurityGroups",
            "IpAddressType",
            "LoadBalancerAttributes",
            "Tags",
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        elb = request.client("elbv2")
        balancer = api_call(
            elb,
            "create_load_balancer",
            Name=elb_name(request),
            Subnets=request.prop("Subnets"),
            SubnetMappings=request.prop("SubnetMappings"),
            SecurityGroups=request.prop("SecurityGroups"),
            Scheme=request.prop("Scheme"),
            Type=request.prop("Type"),
            IpAddressType=request.prop("IpAddressType"),
            Tags=tag_list(request) or None,
        )["LoadBalancers"][0]
        arn = balancer["LoadBalancerArn"]
        if request.prop("LoadBalancerAttributes"):
            elb.modify_load_balancer_attributes(
                LoadBalancerArn=arn, Attributes=attribute_list(request.prop("LoadBalancerAttributes"))
            )
        elb.get_waiter("load_balancer_available").wait(LoadBalancerArns=[arn])  # as CloudFormation does
        return ProvisionResult(
            arn,
            {
                "LoadBalancerArn": arn,
                "DNSName": balancer["DNSName"],
                "CanonicalHostedZoneID": balancer.get("CanonicalHostedZoneId"),
                "LoadBalancerFullName": full_name(balancer),
                "LoadBalancerName": balancer["LoadBalancerName"],
                "SecurityGroups": list(balancer.get("SecurityGroups", [])),
            },
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = describe_single(
            request, "describe_load_balancers", "LoadBalancers", LoadBalancerArns=[result.physical_id]
        )
        problems = differs("Name", elb_name(request), live.get("LoadBalancerName"))
        for name, default in (
            ("Scheme", "internet-facing"),
            ("Type", "application"),
            ("IpAddressType", None),
        ):
            if request.prop(name, default) is not None:
                problems += differs(name, request.prop(name, default), live.get(name))
        zones = live.get("AvailabilityZones", [])
        subnets = request.prop("Subnets") or [m["SubnetId"] for m in request.prop("SubnetMappings") or []]
        if subnets:
            problems += differs("Subnets", sorted(subnets), sorted(z["SubnetId"] for z in zones))
        if request.prop("SecurityGroups") is not None:
            groups = sorted(live.get("SecurityGroups", []))
            problems += differs("SecurityGroups", sorted(request.prop("SecurityGroups")), groups)
        if request.prop("LoadBalancerAttributes"):
            attributes = request.client("elbv2").describe_load_balancer_attributes(
                LoadBalancerArn=result.physical_id
            )
            problems += attribute_differences(
                "LoadBalancerAttributes", request.prop("LoadBalancerAttributes"), attributes["Attributes"]
            )
        return problems + elb_tag_differences(request, result.physical_id)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        elb = request.client("elbv2")
        ignore_missing(elb.delete_load_balancer, LoadBalancerArn=result.physical_id)
        elb.get_waiter("load_balancers_deleted").wait(LoadBalancerArns=[result.physical_id])


_TARGET_GROUP_FIELDS = (
    "Port",
    "Protocol",
    "ProtocolVersion",
    "VpcId",
    "TargetType",
    "IpAddressType",
    "HealthCheckEnabled",
    "HealthCheckPath",
    "HealthCheckPort",
    "HealthCheckProtocol",
    "HealthCheckIntervalSeconds",
    "HealthCheckTimeoutSeconds",
    "HealthyThresholdCount",
    "UnhealthyThresholdCount",
    "Matcher",
)


@register
class TargetGroupProvisioner:
    """AWS::ElasticLoadBalancingV2::TargetGroup. Identifier: the target group ARN. Ref: the ARN.
    GetAtt: TargetGroupArn, TargetGroupFullName, TargetGroupName, LoadBalancerArns."""

    resource_type: ClassVar[str] = "AWS::ElasticLoadBalancingV2::TargetGroup"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"Name", *_TARGET_GROUP_FIELDS, "TargetGroupAttributes", "Targets", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        elb = request.client("elbv2")
        fields = {name: request.prop(name) for name in _TARGET_GROUP_FIELDS}
        group = api_call(
            elb, "create_target_group", Name=elb_name(request), Tags=tag_list(request) or None, **fields
        )["TargetGroups"][0]
        arn = group["TargetGroupArn"]
        if request.prop("TargetGroupAttributes"):
            elb.modify_target_group_attributes(
                TargetGroupArn=arn, Attributes=attribute_list(request.prop("TargetGroupAttributes"))
            )
        if request.prop("Targets"):
            api_call(elb, "register_targets", TargetGroupArn=arn, Targets=request.prop("Targets"))
        return ProvisionResult(
            arn,
            {
                "TargetGroupArn": arn,
                "TargetGroupFullName": arn.rsplit(":", 1)[-1],
                "TargetGroupName": group["TargetGroupName"],
                # moto: lists a load balancer once per listener that forwards to the group; deduplicated.
                "LoadBalancerArns": list(dict.fromkeys(group.get("LoadBalancerArns", []))),
            },
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        elb = request.client("elbv2")
        live = describe_single(
            request, "describe_target_groups", "TargetGroups", TargetGroupArns=[result.physical_id]
        )
        declared = coerced(elb, "create_target_group", {n: request.prop(n) for n in _TARGET_GROUP_FIELDS})
        problems = differs("Name", elb_name(request), live.get("TargetGroupName"))
        problems += subset_differences("", declared, live)
        if request.prop("TargetGroupAttributes"):
            attributes = elb.describe_target_group_attributes(TargetGroupArn=result.physical_id)["Attributes"]
            problems += attribute_differences(
                "TargetGroupAttributes", request.prop("TargetGroupAttributes"), attributes
            )
        if request.prop("Targets"):
            health = elb.describe_target_health(TargetGroupArn=result.physical_id)["TargetHealthDescriptions"]
            registered = {h["Target"]["Id"] for h in health}
            for target in request.prop("Targets"):
                if target["Id"] not in registered:
                    problems.append(f"target {target['Id']!r} is not registered")
        return problems + elb_tag_differences(request, result.physical_id)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("elbv2").delete_target_group, TargetGroupArn=result.physical_id)


@register
class ListenerProvisioner:
    """AWS::ElasticLoadBalancingV2::Listener. Identifier: the listener ARN. Ref: the ARN.
    GetAtt: ListenerArn."""

    resource_type: ClassVar[str] = "AWS::ElasticLoadBalancingV2::Listener"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"LoadBalancerArn", "Port", "Protocol", "DefaultActions", "Certificates", "SslPolicy", "AlpnPolicy"}
    )
    _FIELDS = tuple(sorted(supported_properties))

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        fields = {name: request.prop(name) for name in self._FIELDS}
        listener = api_call(request.client("elbv2"), "create_listener", **fields)["Listeners"][0]
        return ProvisionResult(listener["ListenerArn"], {"ListenerArn": listener["ListenerArn"]})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        elb = request.client("elbv2")
        live = describe_single(request, "describe_listeners", "Listeners", ListenerArns=[result.physical_id])
        declared = coerced(elb, "create_listener", {n: request.prop(n) for n in self._FIELDS})
        return subset_differences("", declared, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("elbv2").delete_listener, ListenerArn=result.physical_id)


@register
class ListenerRuleProvisioner:
    """AWS::ElasticLoadBalancingV2::ListenerRule. Identifier: the rule ARN. Ref: the ARN.
    GetAtt: RuleArn, IsDefault."""

    resource_type: ClassVar[str] = "AWS::ElasticLoadBalancingV2::ListenerRule"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"ListenerArn", "Priority", "Conditions", "Actions"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        rule = api_call(
            request.client("elbv2"),
            "create_rule",
            ListenerArn=request.prop("ListenerArn"),
            Priority=request.prop("Priority"),
            Conditions=request.prop("Conditions"),
            Actions=request.prop("Actions"),
        )["Rules"][0]
        return ProvisionResult(
            rule["RuleArn"], {"RuleArn": rule["RuleArn"], "IsDefault": rule.get("IsDefault", False)}
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        elb = request.client("elbv2")
        live = describe_single(request, "describe_rules", "Rules", RuleArns=[result.physical_id])
        problems = differs("Priority", str(request.prop("Priority")), str(live.get("Priority")))
        declared = coerced(
            elb, "create_rule", {"Conditions": request.prop("Conditions"), "Actions": request.prop("Actions")}
        )
        return problems + subset_differences("", declared, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("elbv2").delete_rule, RuleArn=result.physical_id)
