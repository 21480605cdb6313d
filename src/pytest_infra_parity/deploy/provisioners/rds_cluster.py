"""Aurora DB clusters (the RDS Proxy that may front them is in :mod:`.rds_proxy`).

Emulated store: when the target answers that RDS is not implemented (LocalStack's free plan answers
501), the declared resource is kept with :mod:`._emulated` instead; never on moto, which implements
every create call used here.
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
    emulate,
    emulated_or_raise,
    field_differences,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import as_bool, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    differs,
    tag_differences,
    tag_list,
    tag_map,
)
from pytest_infra_parity.deploy.provisioners.rds import (
    WAITER,
    default_port,
    delete_database,
    describe_live,
    rds_arn,
    rds_identifier,
    rds_tags,
    secret_attributes,
    secret_differences,
)

# --- AWS::RDS::DBCluster ---

_CLUSTER_FIELDS: tuple[Field, ...] = (
    Field("Engine", live="Engine"),
    Field("EngineVersion", live="EngineVersion"),
    Field("EngineMode", live="EngineMode"),
    Field("ServerlessV2ScalingConfiguration", kind="raw"),
    Field("MasterUsername", live="MasterUsername"),
    Field("MasterUserPassword"),
    Field("ManageMasterUserPassword", kind="bool"),
    Field("DatabaseName", live="DatabaseName"),
    Field("Port", kind="int", live="Port"),
    Field("DBSubnetGroupName", live="DBSubnetGroup", compare="ci"),
    Field("VpcSecurityGroupIds", kind="list", live="VpcSecurityGroups[].VpcSecurityGroupId", compare="set"),
    Field("DBClusterParameterGroupName", live="DBClusterParameterGroup"),
    Field("StorageEncrypted", kind="bool", live="StorageEncrypted"),
    Field("KmsKeyId", live="KmsKeyId", compare="kms"),
    Field("BackupRetentionPeriod", kind="int", live="BackupRetentionPeriod"),
    Field("PreferredBackupWindow", live="PreferredBackupWindow"),
    Field("PreferredMaintenanceWindow", live="PreferredMaintenanceWindow"),
    Field("EnableHttpEndpoint", kind="bool", api=""),
    Field("EnableIAMDatabaseAuthentication", kind="bool", live="IAMDatabaseAuthenticationEnabled"),
    Field("EnableCloudwatchLogsExports", kind="list", live="EnabledCloudwatchLogsExports", compare="set"),
    Field("DeletionProtection", kind="bool", live="DeletionProtection"),
    Field("CopyTagsToSnapshot", kind="bool", live="CopyTagsToSnapshot"),
)

HTTP_ENDPOINT_TAG = "infra-parity:emulated:HttpEndpoint"
"""Set on a cluster whose target ignored EnableHttpEndpoint and lacks the EnableHttpEndpoint call."""


def _describe_cluster(request: ProvisionRequest, identifier: str) -> dict[str, Any]:
    call = request.client("rds").describe_db_clusters
    return describe_live(request, f"DB cluster {identifier}", call, "DBClusters", "Status",
                         DBClusterIdentifier=identifier)


def _enable_http_endpoint(request: ProvisionRequest, live: Mapping[str, Any]) -> None:
    """Serverless v2 / provisioned clusters enable the Data API with a separate call."""
    rds = request.client("rds")
    try:
        rds.enable_http_endpoint(ResourceArn=live["DBClusterArn"])
    except (ClientError, ResponseParserError) as exc:
        if not target_lacks(exc):
            raise
        # moto: ignores EnableHttpEndpoint on CreateDBCluster except for a few Serverless v1 versions and
        # has no EnableHttpEndpoint call; the declared setting is recorded on the cluster as a tag.
        rds.add_tags_to_resource(
            ResourceName=live["DBClusterArn"], Tags=[{"Key": HTTP_ENDPOINT_TAG, "Value": "enabled"}]
        )


@register
class DBClusterProvisioner:
    """AWS::RDS::DBCluster. Primary identifier: DBClusterIdentifier.

    Ref returns the DB cluster identifier. Fn::GetAtt: Endpoint.Address, Endpoint.Port,
    ReadEndpoint.Address, DBClusterArn, DBClusterResourceId, MasterUserSecret.SecretArn.
    """

    resource_type: ClassVar[str] = "AWS::RDS::DBCluster"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {f.cfn for f in _CLUSTER_FIELDS} | {"DBClusterIdentifier", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        identifier = rds_identifier(request, "DBClusterIdentifier").lower()
        rds = request.client("rds")
        params = build_params(request, _CLUSTER_FIELDS)
        if "ServerlessV2ScalingConfiguration" in params:
            params["ServerlessV2ScalingConfiguration"] = {
                k: float(v) if k.endswith("Capacity") else int(v)
                for k, v in params["ServerlessV2ScalingConfiguration"].items()
            }
        if "EnableHttpEndpoint" in request.properties:
            params["EnableHttpEndpoint"] = as_bool(request.prop("EnableHttpEndpoint"))
        try:
            rds.create_db_cluster(DBClusterIdentifier=identifier, Tags=tag_list(request), **params)
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                host = f"{identifier}.cluster-emulated.{request.region}.rds.amazonaws.com"
                return emulate(
                    request,
                    identifier,
                    {
                        "Endpoint.Address": host,
                        "ReadEndpoint.Address": host.replace(".cluster-", ".cluster-ro-"),
                        "Endpoint.Port": str(
                            request.prop("Port") or default_port(str(request.prop("Engine", "")))
                        ),
                        "DBClusterArn": rds_arn(request, f"cluster:{identifier}"),
                    },
                    exc,
                )
            raise
        rds.get_waiter("db_cluster_available").wait(DBClusterIdentifier=identifier, WaiterConfig=WAITER)
        live = _describe_cluster(request, identifier)
        if as_bool(request.prop("EnableHttpEndpoint", False)) and not live.get("HttpEndpointEnabled"):
            _enable_http_endpoint(request, live)
        attributes = {
            "Endpoint.Address": live.get("Endpoint", ""),
            "Endpoint.Port": str(live.get("Port", "")),
            "ReadEndpoint.Address": live.get("ReaderEndpoint", ""),
            "DBClusterArn": live["DBClusterArn"],
            "DBClusterResourceId": live.get("DbClusterResourceId", ""),
        }
        attributes.update(secret_attributes(live))
        return ProvisionResult(physical_id=identifier, attributes=attributes)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            live = _describe_cluster(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        problems = field_differences(request, _CLUSTER_FIELDS, live)
        tags = rds_tags(request, live["DBClusterArn"])
        if "ServerlessV2ScalingConfiguration" in request.properties:
            problems += subset_differences(
                "ServerlessV2ScalingConfiguration",
                request.prop("ServerlessV2ScalingConfiguration"),
                live.get("ServerlessV2ScalingConfiguration", {}),
            )
        if "EnableHttpEndpoint" in request.properties:
            enabled = bool(live.get("HttpEndpointEnabled")) or tags.get(HTTP_ENDPOINT_TAG) == "enabled"
            problems += differs("EnableHttpEndpoint", as_bool(request.prop("EnableHttpEndpoint")), enabled)
        problems += secret_differences(request, live, "cluster")
        return problems + tag_differences(tag_map(request), tags)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        delete_database(request, "cluster", result.physical_id, _describe_cluster)
