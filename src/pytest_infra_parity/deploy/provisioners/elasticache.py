"""ElastiCache subnet groups and cache clusters, and the helpers :mod:`.elasticache_replication` uses.

Emulated store: when the target answers that ElastiCache is not implemented (LocalStack's free plan
answers 501), the declared resource is kept with :mod:`._emulated` instead; never on moto, which
implements every create call used here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from pytest_infra_parity.deploy.provisioners import _emulated, register
from pytest_infra_parity.deploy.provisioners._common import (
    SLOW,
    Field,
    Tagging,
    build_params,
    delete_and_wait,
    emulate,
    emulated_or_raise,
    field_differences,
    mark_deleted,
    refuse_marked,
    take_back,
    wait_for,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners.base import (
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
from pytest_infra_parity.deploy.provisioners.rds import TAG_CALLS, WAITER, describe_live, rds_identifier


def _tagging(request: ProvisionRequest) -> Tagging:
    return Tagging(request.client("elasticache"), "ResourceName", TAG_CALLS, "TagList")


def cache_tags(request: ProvisionRequest, arn: str) -> dict[str, str]:
    return _tagging(request).read(arn)


def region_short(region: str) -> str:
    """``us-east-1`` -> ``use1``, as in ElastiCache endpoint names."""
    parts = region.split("-")
    return parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]


def cache_id(request: ProvisionRequest, prop: str) -> str:
    return str(request.prop(prop) or rds_identifier(request, prop, 40)).lower()


# --- AWS::ElastiCache::SubnetGroup ---


def _describe_subnet_group(request: ProvisionRequest, name: str) -> dict[str, Any]:
    what = f"{request.logical_id}: cache subnet group {name}"
    try:
        group: dict[str, Any] = request.client("elasticache").describe_cache_subnet_groups(
            CacheSubnetGroupName=name
        )["CacheSubnetGroups"][0]
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceMissing(what) from exc
        raise
    refuse_marked(what, cache_tags(request, group["ARN"]))
    return group


@register
class SubnetGroupProvisioner:
    """AWS::ElastiCache::SubnetGroup. Primary identifier: CacheSubnetGroupName.

    Ref returns the subnet group name. No Fn::GetAtt attributes. moto cannot delete subnet groups:
    there ``delete`` marks the group deleted (``infra-parity:deleted``) and ``create`` takes it back.
    """

    resource_type: ClassVar[str] = "AWS::ElastiCache::SubnetGroup"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"CacheSubnetGroupName", "Description", "SubnetIds", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = rds_identifier(request, "CacheSubnetGroupName", 255)
        ec = request.client("elasticache")
        try:
            group = ec.create_cache_subnet_group(
                CacheSubnetGroupName=name, CacheSubnetGroupDescription=str(request.prop("Description", name)),
                SubnetIds=list(request.prop("SubnetIds", [])), Tags=tag_list(request),
            )["CacheSubnetGroup"]
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                return emulate(request, name.lower(), {}, exc)
            if error_code(exc) != "CacheSubnetGroupAlreadyExists":
                raise
            group = ec.describe_cache_subnet_groups(CacheSubnetGroupName=name)["CacheSubnetGroups"][0]
            # A group this plugin marked deleted (see delete) is taken back.
            if not take_back(request, _tagging(request), group["ARN"]):
                raise
        return ProvisionResult(physical_id=group["CacheSubnetGroupName"])

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            group = _describe_subnet_group(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        problems = differs("Description", request.prop("Description", result.physical_id),
                           group["CacheSubnetGroupDescription"])
        subnets = sorted(s["SubnetIdentifier"] for s in group.get("Subnets", []))
        problems += differs("SubnetIds", sorted(request.prop("SubnetIds", [])), subnets)
        return problems + tag_differences(tag_map(request), cache_tags(request, group["ARN"]))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        wait_for(f"{request.logical_id}: cache subnet group {result.physical_id} deleted",
                 lambda: self._try_delete(request, result.physical_id), 1800.0, SLOW[1])

    def _try_delete(self, request: ProvisionRequest, name: str) -> bool:
        """One deletion attempt: False while clusters being deleted still use the group."""
        try:
            request.client("elasticache").delete_cache_subnet_group(CacheSubnetGroupName=name)
        except (ClientError, ResponseParserError) as exc:
            if error_code(exc) == "CacheSubnetGroupInUse":
                return False
            if is_not_found(exc):
                return True
            if not target_lacks(exc):
                raise
            try:
                group = _describe_subnet_group(request, name)
            except ResourceMissing:
                return True
            except (ClientError, ResponseParserError) as inner:
                if target_lacks(inner):
                    _emulated.delete(request)
                    return True
                raise
            # moto: has no DeleteCacheSubnetGroup; the group is marked deleted instead, which verify
            # treats as gone and a later create with the same name takes back.
            mark_deleted(_tagging(request), group["ARN"])
        return True


# --- AWS::ElastiCache::CacheCluster ---

_CACHE_FIELDS: tuple[Field, ...] = (
    Field("Engine", live="Engine"),
    Field("EngineVersion", live="EngineVersion"),
    Field("CacheNodeType", live="CacheNodeType"),
    Field("NumCacheNodes", kind="int", live="NumCacheNodes"),
    Field("CacheSubnetGroupName", live="CacheSubnetGroupName", compare="ci"),
    # moto: DescribeCacheClusters omits SecurityGroups, CacheParameterGroup and the cache nodes (and so
    # the port): those are only checked when the target reports them.
    Field("VpcSecurityGroupIds", api="SecurityGroupIds", kind="list", live="SecurityGroups[].SecurityGroupId",
          compare="set", optional=True),
    Field("CacheParameterGroupName", live="CacheParameterGroup.CacheParameterGroupName", optional=True),
    Field("Port", kind="int", live="_Port", optional=True),
    Field("SnapshotRetentionLimit", kind="int", live="SnapshotRetentionLimit"),
    Field("SnapshotWindow", live="SnapshotWindow"),
    Field("PreferredMaintenanceWindow", live="PreferredMaintenanceWindow"),
    Field("PreferredAvailabilityZone", live="PreferredAvailabilityZone"),
    Field("AZMode"),
    Field("AutoMinorVersionUpgrade", kind="bool", live="AutoMinorVersionUpgrade"),
    Field("TransitEncryptionEnabled", kind="bool", live="TransitEncryptionEnabled"),
)


def describe_cache_cluster(request: ProvisionRequest, cluster_id: str, deleting_ok: bool = False) -> (
    dict[str, Any]
):
    call = request.client("elasticache").describe_cache_clusters
    found = describe_live(request, f"cache cluster {cluster_id}", call, "CacheClusters", "CacheClusterStatus",
                          deleting_ok, CacheClusterId=cluster_id, ShowCacheNodeInfo=True)
    nodes = found.get("CacheNodes") or []
    endpoint = nodes[0].get("Endpoint", {}) if nodes else found.get("ConfigurationEndpoint", {})
    if "Port" in endpoint:
        found["_Port"] = endpoint["Port"]
    return found


def _cache_endpoint(request: ProvisionRequest, live: Mapping[str, Any]) -> tuple[str, str]:
    """Address and port of the node (Redis / Valkey) or of the configuration endpoint (Memcached)."""
    nodes = live.get("CacheNodes") or []
    endpoint = nodes[0].get("Endpoint") if nodes else live.get("ConfigurationEndpoint")
    if endpoint:
        return str(endpoint["Address"]), str(endpoint["Port"])
    # moto: returns no cache nodes; the endpoint is named the way ElastiCache names it.
    memcached = live.get("Engine") == "memcached"
    node = "cfg" if memcached else "0001"
    address = f"{live['CacheClusterId']}.moto00.{node}.{region_short(request.region)}.cache.amazonaws.com"
    return address, str(request.prop("Port") or (11211 if memcached else 6379))


@register
class CacheClusterProvisioner:
    """AWS::ElastiCache::CacheCluster. Primary identifier: ClusterName.

    Ref returns the cluster name. Fn::GetAtt: RedisEndpoint.Address, RedisEndpoint.Port (Redis OSS /
    Valkey), ConfigurationEndpoint.Address, ConfigurationEndpoint.Port (Memcached).
    """

    resource_type: ClassVar[str] = "AWS::ElastiCache::CacheCluster"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {f.cfn for f in _CACHE_FIELDS} | {"ClusterName", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        cluster_id = cache_id(request, "ClusterName")
        ec = request.client("elasticache")
        params = build_params(request, _CACHE_FIELDS)
        try:
            ec.create_cache_cluster(CacheClusterId=cluster_id, Tags=tag_list(request), **params)
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                host = f"{cluster_id}.emulated.0001.{region_short(request.region)}.cache.amazonaws.com"
                port = str(request.prop("Port") or 6379)
                attributes = {"RedisEndpoint.Address": host, "RedisEndpoint.Port": port}
                return emulate(request, cluster_id, attributes, exc)
            raise
        ec.get_waiter("cache_cluster_available").wait(CacheClusterId=cluster_id, WaiterConfig=WAITER)
        live = describe_cache_cluster(request, cluster_id)
        address, port = _cache_endpoint(request, live)
        prefix = "ConfigurationEndpoint" if live.get("Engine") == "memcached" else "RedisEndpoint"
        return ProvisionResult(cluster_id, {f"{prefix}.Address": address, f"{prefix}.Port": port})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            live = describe_cache_cluster(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        problems = field_differences(request, _CACHE_FIELDS, live)
        return problems + tag_differences(tag_map(request), cache_tags(request, live["ARN"]))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        name = result.physical_id
        delete_and_wait(request, f"cache cluster {name}", lambda: self._deleted(request, name),
                        request.client("elasticache").delete_cache_cluster, ("InvalidCacheClusterState",),
                        CacheClusterId=name)

    @staticmethod
    def _deleted(request: ProvisionRequest, cluster_id: str) -> bool:
        try:
            live = describe_cache_cluster(request, cluster_id, deleting_ok=True)
        except ResourceMissing:
            return True
        # moto: keeps deleted clusters as "deleting" forever, without nodes; AWS lists nodes until the end.
        return live.get("CacheClusterStatus") == "deleting" and not live.get("CacheNodes")
