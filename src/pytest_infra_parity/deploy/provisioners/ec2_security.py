"""Security group provisioners: groups with inline rules, and standalone ingress / egress rules.

Rules are written in CloudFormation's flat shape (``IpProtocol``, ``FromPort``, ``ToPort``, one of
``CidrIp`` / ``CidrIpv6`` / ``SourceSecurityGroupId`` / ``SourcePrefixListId`` (ingress) or
``DestinationSecurityGroupId`` / ``DestinationPrefixListId`` (egress), ``Description``) and compared
with the live group in a normal form: protocol numbers 6/17/1/58 are their names, ``all`` is ``-1``
and a rule for every protocol has no ports.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing
from pytest_infra_parity.deploy.provisioners._shapes import api_call
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    error_code,
    is_not_found,
)
from pytest_infra_parity.deploy.provisioners.ec2_network import describe_one, ec2_tag_differences, tag_specs

_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}

# CloudFormation rule field -> (EC2 permission list, item field), for ingress and egress rules.
_PEERS = {
    "CidrIp": ("IpRanges", "CidrIp"),
    "CidrIpv6": ("Ipv6Ranges", "CidrIpv6"),
    "SourceSecurityGroupId": ("UserIdGroupPairs", "GroupId"),
    "DestinationSecurityGroupId": ("UserIdGroupPairs", "GroupId"),
    "SourcePrefixListId": ("PrefixListIds", "PrefixListId"),
    "DestinationPrefixListId": ("PrefixListIds", "PrefixListId"),
}
_INGRESS_FIELDS = frozenset(
    {
        "IpProtocol",
        "FromPort",
        "ToPort",
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourceSecurityGroupOwnerId",
        "SourcePrefixListId",
        "Description",
    }
)
_EGRESS_FIELDS = frozenset(
    {
        "IpProtocol",
        "FromPort",
        "ToPort",
        "CidrIp",
        "CidrIpv6",
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
        "Description",
    }
)

RuleKey = tuple[str, int | None, int | None, str, str]
"""(protocol, from port, to port, permission list, peer): one rule, without its description."""


def _protocol(value: Any) -> str:
    text = str(value).strip().lower()
    return _PROTOCOL_NAMES.get(text, text)


def _ports(protocol: str, low: Any, high: Any) -> tuple[int | None, int | None]:
    if protocol == "-1":
        return None, None
    return (int(low) if low is not None else None), (int(high) if high is not None else None)


def ip_permission(rule: Mapping[str, Any]) -> dict[str, Any]:
    """An EC2 ``IpPermission`` for one CloudFormation-shaped rule."""
    protocol = _protocol(rule.get("IpProtocol", "-1"))
    permission: dict[str, Any] = {"IpProtocol": protocol}
    low, high = _ports(protocol, rule.get("FromPort"), rule.get("ToPort"))
    if low is not None:
        permission["FromPort"] = low
    if high is not None:
        permission["ToPort"] = high
    peers = [name for name in _PEERS if rule.get(name)]
    if len(peers) != 1:
        raise ProvisionError(
            f"a security group rule needs exactly one peer (CIDR, group or prefix list): {rule}"
        )
    listing, field = _PEERS[peers[0]]
    item: dict[str, Any] = {field: rule[peers[0]]}
    if rule.get("SourceSecurityGroupOwnerId"):
        item["UserId"] = rule["SourceSecurityGroupOwnerId"]
    if rule.get("Description") is not None:
        item["Description"] = rule["Description"]
    permission[listing] = [item]
    return permission


def rule_key(rule: Mapping[str, Any]) -> RuleKey:
    """The normal form of a CloudFormation-shaped rule."""
    permission = ip_permission(rule)
    listing = next(
        name for name in ("IpRanges", "Ipv6Ranges", "UserIdGroupPairs", "PrefixListIds") if name in permission
    )
    field = _PEERS[next(name for name in _PEERS if rule.get(name))][1]
    return (
        permission["IpProtocol"],
        permission.get("FromPort"),
        permission.get("ToPort"),
        listing,
        str(permission[listing][0][field]),
    )


def live_rules(permissions: list[Mapping[str, Any]]) -> dict[RuleKey, str]:
    """Every rule of a live group's ``IpPermissions`` (or ``IpPermissionsEgress``) -> its description."""
    rules: dict[RuleKey, str] = {}
    for permission in permissions:
        protocol = _protocol(permission.get("IpProtocol", "-1"))
        low, high = _ports(protocol, permission.get("FromPort"), permission.get("ToPort"))
        for listing, field in (
            ("IpRanges", "CidrIp"),
            ("Ipv6Ranges", "CidrIpv6"),
            ("UserIdGroupPairs", "GroupId"),
            ("PrefixListIds", "PrefixListId"),
        ):
            for item in permission.get(listing) or []:
                rules[(protocol, low, high, listing, str(item.get(field)))] = str(
                    item.get("Description") or ""
                )
    return rules


def rule_differences(
    direction: str, declared: list[Mapping[str, Any]], live: dict[RuleKey, str]
) -> list[str]:
    """Declared rules missing from the live ones, or with another description."""
    problems = []
    for rule in declared:
        key = rule_key(rule)
        if key not in live:
            problems.append(f"{direction} rule {_show(key)} is missing")
        elif rule.get("Description") is not None:
            problems += differs(
                f"{direction} rule {_show(key)} description", str(rule["Description"]), live[key]
            )
    return problems


def _show(key: RuleKey) -> str:
    protocol, low, high, _, peer = key
    ports = "" if low is None else f":{low}" if low == high else f":{low}-{high}"
    return f"{protocol}{ports} {peer}"


def _check_rules(request: ProvisionRequest, prop: str, allowed: frozenset[str]) -> None:
    for rule in request.prop(prop) or []:
        unknown = sorted(set(rule) - allowed)
        if unknown:
            raise ProvisionError(
                f"{request.logical_id}: {prop} rule field(s) {', '.join(unknown)} not supported"
            )


_ALLOW_ALL_EGRESS: RuleKey = ("-1", None, None, "IpRanges", "0.0.0.0/0")


@register
class SecurityGroupProvisioner:
    """AWS::EC2::SecurityGroup. Identifier: the group id. Ref: the group id when VpcId is given, else the
    group name. GetAtt: GroupId, VpcId."""

    resource_type: ClassVar[str] = "AWS::EC2::SecurityGroup"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"GroupDescription", "GroupName", "VpcId", "SecurityGroupIngress", "SecurityGroupEgress", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        ec2 = request.client("ec2")
        name = request.prop("GroupName") or default_name(request, 255)
        group = api_call(
            ec2,
            "create_security_group",
            GroupName=name,
            Description=request.prop("GroupDescription"),
            VpcId=request.prop("VpcId"),
            TagSpecifications=tag_specs(request, "security-group"),
        )
        group_id = group["GroupId"]
        _check_rules(request, "SecurityGroupIngress", _INGRESS_FIELDS)
        _check_rules(request, "SecurityGroupEgress", _EGRESS_FIELDS)
        ingress = [ip_permission(rule) for rule in request.prop("SecurityGroupIngress") or []]
        if ingress:
            api_call(ec2, "authorize_security_group_ingress", GroupId=group_id, IpPermissions=ingress)
        if request.prop("SecurityGroupEgress") and request.prop("VpcId"):
            # As CloudFormation does: declared egress rules replace the default allow-all rule.
            api_call(
                ec2,
                "revoke_security_group_egress",
                GroupId=group_id,
                IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            )
            egress = [ip_permission(rule) for rule in request.prop("SecurityGroupEgress")]
            if egress:
                api_call(ec2, "authorize_security_group_egress", GroupId=group_id, IpPermissions=egress)
        vpc_id = request.prop("VpcId") or self._live(request, group_id).get("VpcId")
        return ProvisionResult(
            group_id if request.prop("VpcId") else name, {"GroupId": group_id, "VpcId": vpc_id}
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = self._live(request, result.attributes["GroupId"])
        problems = differs("GroupDescription", request.prop("GroupDescription"), live.get("Description"))
        if request.prop("GroupName") is not None:
            problems += differs("GroupName", request.prop("GroupName"), live.get("GroupName"))
        if request.prop("VpcId") is not None:
            problems += differs("VpcId", request.prop("VpcId"), live.get("VpcId"))
        ingress = live_rules(live.get("IpPermissions", []))
        problems += rule_differences("ingress", request.prop("SecurityGroupIngress") or [], ingress)
        declared_egress = request.prop("SecurityGroupEgress")
        if declared_egress:
            egress = live_rules(live.get("IpPermissionsEgress", []))
            problems += rule_differences("egress", declared_egress, egress)
            declared_keys = {rule_key(rule) for rule in declared_egress}
            if _ALLOW_ALL_EGRESS in egress and _ALLOW_ALL_EGRESS not in declared_keys:
                problems.append("egress rule -1 0.0.0.0/0 (allow all) is present but not declared")
        return problems + ec2_tag_differences(request, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ec2 = request.client("ec2")
        for attempt in range(10):
            try:
                ec2.delete_security_group(GroupId=result.attributes["GroupId"])
                return
            except ClientError as exc:
                if is_not_found(exc):
                    return
                # Network interfaces of deleted load balancers / tasks release the group a little later.
                if error_code(exc) != "DependencyViolation" or attempt == 9:
                    raise
                time.sleep(6)

    @staticmethod
    def _live(request: ProvisionRequest, group_id: str) -> dict[str, Any]:
        return describe_one(request, "describe_security_groups", "GroupIds", "SecurityGroups", group_id)


class _StandaloneRule:
    """A rule declared as its own resource on an existing group (``GroupId``)."""

    direction: ClassVar[str]
    resource_type: ClassVar[str]
    supported_properties: ClassVar[frozenset[str]]

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        answer = api_call(
            request.client("ec2"),
            f"authorize_security_group_{self.direction}",
            GroupId=self._group(request),
            IpPermissions=[ip_permission(request.properties)],
        )
        rules = answer.get("SecurityGroupRules") or []
        rule_id = (
            rules[0]["SecurityGroupRuleId"]
            if len(rules) == 1
            else f"{self._group(request)}|{request.logical_id}"
        )
        return ProvisionResult(rule_id, {"Id": rule_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        group = describe_one(
            request, "describe_security_groups", "GroupIds", "SecurityGroups", self._group(request)
        )
        field = "IpPermissions" if self.direction == "ingress" else "IpPermissionsEgress"
        live = live_rules(group.get(field, []))
        if rule_key(request.properties) not in live:
            raise ResourceMissing(
                f"{request.logical_id}: the {self.direction} rule is not on {self._group(request)}"
            )
        return rule_differences(self.direction, [request.properties], live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        revoke = getattr(request.client("ec2"), f"revoke_security_group_{self.direction}")
        if result.physical_id.startswith("sgr-"):
            rule: dict[str, Any] = {"SecurityGroupRuleIds": [result.physical_id]}
        else:
            # moto: a group-pair rule is only revoked when the description matches too (AWS ignores it).
            rule = {"IpPermissions": [ip_permission(request.properties)]}
        ignore_missing(revoke, GroupId=self._group(request), **rule)

    @staticmethod
    def _group(request: ProvisionRequest) -> str:
        if not request.prop("GroupId"):
            raise ProvisionError(f"{request.logical_id}: GroupId is required")
        return str(request.prop("GroupId"))


@register
class SecurityGroupIngressProvisioner(_StandaloneRule):
    """AWS::EC2::SecurityGroupIngress. Identifier: the security group rule id. Ref: the rule id.
    GetAtt: Id."""

    direction = "ingress"
    resource_type: ClassVar[str] = "AWS::EC2::SecurityGroupIngress"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"GroupId", *_INGRESS_FIELDS})


@register
class SecurityGroupEgressProvisioner(_StandaloneRule):
    """AWS::EC2::SecurityGroupEgress. Identifier: the security group rule id. Ref: the rule id.
    GetAtt: Id."""

    direction = "egress"
    resource_type: ClassVar[str] = "AWS::EC2::SecurityGroupEgress"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"GroupId", *_EGRESS_FIELDS})
