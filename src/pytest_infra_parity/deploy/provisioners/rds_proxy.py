"""The RDS Proxy in front of DB instances and Aurora clusters: the proxy and its target group.

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
    SLOW,
    Field,
    build_params,
    delete_and_wait,
    emulate,
    emulated_or_raise,
    field_differences,
    settle_delete,
    wait_for,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    tag_differences,
    tag_list,
    tag_map,
)
from pytest_infra_parity.deploy.provisioners.rds import (
    describe_live,
    rds_arn,
    rds_identifier,
    rds_tags,
)

# --- AWS::RDS::DBProxy ---


def _describe_proxy(request: ProvisionRequest, name: str) -> dict[str, Any]:
    call = request.client("rds").describe_db_proxies
    return describe_live(request, f"DB proxy {name}", call, "DBProxies", "Status", DBProxyName=name)


_PROXY_FIELDS: tuple[Field, ...] = (
    Field("EngineFamily", live="EngineFamily"),
    Field("RoleArn", live="RoleArn"),
    Field("VpcSubnetIds", kind="list", live="VpcSubnetIds", compare="set"),
    Field("VpcSecurityGroupIds", kind="list", live="VpcSecurityGroupIds", compare="set"),
    Field("RequireTLS", kind="bool", live="RequireTLS"),
    Field("IdleClientTimeout", kind="int", live="IdleClientTimeout"),
    Field("DebugLogging", kind="bool", live="DebugLogging"),
    Field("Auth", kind="raw", api=""),
)


@register
class DBProxyProvisioner:
    """AWS::RDS::DBProxy. Primary identifier: DBProxyName.

    Ref returns the proxy name. Fn::GetAtt: DBProxyArn, Endpoint, VpcId.
    """

    resource_type: ClassVar[str] = "AWS::RDS::DBProxy"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {f.cfn for f in _PROXY_FIELDS} | {"DBProxyName", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = rds_identifier(request, "DBProxyName")
        auth = [dict(item) for item in request.prop("Auth", [])]
        try:
            request.client("rds").create_db_proxy(
                DBProxyName=name, Auth=auth, Tags=tag_list(request), **build_params(request, _PROXY_FIELDS)
            )
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                arn = rds_arn(request, f"db-proxy:prx-emulated-{name}")
                endpoint = f"{name}.proxy-emulated.{request.region}.rds.amazonaws.com"
                return emulate(request, name, {"DBProxyArn": arn, "Endpoint": endpoint, "VpcId": ""}, exc)
            raise
        wait_for(f"{request.logical_id}: DB proxy {name} available",
                 lambda: _describe_proxy(request, name).get("Status") == "available", *SLOW)
        live = _describe_proxy(request, name)
        return ProvisionResult(
            physical_id=name,
            attributes={k: live[k] for k in ("DBProxyArn", "Endpoint", "VpcId")},
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            live = _describe_proxy(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        problems = field_differences(request, _PROXY_FIELDS, live)
        problems += subset_differences("Auth", list(request.prop("Auth", [])), live.get("Auth", []))
        return problems + tag_differences(tag_map(request), rds_tags(request, live["DBProxyArn"]))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        name = result.physical_id
        delete_and_wait(request, f"DB proxy {name}", lambda: _proxy_gone(request, name),
                        request.client("rds").delete_db_proxy, DBProxyName=name)


def _proxy_gone(request: ProvisionRequest, name: str) -> bool:
    try:
        _describe_proxy(request, name)
    except ResourceMissing:
        return True
    return False


# --- AWS::RDS::DBProxyTargetGroup ---

_POOL_KEYS = {"MaxConnectionsPercent": int, "MaxIdleConnectionsPercent": int, "ConnectionBorrowTimeout": int}


def _pool_config(declared: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _POOL_KEYS[k](v) if k in _POOL_KEYS else v for k, v in declared.items()}


def _target_group(request: ProvisionRequest, proxy: str, group: str) -> dict[str, Any]:
    rds = request.client("rds")
    found: dict[str, Any] = rds.describe_db_proxy_target_groups(DBProxyName=proxy, TargetGroupName=group)[
        "TargetGroups"
    ][0]
    return found


def _registered(request: ProvisionRequest, proxy: str, group: str) -> tuple[list[str], list[str]]:
    """The (instance ids, cluster ids) registered in a proxy's target group."""
    rds = request.client("rds")
    targets = rds.describe_db_proxy_targets(DBProxyName=proxy, TargetGroupName=group)["Targets"]
    instances = sorted(
        t["RdsResourceId"]
        for t in targets
        if t.get("Type") == "RDS_INSTANCE" and not t.get("TrackedClusterId")
    )
    clusters = sorted(t["RdsResourceId"] for t in targets if t.get("Type") == "TRACKED_CLUSTER")
    return instances, clusters


@register
class DBProxyTargetGroupProvisioner:
    """AWS::RDS::DBProxyTargetGroup. Primary identifier: TargetGroupArn.

    Ref returns the target group ARN. Fn::GetAtt: TargetGroupArn. The group is the proxy's
    ``default`` one: creating registers the targets and sets the connection pool, deleting
    deregisters the targets (the group itself lives as long as the proxy).
    """

    resource_type: ClassVar[str] = "AWS::RDS::DBProxyTargetGroup"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"DBProxyName", "TargetGroupName", "DBInstanceIdentifiers", "DBClusterIdentifiers",
         "ConnectionPoolConfigurationInfo"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        rds = request.client("rds")
        proxy, group = str(request.prop("DBProxyName")), str(request.prop("TargetGroupName", "default"))
        try:
            _describe_proxy(request, proxy)
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                arn = rds_arn(request, f"target-group:prx-tg-emulated-{proxy}")
                return emulate(request, arn, {"TargetGroupArn": arn}, exc)
            raise
        if "ConnectionPoolConfigurationInfo" in request.properties:
            rds.modify_db_proxy_target_group(
                DBProxyName=proxy, TargetGroupName=group,
                ConnectionPoolConfig=_pool_config(request.prop("ConnectionPoolConfigurationInfo")),
            )
        instances, clusters = list(request.prop("DBInstanceIdentifiers", [])), list(
            request.prop("DBClusterIdentifiers", []))
        if instances or clusters:
            rds.register_db_proxy_targets(DBProxyName=proxy, TargetGroupName=group,
                                          DBInstanceIdentifiers=instances, DBClusterIdentifiers=clusters)
        arn = _target_group(request, proxy, group)["TargetGroupArn"]
        return ProvisionResult(physical_id=arn, attributes={"TargetGroupArn": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        proxy, group = str(request.prop("DBProxyName")), str(request.prop("TargetGroupName", "default"))
        try:
            _describe_proxy(request, proxy)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        found = _target_group(request, proxy, group)
        problems = differs("TargetGroupArn", result.physical_id, found["TargetGroupArn"])
        declared_pool = _pool_config(request.prop("ConnectionPoolConfigurationInfo", {}))
        live_pool = found.get("ConnectionPoolConfig", {})
        if "InitQuery" not in live_pool:
            # moto: drops InitQuery from the connection pool configuration.
            declared_pool.pop("InitQuery", None)
        problems += subset_differences("ConnectionPoolConfigurationInfo", declared_pool, live_pool)
        instances, clusters = _registered(request, proxy, group)
        for prop, live_ids in (("DBInstanceIdentifiers", instances), ("DBClusterIdentifiers", clusters)):
            problems += differs(prop, sorted(request.prop(prop, [])), live_ids)
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        proxy, group = str(request.prop("DBProxyName")), str(request.prop("TargetGroupName", "default"))
        try:
            # moto: DescribeDBProxyTargets on a deleted proxy fails with a 500 (KeyError), so the
            # proxy is looked up first; a proxy that is gone took its target group with it.
            _describe_proxy(request, proxy)
            instances, clusters = _registered(request, proxy, group)
            if instances or clusters:
                request.client("rds").deregister_db_proxy_targets(
                    DBProxyName=proxy, TargetGroupName=group,
                    DBInstanceIdentifiers=instances, DBClusterIdentifiers=clusters,
                )
        except ResourceMissing:
            return
        except (ClientError, ResponseParserError) as exc:
            settle_delete(request, exc)
