"""ElastiCache (Valkey / Redis OSS) replication groups.

Emulated store: when the target answers that ElastiCache is not implemented (LocalStack's free plan
answers 501), the declared resource is kept with :mod:`._emulated` instead; never on moto, which
implements every create call used here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import (
    Field,
    build_params,
    delete_and_wait,
    emulate,
    emulated_or_raise,
    field_differences,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    tag_differences,
    tag_list,
    tag_map,
)
from pytest_infra_parity.deploy.provisioners.elasticache import (
    cache_id,
    cache_tags,
    describe_cache_cluster,
    region_short,
)
from pytest_infra_parity.deploy.provisioners.rds import WAITER, describe_live

# --- AWS::ElastiCache::ReplicationGroup ---

_GROUP_FIELDS: tuple[Field, ...] = (
    Field("ReplicationGroupDescription", live="Description"),
    Field("Engine", live="Engine"),
    Field("CacheNodeType", live="CacheNodeType"),
    Field("NumCacheClusters", kind="int", api="", live="_NumCacheClusters"),
    Field("NumNodeGroups", kind="int", live="_NumNodeGroups"),
    Field("ReplicasPerNodeGroup", kind="int", live="_ReplicasPerNodeGroup"),
    Field("AutomaticFailoverEnabled", kind="bool", live="_AutomaticFailoverEnabled"),
    Field("MultiAZEnabled", kind="bool", live="_MultiAZEnabled"),
    Field("AtRestEncryptionEnabled", kind="bool", live="AtRestEncryptionEnabled"),
    Field("TransitEncryptionEnabled", kind="bool", live="TransitEncryptionEnabled"),
    Field("KmsKeyId", live="KmsKeyId", compare="kms"),
    Field("AuthToken"),
    Field("SnapshotRetentionLimit", kind="int", live="SnapshotRetentionLimit"),
    Field("SnapshotWindow", live="SnapshotWindow"),
    Field("ClusterMode", api="", live="ClusterMode", compare="ci"),
    Field("Port", kind="int", live="_Port"),
    # Only the member clusters carry these; moto cannot describe a group's member clusters, so they are
    # checked only when the target reports them.
    Field("EngineVersion", live="_member.EngineVersion", optional=True),
    Field("CacheSubnetGroupName", live="_member.CacheSubnetGroupName", compare="ci", optional=True),
    Field("SecurityGroupIds", kind="list", live="_member.SecurityGroups[].SecurityGroupId", compare="set",
          optional=True),
    Field("CacheParameterGroupName", live="_member.CacheParameterGroup.CacheParameterGroupName",
          optional=True),
    Field("PreferredMaintenanceWindow", live="_member.PreferredMaintenanceWindow", optional=True),
    Field("AutoMinorVersionUpgrade", kind="bool", live="_member.AutoMinorVersionUpgrade", optional=True),
)


def _cluster_mode(request: ProvisionRequest) -> str | None:
    """The declared ClusterMode, else ``enabled`` for a sharded group or a ``cluster.on`` parameter group."""
    if request.prop("ClusterMode"):
        return str(request.prop("ClusterMode"))
    parameter_group = str(request.prop("CacheParameterGroupName"))
    if int(request.prop("NumNodeGroups", 1)) > 1 or ".cluster.on" in parameter_group:
        return "enabled"
    return None


def _group_params(request: ProvisionRequest) -> dict[str, Any]:
    params = build_params(request, _GROUP_FIELDS)
    mode = _cluster_mode(request)
    if mode:
        params["ClusterMode"] = mode
    clusters = request.prop("NumCacheClusters")
    if clusters is not None:
        if mode is None and "ReplicasPerNodeGroup" not in params:
            # moto: ignores NumCacheClusters and sizes a cluster-mode-disabled group from
            # ReplicasPerNodeGroup; AWS reads ReplicasPerNodeGroup = N - 1 on a single shard the same way.
            params["ReplicasPerNodeGroup"] = int(clusters) - 1
        else:
            params["NumCacheClusters"] = int(clusters)
    return params


def _describe_group(request: ProvisionRequest, group_id: str, deleting_ok: bool = False) -> dict[str, Any]:
    call = request.client("elasticache").describe_replication_groups
    group = describe_live(request, f"replication group {group_id}", call, "ReplicationGroups", "Status",
                          deleting_ok, ReplicationGroupId=group_id)
    node_groups = group.get("NodeGroups") or []
    group["_NumNodeGroups"] = len(node_groups)
    group["_NumCacheClusters"] = len(set(group.get("MemberClusters") or []))
    if node_groups:
        group["_ReplicasPerNodeGroup"] = len(node_groups[0].get("NodeGroupMembers") or []) - 1
    group["_AutomaticFailoverEnabled"] = group.get("AutomaticFailover") in ("enabled", "enabling")
    group["_MultiAZEnabled"] = group.get("MultiAZ") == "enabled"
    primary = node_groups[0].get("PrimaryEndpoint") if node_groups else {}
    endpoint = group.get("ConfigurationEndpoint") or primary
    if endpoint:
        group["_Port"] = endpoint["Port"]
    return group


def _member(request: ProvisionRequest, group: Mapping[str, Any]) -> dict[str, Any]:
    """The first member cluster that can be described, or ``{}``."""
    for member in group.get("MemberClusters") or []:
        try:
            return describe_cache_cluster(request, member, deleting_ok=True)
        except ResourceMissing:
            continue
    return {}


def _group_attributes(group: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if group.get("ConfigurationEndpoint"):
        config = group["ConfigurationEndpoint"]
        attributes.update({"ConfigurationEndPoint.Address": config["Address"],
                           "ConfigurationEndPoint.Port": str(config["Port"])})
    node_groups = group.get("NodeGroups") or []
    primary = node_groups[0].get("PrimaryEndpoint") if node_groups else None
    if primary:
        reader = node_groups[0].get("ReaderEndpoint")
        if not reader:
            # moto: computes a reader endpoint but does not return it; it is named from the primary one.
            first, _, rest = primary["Address"].partition(".")
            reader = {"Address": f"{'replica' if first == 'master' else first + '-ro'}.{rest}",
                      "Port": primary["Port"]}
        replicas = [m["ReadEndpoint"] for m in node_groups[0].get("NodeGroupMembers") or []
                    if m.get("CurrentRole") == "replica" and m.get("ReadEndpoint")]
        attributes.update({
            "PrimaryEndPoint.Address": primary["Address"], "PrimaryEndPoint.Port": str(primary["Port"]),
            "ReaderEndPoint.Address": reader["Address"], "ReaderEndPoint.Port": str(reader["Port"]),
            "ReadEndPoint.AddressesList": [r["Address"] for r in replicas],
            "ReadEndPoint.PortsList": [str(r["Port"]) for r in replicas],
        })
        attributes["ReadEndPoint.Addresses"] = ",".join(attributes["ReadEndPoint.AddressesList"])
        attributes["ReadEndPoint.Ports"] = ",".join(attributes["ReadEndPoint.PortsList"])
    return attributes


@register
class ReplicationGroupProvisioner:
    """AWS::ElastiCache::ReplicationGroup. Primary identifier: ReplicationGroupId.

    Ref returns the replication group id. Fn::GetAtt: PrimaryEndPoint.Address, PrimaryEndPoint.Port,
    ReaderEndPoint.Address, ReaderEndPoint.Port, ReadEndPoint.Addresses, ReadEndPoint.Ports,
    ReadEndPoint.AddressesList, ReadEndPoint.PortsList (cluster mode disabled);
    ConfigurationEndPoint.Address, ConfigurationEndPoint.Port (cluster mode enabled).
    """

    resource_type: ClassVar[str] = "AWS::ElastiCache::ReplicationGroup"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {f.cfn for f in _GROUP_FIELDS} | {"ReplicationGroupId", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        group_id = cache_id(request, "ReplicationGroupId")
        ec = request.client("elasticache")
        try:
            params = _group_params(request)
            ec.create_replication_group(ReplicationGroupId=group_id, Tags=tag_list(request), **params)
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                host = f"{group_id}.emulated.ng.0001.{region_short(request.region)}.cache.amazonaws.com"
                port = str(request.prop("Port") or 6379)
                attributes = {"PrimaryEndPoint.Address": host, "PrimaryEndPoint.Port": port}
                return emulate(request, group_id, attributes, exc)
            raise
        ec.get_waiter("replication_group_available").wait(ReplicationGroupId=group_id, WaiterConfig=WAITER)
        return ProvisionResult(group_id, _group_attributes(_describe_group(request, group_id)))

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            group = _describe_group(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        group["_member"] = _member(request, group)
        problems = field_differences(request, _GROUP_FIELDS, group)
        if "AuthToken" in request.properties:
            problems += differs("AuthTokenEnabled", True, group.get("AuthTokenEnabled"))
        return problems + tag_differences(tag_map(request), cache_tags(request, group["ARN"]))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        name = result.physical_id
        delete_and_wait(request, f"replication group {name}", lambda: self._deleted(request, name),
                        request.client("elasticache").delete_replication_group,
                        ("InvalidReplicationGroupState",), ReplicationGroupId=name,
                        RetainPrimaryCluster=False)

    @staticmethod
    def _deleted(request: ProvisionRequest, group_id: str) -> bool:
        try:
            group = _describe_group(request, group_id, deleting_ok=True)
        except ResourceMissing:
            return True
        # moto: keeps a deleted group as "deleting" forever and never had describable member clusters; AWS
        # removes the group once its member clusters are gone.
        return group.get("Status") == "deleting" and not _member(request, group)
