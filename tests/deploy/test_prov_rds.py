"""RDS provisioners on moto: subnet groups, DB instances, Aurora clusters, proxies and target groups."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import ProvisionRequest, ResourceMissing

from ._support import Build, Clients, Deployed, assert_deleted, create, new_network, raises, tag_dict


@pytest.fixture(scope="module")
def network(clients: Clients) -> dict[str, Any]:
    return new_network(clients, "10.30", "rds-db", "db", key_description="rds")


def _lifecycle_end(prov: Any, request: ProvisionRequest, result: Any, still_there: Callable[[], Any]) -> None:
    """Delete, check the resource is gone (target and verify), delete again as a no-op."""
    assert_deleted(prov, request, result, gone=lambda: raises(ClientError, still_there))


def _tags(clients: Clients, arn: str) -> dict[str, str]:
    return tag_dict(clients("rds").list_tags_for_resource(ResourceName=arn)["TagList"])


def _subnet_group(make_request: Build, network: dict[str, Any], name: str) -> Deployed:
    return create(make_request, "DbSubnets", "AWS::RDS::DBSubnetGroup", {
        "DBSubnetGroupName": name, "DBSubnetGroupDescription": "app database subnets",
        "SubnetIds": network["subnets"], "Tags": [{"Key": "team", "Value": "data"}],
    })  # fmt: skip


def test_db_subnet_group_lifecycle(make_request: Build, network: dict[str, Any], clients: Any) -> None:
    prov, request, result = _subnet_group(make_request, network, "App-DB-Subnets")
    assert result.physical_id == "app-db-subnets"  # RDS stores subnet group names in lowercase
    rds = clients("rds")
    live = rds.describe_db_subnet_groups(DBSubnetGroupName="app-db-subnets")["DBSubnetGroups"][0]
    assert sorted(s["SubnetIdentifier"] for s in live["Subnets"]) == sorted(network["subnets"])
    assert _tags(clients, live["DBSubnetGroupArn"])["team"] == "data"
    assert prov.verify(request, result) == []

    # (moto's ModifyDBSubnetGroup drops the group from its store, so the break is a removed tag)
    rds.remove_tags_from_resource(ResourceName=live["DBSubnetGroupArn"], TagKeys=["team"])
    assert prov.verify(request, result) == ["tag 'team' is missing (declared 'data')"]
    _lifecycle_end(
        prov, request, result, lambda: rds.describe_db_subnet_groups(DBSubnetGroupName="app-db-subnets")
    )


def test_db_instance_lifecycle(make_request: Build, network: dict[str, Any], clients: Any) -> None:
    sg_prov, sg_request, sg_result = _subnet_group(make_request, network, "instance-subnets")
    prov, request, result = create(make_request, "AppDb", "AWS::RDS::DBInstance", {
        "Engine": "postgres", "EngineVersion": "16.3", "DBInstanceClass": "db.t4g.micro",
        "AllocatedStorage": "20", "StorageType": "gp3", "StorageEncrypted": "true",
        "KmsKeyId": network["key"], "MasterUsername": "app", "ManageMasterUserPassword": True,
        "DBName": "app",
        "DBSubnetGroupName": sg_result.physical_id, "VPCSecurityGroups": [network["group"]],
        "MultiAZ": True, "PubliclyAccessible": False, "BackupRetentionPeriod": 7, "DeletionProtection": True,
        "EnablePerformanceInsights": True, "CopyTagsToSnapshot": True,
        "Tags": [{"Key": "tier", "Value": "db"}],
    })  # fmt: skip
    identifier = result.physical_id
    assert identifier == identifier.lower() and len(identifier) <= 63 and "appdb" in identifier
    assert result.attributes["Endpoint.Port"] == "5432"
    assert result.attributes["Endpoint.Address"].startswith(identifier)
    assert result.attributes["DBInstanceArn"].endswith(f":db:{identifier}")
    rds = clients("rds")
    live = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    assert (live["Engine"], live["DBInstanceClass"], live["AllocatedStorage"]) == (
        "postgres",
        "db.t4g.micro",
        20,
    )
    assert live["StorageEncrypted"] and live["MultiAZ"] and live["DeletionProtection"]
    assert live["DBSubnetGroup"]["DBSubnetGroupName"] == "instance-subnets"
    assert [g["VpcSecurityGroupId"] for g in live["VpcSecurityGroups"]] == [network["group"]]
    assert "MasterUserSecret" in live
    assert _tags(clients, live["DBInstanceArn"])["tier"] == "db"
    assert prov.verify(request, result) == []

    rds.modify_db_instance(
        DBInstanceIdentifier=identifier, DBInstanceClass="db.r6g.large", ApplyImmediately=True
    )
    rds.remove_tags_from_resource(ResourceName=live["DBInstanceArn"], TagKeys=["tier"])
    problems = prov.verify(request, result)
    assert any("DBInstanceClass is 'db.r6g.large'" in p for p in problems)
    assert any("tag 'tier' is missing" in p for p in problems)
    # DeletionProtection is lifted before deleting: the plugin's stacks are ephemeral.
    _lifecycle_end(prov, request, result, lambda: rds.describe_db_instances(DBInstanceIdentifier=identifier))
    sg_prov.delete(sg_request, sg_result)


def test_aurora_cluster_instance_and_proxy(
    make_request: Build, network: dict[str, Any], clients: Any
) -> None:
    rds = clients("rds")
    sg_prov, sg_request, sg_result = _subnet_group(make_request, network, "aurora-subnets")
    cluster_prov, cluster_request, cluster = create(make_request, "Aurora", "AWS::RDS::DBCluster", {
        "DBClusterIdentifier": "orders-aurora", "Engine": "aurora-postgresql", "EngineVersion": "15.4",
        "EngineMode": "provisioned",
        "ServerlessV2ScalingConfiguration": {"MinCapacity": "0.5", "MaxCapacity": 4},
        "MasterUsername": "app", "ManageMasterUserPassword": True, "DatabaseName": "orders",
        "DBSubnetGroupName": sg_result.physical_id, "VpcSecurityGroupIds": [network["group"]],
        "StorageEncrypted": True, "KmsKeyId": network["key"], "BackupRetentionPeriod": 7,
        "EnableHttpEndpoint": True, "DeletionProtection": False, "Tags": [{"Key": "app", "Value": "orders"}],
    })  # fmt: skip
    assert cluster.physical_id == "orders-aurora"
    assert cluster.attributes["Endpoint.Address"].startswith("orders-aurora.cluster-")
    assert cluster.attributes["ReadEndpoint.Address"].startswith("orders-aurora.cluster-ro-")
    assert cluster.attributes["Endpoint.Port"] == "5432"
    live = rds.describe_db_clusters(DBClusterIdentifier="orders-aurora")["DBClusters"][0]
    assert live["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    assert live["StorageEncrypted"] and live["KmsKeyId"] == network["key"]
    assert cluster_prov.verify(cluster_request, cluster) == []

    instance_prov, member_request, member = create(make_request, "AuroraWriter", "AWS::RDS::DBInstance", {
        "Engine": "aurora-postgresql", "DBInstanceClass": "db.serverless",
        "DBClusterIdentifier": "orders-aurora",
    })  # fmt: skip
    assert (
        rds.describe_db_instances(DBInstanceIdentifier=member.physical_id)["DBInstances"][0][
            "DBClusterIdentifier"
        ]
        == "orders-aurora"
    )
    assert instance_prov.verify(member_request, member) == []

    _proxy_round_trip(make_request, network, clients)

    rds.modify_db_cluster(DBClusterIdentifier="orders-aurora", BackupRetentionPeriod=1, ApplyImmediately=True)
    assert any("BackupRetentionPeriod is 1" in p for p in cluster_prov.verify(cluster_request, cluster))
    instance_prov.delete(member_request, member)
    _lifecycle_end(
        cluster_prov,
        cluster_request,
        cluster,
        lambda: rds.describe_db_clusters(DBClusterIdentifier="orders-aurora"),
    )
    sg_prov.delete(sg_request, sg_result)


def _proxy_round_trip(make_request: Build, network: dict[str, Any], clients: Any) -> None:
    rds = clients("rds")
    secret = clients("secretsmanager").create_secret(Name="orders-db", SecretString=json.dumps({"u": "p"}))[
        "ARN"
    ]
    proxy_prov, proxy_request, proxy = create(make_request, "Proxy", "AWS::RDS::DBProxy", {
        "DBProxyName": "orders-proxy", "EngineFamily": "POSTGRESQL", "RequireTLS": True,
        "IdleClientTimeout": 900,
        "Auth": [{"AuthScheme": "SECRETS", "SecretArn": secret, "IAMAuth": "REQUIRED"}],
        "DebugLogging": False, "RoleArn": "arn:aws:iam::123456789012:role/proxy",
        "VpcSubnetIds": network["subnets"], "VpcSecurityGroupIds": [network["group"]],
        "Tags": [{"Key": "app", "Value": "orders"}],
    })  # fmt: skip
    assert proxy.physical_id == "orders-proxy"
    assert proxy.attributes["VpcId"] == network["vpc"]
    assert proxy.attributes["Endpoint"].startswith("orders-proxy.")
    live = rds.describe_db_proxies(DBProxyName="orders-proxy")["DBProxies"][0]
    assert live["RequireTLS"] and live["Auth"][0]["IAMAuth"] == "REQUIRED"
    assert proxy_prov.verify(proxy_request, proxy) == []

    group_prov, group_request, group = create(make_request, "ProxyTargets", "AWS::RDS::DBProxyTargetGroup", {
        "DBProxyName": "orders-proxy", "TargetGroupName": "default",
        "DBClusterIdentifiers": ["orders-aurora"],
        "ConnectionPoolConfigurationInfo": {
            "MaxConnectionsPercent": "80", "MaxIdleConnectionsPercent": 20, "ConnectionBorrowTimeout": 60,
        },
    })  # fmt: skip
    assert group.physical_id.startswith("arn:aws:rds:us-east-1:123456789012:target-group:")
    assert group.attributes["TargetGroupArn"] == group.physical_id
    targets = rds.describe_db_proxy_targets(DBProxyName="orders-proxy", TargetGroupName="default")["Targets"]
    assert [(t["RdsResourceId"], t["Type"]) for t in targets] == [("orders-aurora", "TRACKED_CLUSTER")]
    pool = rds.describe_db_proxy_target_groups(DBProxyName="orders-proxy")["TargetGroups"][0][
        "ConnectionPoolConfig"
    ]
    assert (pool["MaxConnectionsPercent"], pool["ConnectionBorrowTimeout"]) == (80, 60)
    assert group_prov.verify(group_request, group) == []

    rds.remove_tags_from_resource(ResourceName=live["DBProxyArn"], TagKeys=["app"])
    assert any("tag 'app' is missing" in p for p in proxy_prov.verify(proxy_request, proxy))
    group_prov.delete(group_request, group)  # deregisters the targets; the default group stays with the proxy
    assert (
        rds.describe_db_proxy_targets(DBProxyName="orders-proxy", TargetGroupName="default")["Targets"] == []
    )
    assert any("DBClusterIdentifiers" in p for p in group_prov.verify(group_request, group))
    _lifecycle_end(
        proxy_prov, proxy_request, proxy, lambda: rds.describe_db_proxies(DBProxyName="orders-proxy")
    )
    with pytest.raises(ResourceMissing):
        group_prov.verify(group_request, group)
    group_prov.delete(group_request, group)
