"""Route 53 hosted zones (public and private) and record sets (simple, alias, weighted, failover...).

Emulated store: when the target answers that Route 53 is not implemented, the declared resource is
kept with :mod:`._emulated` instead; never on moto, which implements every call used here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from pytest_infra_parity.deploy.provisioners import _emulated, register
from pytest_infra_parity.deploy.provisioners._common import (
    emulate,
    emulated_or_raise,
    settle_delete,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import as_bool, coerced, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    error_code,
    is_not_found,
    tag_differences,
    tag_list,
    tag_map,
)


def fqdn(name: Any) -> str:
    """A DNS name as Route 53 compares them: lowercase, no trailing dot, ``\\052`` read as ``*``."""
    return str(name).replace("\\052", "*").lower().rstrip(".")


def _zone_id(value: str) -> str:
    return value.rsplit("/", 1)[-1]


# --- AWS::Route53::HostedZone ---


def _zone_tags(request: ProvisionRequest, zone_id: str) -> dict[str, str]:
    tag_set = request.client("route53").list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
    return {t["Key"]: t["Value"] for t in tag_set["ResourceTagSet"].get("Tags", [])}


def _get_zone(request: ProvisionRequest, zone_id: str) -> dict[str, Any]:
    try:
        zone: dict[str, Any] = request.client("route53").get_hosted_zone(Id=zone_id)
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceMissing(f"{request.logical_id}: hosted zone {zone_id}") from exc
        raise
    return zone


def _query_logging(request: ProvisionRequest, zone_id: str) -> list[dict[str, Any]]:
    # moto: ListQueryLoggingConfigs(HostedZoneId=...) refuses a bare zone id and does not filter by zone, so
    # every config is listed and filtered here (which Route 53 answers the same way).
    paginator = request.client("route53").get_paginator("list_query_logging_configs")
    configs = [c for page in paginator.paginate() for c in page.get("QueryLoggingConfigs", [])]
    return [c for c in configs if _zone_id(c["HostedZoneId"]) == zone_id]


@register
class HostedZoneProvisioner:
    """AWS::Route53::HostedZone. Primary identifier: Id.

    Ref returns the hosted zone id (``Z...``, without ``/hostedzone/``). Fn::GetAtt: Id, NameServers.
    A zone that still holds records the template did not declare is not deleted (as CloudFormation).
    """

    resource_type: ClassVar[str] = "AWS::Route53::HostedZone"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"Name", "HostedZoneConfig", "VPCs", "HostedZoneTags", "QueryLoggingConfig"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        r53 = request.client("route53")
        vpcs = [dict(v) for v in request.prop("VPCs", [])]
        params: dict[str, Any] = {
            "Name": str(request.prop("Name")),
            "CallerReference": f"infra-parity-{request.logical_id}-{uuid.uuid4()}"[:128],
            "HostedZoneConfig": {
                "Comment": str((request.prop("HostedZoneConfig") or {}).get("Comment", "")),
                "PrivateZone": bool(vpcs),
            },
        }
        if vpcs:
            params["VPC"] = vpcs[0]
        try:
            created = r53.create_hosted_zone(**params)
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                zone_id = (
                    "Z"
                    + uuid.uuid5(uuid.NAMESPACE_DNS, f"{request.stack_name}.{request.logical_id}").hex[:20]
                )
                return emulate(request, zone_id.upper(), {"Id": zone_id.upper(), "NameServers": []}, exc)
            raise
        zone_id = _zone_id(created["HostedZone"]["Id"])
        for vpc in vpcs[1:]:
            r53.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC=vpc)
        tags = tag_list(request, request.prop("HostedZoneTags"))
        for start in range(0, len(tags), 10):
            r53.change_tags_for_resource(
                ResourceType="hostedzone", ResourceId=zone_id, AddTags=tags[start : start + 10]
            )
        logging = request.prop("QueryLoggingConfig")
        if logging:
            r53.create_query_logging_config(
                HostedZoneId=zone_id, CloudWatchLogsLogGroupArn=logging["CloudWatchLogsLogGroupArn"]
            )
        servers = list((created.get("DelegationSet") or {}).get("NameServers", [])) if not vpcs else []
        return ProvisionResult(physical_id=zone_id, attributes={"Id": zone_id, "NameServers": servers})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            found = _get_zone(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        zone = found["HostedZone"]
        problems = differs("Name", fqdn(request.prop("Name")), fqdn(zone["Name"]))
        config = request.prop("HostedZoneConfig") or {}
        if "Comment" in config:
            problems += differs(
                "HostedZoneConfig.Comment", config["Comment"], zone.get("Config", {}).get("Comment")
            )
        vpcs = request.prop("VPCs", [])
        problems += differs("private zone", bool(vpcs), bool(zone.get("Config", {}).get("PrivateZone")))
        if vpcs:
            problems += differs(
                "VPCs",
                sorted(str(v["VPCId"]) for v in vpcs),
                sorted(v["VPCId"] for v in found.get("VPCs", [])),
            )
        logging = request.prop("QueryLoggingConfig")
        if logging:
            arns = [c["CloudWatchLogsLogGroupArn"] for c in _query_logging(request, result.physical_id)]
            problems += differs(
                "QueryLoggingConfig.CloudWatchLogsLogGroupArn", [logging["CloudWatchLogsLogGroupArn"]], arns
            )
        declared_tags = tag_map(request, request.prop("HostedZoneTags"))
        return problems + tag_differences(declared_tags, _zone_tags(request, result.physical_id))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        r53 = request.client("route53")
        try:
            left = [f"{r['Name']} {r['Type']}" for r in _records(request, result.physical_id)
                    if r["Type"] not in ("NS", "SOA")]
            if left:
                raise ProvisionError(
                    f"{request.logical_id}: hosted zone {result.physical_id} still holds records "
                    f"the template does not declare: {', '.join(left)}"
                )
            for config in _query_logging(request, result.physical_id):
                r53.delete_query_logging_config(Id=config["Id"])
            r53.delete_hosted_zone(Id=result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            settle_delete(request, exc)


def _records(request: ProvisionRequest, zone_id: str) -> list[dict[str, Any]]:
    paginator = request.client("route53").get_paginator("list_resource_record_sets")
    return [r for page in paginator.paginate(HostedZoneId=zone_id) for r in page["ResourceRecordSets"]]


# --- AWS::Route53::RecordSet ---

_ROUTING = (
    "SetIdentifier",
    "Weight",
    "Region",
    "Failover",
    "HealthCheckId",
    "GeoLocation",
    "MultiValueAnswer",
)


def _resolve_zone(request: ProvisionRequest) -> str:
    """HostedZoneId, or the id of the one zone named HostedZoneName."""
    if request.prop("HostedZoneId"):
        return _zone_id(str(request.prop("HostedZoneId")))
    wanted = fqdn(request.prop("HostedZoneName", ""))
    zones = request.client("route53").list_hosted_zones_by_name(DNSName=wanted + ".")["HostedZones"]
    matches = [_zone_id(z["Id"]) for z in zones if fqdn(z["Name"]) == wanted]
    if len(matches) != 1:
        raise ProvisionError(
            f"{request.logical_id}: HostedZoneName {wanted!r} matches {len(matches)} hosted zones"
        )
    return matches[0]


def _record_set(request: ProvisionRequest) -> dict[str, Any]:
    # moto: only lets a record be deleted when it was created with a name without the trailing dot (it
    # compares the DELETE's name, stripped, with the CREATE's name as sent); Route 53 treats both alike.
    record: dict[str, Any] = {"Name": str(request.prop("Name")).rstrip("."), "Type": request.prop("Type")}
    if request.prop("AliasTarget"):
        alias = dict(request.prop("AliasTarget"))
        record["AliasTarget"] = {
            "HostedZoneId": alias["HostedZoneId"],
            "DNSName": alias["DNSName"],
            "EvaluateTargetHealth": as_bool(alias.get("EvaluateTargetHealth", False)),
        }
    else:
        record["TTL"] = request.prop("TTL")
        record["ResourceRecords"] = [{"Value": str(v)} for v in request.prop("ResourceRecords", [])]
    record.update({key: request.properties[key] for key in _ROUTING if key in request.properties})
    change = {"Changes": [{"Action": "CREATE", "ResourceRecordSet": record}]}
    change_set = coerced(
        request.client("route53"), "change_resource_record_sets", {"HostedZoneId": "Z", "ChangeBatch": change}
    )
    return dict(change_set["ChangeBatch"]["Changes"][0]["ResourceRecordSet"])


def _find_record(request: ProvisionRequest, zone_id: str) -> dict[str, Any]:
    name, kind, identifier = fqdn(request.prop("Name")), request.prop("Type"), request.prop("SetIdentifier")
    paginator = request.client("route53").get_paginator("list_resource_record_sets")
    try:
        for page in paginator.paginate(HostedZoneId=zone_id, StartRecordName=name, StartRecordType=kind):
            for record in page["ResourceRecordSets"]:
                if (fqdn(record["Name"]), record["Type"], record.get("SetIdentifier")) == (
                    name,
                    kind,
                    identifier,
                ):
                    return dict(record)
                if fqdn(record["Name"]) != name:
                    break
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceMissing(f"{request.logical_id}: hosted zone {zone_id} is gone") from exc
        raise
    raise ResourceMissing(
        f"{request.logical_id}: record {name} {kind} {identifier or ''} is not in {zone_id}"
    )


def _record_differences(declared: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if "AliasTarget" in declared:
        wanted, got = dict(declared["AliasTarget"]), dict(live.get("AliasTarget") or {})
        problems += differs("AliasTarget.DNSName", fqdn(wanted.pop("DNSName")), fqdn(got.get("DNSName", "")))
        problems += subset_differences("AliasTarget", wanted, got)
    else:
        problems += differs("TTL", declared.get("TTL"), live.get("TTL"))
        problems += differs(
            "ResourceRecords",
            sorted(r["Value"] for r in declared["ResourceRecords"]),
            sorted(r["Value"] for r in live.get("ResourceRecords", [])),
        )
    for key in _ROUTING:
        if key in declared and key != "SetIdentifier":
            problems += subset_differences(key, declared[key], live.get(key))
    return problems


@register
class RecordSetProvisioner:
    """AWS::Route53::RecordSet. Primary identifier: Id.

    Ref returns the record's domain name (Name). No other Fn::GetAtt attributes. Records of one name
    and type told apart by SetIdentifier (weighted, failover, latency...) are separate resources.
    """

    resource_type: ClassVar[str] = "AWS::Route53::RecordSet"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "HostedZoneId",
            "HostedZoneName",
            "Name",
            "Type",
            "TTL",
            "ResourceRecords",
            "AliasTarget",
            "Comment",
            *_ROUTING,
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = str(request.prop("Name"))
        try:
            zone_id = _resolve_zone(request)
            batch: dict[str, Any] = {
                "Changes": [{"Action": "CREATE", "ResourceRecordSet": _record_set(request)}]
            }
            if request.prop("Comment"):
                batch["Comment"] = str(request.prop("Comment"))
            change = request.client("route53").change_resource_record_sets(
                HostedZoneId=zone_id, ChangeBatch=batch
            )
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                return emulate(request, name, {}, exc)
            raise
        self._wait_insync(request, change["ChangeInfo"]["Id"])
        return ProvisionResult(physical_id=name)

    @staticmethod
    def _wait_insync(request: ProvisionRequest, change_id: str) -> None:
        request.client("route53").get_waiter("resource_record_sets_changed").wait(
            Id=change_id, WaiterConfig={"Delay": 5, "MaxAttempts": 120}
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            live = _find_record(request, _resolve_zone(request))
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        except ProvisionError as exc:  # the zone named HostedZoneName is gone
            raise ResourceMissing(str(exc)) from exc
        return _record_differences(_record_set(request), live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        try:
            zone_id = _resolve_zone(request)
            live = _find_record(request, zone_id)
        except (ResourceMissing, ProvisionError):
            return
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                _emulated.delete(request)
                return
            raise
        live["Name"] = _record_set(request)["Name"]
        if "AliasTarget" in live:
            live.pop("TTL", None)  # moto: reports TTL 0 on alias records; Route 53 refuses a TTL there
        try:
            change = request.client("route53").change_resource_record_sets(
                HostedZoneId=zone_id,
                ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": live}]},
            )
        except ClientError as exc:
            if is_not_found(exc) or error_code(exc) == "InvalidChangeBatch":
                return
            raise
        self._wait_insync(request, change["ChangeInfo"]["Id"])
