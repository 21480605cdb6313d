"""ElastiCache provisioners on moto: subnet groups, cache clusters and replication groups."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ResourceMissing
from pytest_infra_parity.deploy.provisioners.base import DELETED_TAG

from ._support import Build, Clients, Deployed, assert_deleted, create, new_network, tag_dict


@pytest.fixture(scope="module")
def network(clients: Clients) -> dict[str, Any]:
    return new_network(clients, "10.31", "cache", "cache", key_description="cache")


def _tags(clients: Clients, arn: str) -> dict[str, str]:
    return tag_dict(clients("elasticache").list_tags_for_resource(ResourceName=arn)["TagList"])


def _subnet_group(make_request: Build, network: dict[str, Any], name: str) -> Deployed:
    return create(make_request, "CacheSubnets", "AWS::ElastiCache::SubnetGroup", {
        "CacheSubnetGroupName": name, "Description": "cache subnets", "SubnetIds": network["subnets"],
        "Tags": [{"Key": "team", "Value": "cache"}],
    })  # fmt: skip


def test_subnet_group_lifecycle(make_request: Build, network: dict[str, Any], clients: Any) -> None:
    prov, request, result = _subnet_group(make_request, network, "sessions-cache")
    ec = clients("elasticache")
    live = ec.describe_cache_subnet_groups(CacheSubnetGroupName=result.physical_id)["CacheSubnetGroups"][0]
    assert live["CacheSubnetGroupDescription"] == "cache subnets"
    assert sorted(s["SubnetIdentifier"] for s in live["Subnets"]) == sorted(network["subnets"])
    assert _tags(clients, live["ARN"])["team"] == "cache"
    assert prov.verify(request, result) == []

    ec.remove_tags_from_resource(ResourceName=live["ARN"], TagKeys=["team"])
    assert prov.verify(request, result) == ["tag 'team' is missing (declared 'cache')"]

    prov.delete(request, result)
    # moto cannot delete subnet groups: the provisioner marks the group deleted, verify sees it gone.
    assert DELETED_TAG in _tags(clients, live["ARN"])
    with pytest.raises(ResourceMissing):
        prov.verify(request, result)
    prov.delete(request, result)
    # Creating it again takes the marked group back.
    again = prov.create(request)
    assert again.physical_id == result.physical_id
    assert DELETED_TAG not in _tags(clients, live["ARN"])
    assert prov.verify(request, again) == []
    prov.delete(request, again)


def test_cache_cluster_lifecycle(make_request: Build, network: dict[str, Any], clients: Any) -> None:
    _, _, subnets = _subnet_group(make_request, network, "single-node-cache")
    prov, request, result = create(make_request, "SessionCache", "AWS::ElastiCache::CacheCluster", {
        "Engine": "redis", "EngineVersion": "7.1", "CacheNodeType": "cache.t4g.micro", "NumCacheNodes": "1",
        "CacheSubnetGroupName": subnets.physical_id, "VpcSecurityGroupIds": [network["group"]], "Port": 6379,
        "SnapshotRetentionLimit": 3, "Tags": [{"Key": "app", "Value": "sessions"}],
    })  # fmt: skip
    cluster_id = result.physical_id
    assert cluster_id == cluster_id.lower() and len(cluster_id) <= 40 and "sessioncache" in cluster_id
    assert result.attributes["RedisEndpoint.Address"].startswith(f"{cluster_id}.")
    assert result.attributes["RedisEndpoint.Port"] == "6379"
    ec = clients("elasticache")
    live = ec.describe_cache_clusters(CacheClusterId=cluster_id)["CacheClusters"][0]
    assert (live["Engine"], live["EngineVersion"], live["CacheNodeType"]) == (
        "redis",
        "7.1",
        "cache.t4g.micro",
    )
    assert (live["CacheSubnetGroupName"], live["SnapshotRetentionLimit"]) == ("single-node-cache", 3)
    assert _tags(clients, live["ARN"])["app"] == "sessions"
    assert prov.verify(request, result) == []

    ec.add_tags_to_resource(ResourceName=live["ARN"], Tags=[{"Key": "app", "Value": "other"}])
    assert prov.verify(request, result) == ["tag 'app' is 'other', declared 'sessions'"]

    prov.delete(request, result)
    assert ec.describe_cache_clusters(CacheClusterId=cluster_id)["CacheClusters"][0][
        "CacheClusterStatus"
    ] in ("deleting", "deleted")
    with pytest.raises(ResourceMissing):
        prov.verify(request, result)
    prov.delete(request, result)


def test_replication_group_cluster_mode_disabled(
    make_request: Build, network: dict[str, Any], clients: Any
) -> None:
    _, _, subnets = _subnet_group(make_request, network, "replicated-cache")
    prov, request, result = create(make_request, "Redis", "AWS::ElastiCache::ReplicationGroup", {
        "ReplicationGroupId": "orders-redis", "ReplicationGroupDescription": "orders cache",
        "Engine": "redis", "EngineVersion": "7.1", "CacheNodeType": "cache.t4g.small", "NumCacheClusters": 2,
        "AutomaticFailoverEnabled": "true", "MultiAZEnabled": True,
        "CacheSubnetGroupName": subnets.physical_id, "SecurityGroupIds": [network["group"]],
        "AtRestEncryptionEnabled": True, "TransitEncryptionEnabled": True, "KmsKeyId": network["key"],
        "AuthToken": "a-very-long-auth-token-123", "Port": 6380, "Tags": [{"Key": "app", "Value": "orders"}],
    })  # fmt: skip
    assert result.physical_id == "orders-redis"
    assert result.attributes["PrimaryEndPoint.Port"] == "6380"
    assert "orders-redis" in result.attributes["PrimaryEndPoint.Address"]
    assert result.attributes["ReaderEndPoint.Address"] != result.attributes["PrimaryEndPoint.Address"]
    assert len(result.attributes["ReadEndPoint.AddressesList"]) == 1
    ec = clients("elasticache")
    live = ec.describe_replication_groups(ReplicationGroupId="orders-redis")["ReplicationGroups"][0]
    assert live["MemberClusters"] == ["orders-redis-001", "orders-redis-002"]
    assert (live["AutomaticFailover"], live["MultiAZ"], live["ClusterEnabled"]) == (
        "enabled",
        "enabled",
        False,
    )
    assert live["AtRestEncryptionEnabled"] and live["TransitEncryptionEnabled"] and live["AuthTokenEnabled"]
    assert live["KmsKeyId"] == network["key"]
    assert prov.verify(request, result) == []

    ec.remove_tags_from_resource(ResourceName=live["ARN"], TagKeys=["app"])
    assert prov.verify(request, result) == ["tag 'app' is missing (declared 'orders')"]
    assert_deleted(prov, request, result)


def test_replication_group_cluster_mode_enabled(make_request: Build, clients: Any) -> None:
    prov, request, result = create(
        make_request,
        "Sharded",
        "AWS::ElastiCache::ReplicationGroup",
        {
            "ReplicationGroupDescription": "sharded",
            "Engine": "redis",
            "CacheNodeType": "cache.t4g.small",
            "NumNodeGroups": 2,
            "ReplicasPerNodeGroup": 1,
            "AutomaticFailoverEnabled": True,
            "CacheParameterGroupName": "default.redis7.cluster.on",
        },
    )
    assert result.physical_id == result.physical_id.lower() and len(result.physical_id) <= 40
    assert result.attributes["ConfigurationEndPoint.Address"].startswith("clustercfg.")
    live = clients("elasticache").describe_replication_groups(ReplicationGroupId=result.physical_id)[
        "ReplicationGroups"
    ][0]
    assert live["ClusterEnabled"] and len(live["NodeGroups"]) == 2
    assert all(len(g["NodeGroupMembers"]) == 2 for g in live["NodeGroups"])
    assert prov.verify(request, result) == []
    prov.delete(request, result)
    with pytest.raises(ResourceMissing):
        prov.verify(request, result)
