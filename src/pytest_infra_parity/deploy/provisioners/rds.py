"""RDS subnet groups and DB instances, and the RDS helpers the database and cache modules share.

The helpers (ARNs, tags, identifiers, default ports, waiter settings, reading and deleting a database)
serve :mod:`.rds_cluster`, :mod:`.rds_proxy`, :mod:`.elasticache` and :mod:`.elasticache_replication`.

Emulated store: when the target answers that RDS is not implemented (LocalStack's free plan answers
501), the declared resource is kept with :mod:`._emulated` instead; never on moto, which implements
every call used here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import (
    Field,
    Tagging,
    build_params,
    emulate,
    emulated_differences,
    emulated_or_raise,
    field_differences,
    settle_delete,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import as_bool
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    is_not_found,
    tag_differences,
    tag_list,
    tag_map,
)


def rds_arn(request: ProvisionRequest, resource: str) -> str:
    """``arn:aws:rds:<region>:<account>:<resource>``."""
    return f"arn:aws:rds:{request.region}:{request.account_id}:{resource}"


TAG_CALLS = ("list_tags_for_resource", "add_tags_to_resource", "remove_tags_from_resource")
"""The tagging operations of RDS and ElastiCache (by ``ResourceName``, answering ``TagList``)."""


def rds_tags(request: ProvisionRequest, arn: str) -> dict[str, str]:
    return Tagging(request.client("rds"), "ResourceName", TAG_CALLS, "TagList").read(arn)


_RDS_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"


def rds_identifier(request: ProvisionRequest, prop: str, max_length: int = 63) -> str:
    """The declared identifier, else CloudFormation's lowercase default within RDS's naming rules."""
    name = request.prop(prop)
    if name:
        return str(name)
    generated = default_name(request, max_length=max_length, lowercase=True, allowed=_RDS_CHARS)
    while "--" in generated:
        generated = generated.replace("--", "-")
    return generated.strip("-")


_PORTS = {
    "postgres": 5432,
    "aurora-postgresql": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "aurora-mysql": 3306,
    "oracle": 1521,
    "sqlserver": 1433,
}


def default_port(engine: str) -> int:
    return next((port for prefix, port in _PORTS.items() if engine.startswith(prefix)), 5432)


def describe_live(
    request: ProvisionRequest,
    what: str,
    call: Callable[..., Any],
    key: str,
    status: str,
    deleting_ok: bool = False,
    **params: Any,
) -> dict[str, Any]:
    """The first item ``call(**params)`` answers under ``key``: :class:`ResourceMissing` naming ``what``
    when it does not exist, or when its ``status`` field says ``deleting`` (unless ``deleting_ok``)."""
    try:
        found: dict[str, Any] = call(**params)[key][0]
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceMissing(f"{request.logical_id}: {what}") from exc
        raise
    if found.get(status) == "deleting" and not deleting_ok:
        raise ResourceMissing(f"{request.logical_id}: {what} is being deleted")
    return found


def secret_attributes(live: Mapping[str, Any]) -> dict[str, Any]:
    """``MasterUserSecret.SecretArn`` of a DB instance or cluster whose master password RDS manages."""
    if "MasterUserSecret" not in live:
        return {}
    return {"MasterUserSecret.SecretArn": live["MasterUserSecret"]["SecretArn"]}


def secret_differences(request: ProvisionRequest, live: Mapping[str, Any], kind: str) -> list[str]:
    """A declared ``ManageMasterUserPassword`` the DB ``instance`` or ``cluster`` has no secret for."""
    if as_bool(request.prop("ManageMasterUserPassword", False)) and "MasterUserSecret" not in live:
        return [f"ManageMasterUserPassword is declared but the {kind} has no MasterUserSecret"]
    return []


WAITER = {"Delay": 15, "MaxAttempts": 240}
"""``WaiterConfig`` for RDS and ElastiCache waiters: creating a database or a cache takes minutes."""


def delete_database(
    request: ProvisionRequest,
    kind: str,
    identifier: str,
    describe: Callable[[ProvisionRequest, str], dict[str, Any]],
    extra: Callable[[dict[str, Any]], dict[str, Any]] = lambda _live: {},
) -> None:
    """Delete a DB ``instance`` or ``cluster`` and wait until it is gone: DeletionProtection is lifted
    first and no final snapshot is taken (the plugin's stacks are ephemeral)."""
    rds = request.client("rds")
    ident = {f"DB{kind.capitalize()}Identifier": identifier}
    try:
        live = describe(request, identifier)
        if live.get("DeletionProtection"):
            getattr(rds, f"modify_db_{kind}")(**ident, DeletionProtection=False, ApplyImmediately=True)
        getattr(rds, f"delete_db_{kind}")(**ident, SkipFinalSnapshot=True, **extra(live))
    except ResourceMissing:
        return
    except (ClientError, ResponseParserError) as exc:
        settle_delete(request, exc)
        return
    rds.get_waiter(f"db_{kind}_deleted").wait(**ident, WaiterConfig=WAITER)

# --- AWS::RDS::DBSubnetGroup ---


@register
class DBSubnetGroupProvisioner:
    """AWS::RDS::DBSubnetGroup. Primary identifier: DBSubnetGroupName.

    Ref returns the subnet group name (RDS stores it in lowercase). No Fn::GetAtt attributes.
    """

    resource_type: ClassVar[str] = "AWS::RDS::DBSubnetGroup"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"DBSubnetGroupName", "DBSubnetGroupDescription", "SubnetIds", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = rds_identifier(request, "DBSubnetGroupName", 255)
        try:
            group = request.client("rds").create_db_subnet_group(
                DBSubnetGroupName=name,
                DBSubnetGroupDescription=str(request.prop("DBSubnetGroupDescription", name)),
                SubnetIds=list(request.prop("SubnetIds", [])),
                Tags=tag_list(request),
            )["DBSubnetGroup"]
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                return emulate(request, name.lower(), {}, exc)
            raise
        return ProvisionResult(physical_id=group["DBSubnetGroupName"])

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            group = request.client("rds").describe_db_subnet_groups(DBSubnetGroupName=result.physical_id)[
                "DBSubnetGroups"
            ][0]
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                return emulated_differences(request, result.physical_id)
            if is_not_found(exc):
                raise ResourceMissing(f"{request.logical_id}: DB subnet group {result.physical_id}") from exc
            raise
        problems = differs(
            "DBSubnetGroupDescription",
            request.prop("DBSubnetGroupDescription", result.physical_id),
            group["DBSubnetGroupDescription"],
        )
        subnets = sorted(s["SubnetIdentifier"] for s in group.get("Subnets", []))
        problems += differs("SubnetIds", sorted(request.prop("SubnetIds", [])), subnets)
        return problems + tag_differences(tag_map(request), rds_tags(request, group["DBSubnetGroupArn"]))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        try:
            request.client("rds").delete_db_subnet_group(DBSubnetGroupName=result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            settle_delete(request, exc)


# --- AWS::RDS::DBInstance ---

_INSTANCE_FIELDS: tuple[Field, ...] = (
    Field("Engine", live="Engine"),
    Field("EngineVersion", live="EngineVersion"),
    Field("DBInstanceClass", live="DBInstanceClass"),
    Field("AllocatedStorage", kind="int", live="AllocatedStorage"),
    Field("MaxAllocatedStorage", kind="int", live="MaxAllocatedStorage"),
    Field("StorageType", live="StorageType"),
    Field("Iops", kind="int", live="Iops"),
    Field("StorageEncrypted", kind="bool", live="StorageEncrypted"),
    Field("KmsKeyId", live="KmsKeyId", compare="kms"),
    Field("MasterUsername", live="MasterUsername"),
    Field("MasterUserPassword"),
    Field("ManageMasterUserPassword", kind="bool"),
    Field("DBName", live="DBName"),
    Field("Port", kind="int", live="Endpoint.Port"),
    Field("DBSubnetGroupName", live="DBSubnetGroup.DBSubnetGroupName", compare="ci"),
    Field(
        "VPCSecurityGroups",
        api="VpcSecurityGroupIds",
        kind="list",
        live="VpcSecurityGroups[].VpcSecurityGroupId",
        compare="set",
    ),
    Field("DBParameterGroupName", live="DBParameterGroups[].DBParameterGroupName", compare="set"),
    Field("MultiAZ", kind="bool", live="MultiAZ"),
    Field("AvailabilityZone", live="AvailabilityZone"),
    Field("PubliclyAccessible", kind="bool", live="PubliclyAccessible"),
    Field("BackupRetentionPeriod", kind="int", live="BackupRetentionPeriod"),
    Field("PreferredBackupWindow", live="PreferredBackupWindow"),
    Field("PreferredMaintenanceWindow", live="PreferredMaintenanceWindow"),
    Field("DeletionProtection", kind="bool", live="DeletionProtection"),
    Field("AutoMinorVersionUpgrade", kind="bool", live="AutoMinorVersionUpgrade"),
    Field("CopyTagsToSnapshot", kind="bool", live="CopyTagsToSnapshot"),
    Field("EnableIAMDatabaseAuthentication", kind="bool", live="IAMDatabaseAuthenticationEnabled"),
    # moto: does not store Performance Insights settings at all (describe omits the fields), so they
    # are only checked when the target reports them.
    Field("EnablePerformanceInsights", kind="bool", live="PerformanceInsightsEnabled", optional=True),
    Field(
        "PerformanceInsightsRetentionPeriod",
        kind="int",
        live="PerformanceInsightsRetentionPeriod",
        optional=True,
    ),
    Field("EnableCloudwatchLogsExports", kind="list", live="EnabledCloudwatchLogsExports", compare="set"),
    Field("DBClusterIdentifier", live="DBClusterIdentifier"),
)


def _endpoint_attributes(prefix: str, endpoint: Mapping[str, Any] | None) -> dict[str, Any]:
    endpoint = endpoint or {}
    attrs = {
        f"{prefix}.Address": endpoint.get("Address", ""),
        f"{prefix}.Port": str(endpoint.get("Port", "")),
    }
    if "HostedZoneId" in endpoint:
        attrs[f"{prefix}.HostedZoneId"] = endpoint["HostedZoneId"]
    return attrs


def _describe_instance(request: ProvisionRequest, identifier: str) -> dict[str, Any]:
    call = request.client("rds").describe_db_instances
    what = f"DB instance {identifier}"
    return describe_live(request, what, call, "DBInstances", "DBInstanceStatus",
                         DBInstanceIdentifier=identifier)


@register
class DBInstanceProvisioner:
    """AWS::RDS::DBInstance. Primary identifier: DBInstanceIdentifier.

    Ref returns the DB instance identifier. Fn::GetAtt: Endpoint.Address, Endpoint.Port,
    Endpoint.HostedZoneId, DBInstanceArn, DbiResourceId, MasterUserSecret.SecretArn.
    Deletion skips the final snapshot (and lifts DeletionProtection first: the stacks are ephemeral).
    """

    resource_type: ClassVar[str] = "AWS::RDS::DBInstance"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {f.cfn for f in _INSTANCE_FIELDS} | {"DBInstanceIdentifier", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        identifier = rds_identifier(request, "DBInstanceIdentifier").lower()
        rds = request.client("rds")
        try:
            rds.create_db_instance(
                DBInstanceIdentifier=identifier,
                Tags=tag_list(request),
                **build_params(request, _INSTANCE_FIELDS),
            )
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                port = request.prop("Port") or default_port(str(request.prop("Engine", "")))
                arn = rds_arn(request, f"db:{identifier}")
                return emulate(
                    request,
                    identifier,
                    {
                        "Endpoint.Address": f"{identifier}.emulated.{request.region}.rds.amazonaws.com",
                        "Endpoint.Port": str(port),
                        "DBInstanceArn": arn,
                    },
                    exc,
                )
            raise
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig=WAITER)
        live = _describe_instance(request, identifier)
        attributes = _endpoint_attributes("Endpoint", live.get("Endpoint"))
        attributes.update(
            {"DBInstanceArn": live["DBInstanceArn"], "DbiResourceId": live.get("DbiResourceId", "")}
        )
        attributes.update(secret_attributes(live))
        return ProvisionResult(physical_id=identifier, attributes=attributes)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            live = _describe_instance(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        problems = field_differences(request, _INSTANCE_FIELDS, live)
        problems += secret_differences(request, live, "instance")
        return problems + tag_differences(tag_map(request), rds_tags(request, live["DBInstanceArn"]))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        delete_database(
            request, "instance", result.physical_id, _describe_instance,
            lambda live: {} if live.get("DBClusterIdentifier") else {"DeleteAutomatedBackups": True},
        )

