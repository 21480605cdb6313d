"""DynamoDB tables.

Point-in-time recovery and time to live are not part of ``CreateTable``: they are set with
``UpdateContinuousBackups`` and ``UpdateTimeToLive`` once the table is active, and read back with the
matching ``Describe*`` calls (moto stores both through these APIs, while its CloudFormation drops them).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, key_differences, read_or_missing
from pytest_infra_parity.deploy.provisioners._shapes import as_bool, as_int
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    tag_differences,
    tag_list,
    tag_map,
)

_WAIT = {"Delay": 2, "MaxAttempts": 300}
_TABLE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-."
_INDEX_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")


def _throughput(value: dict[str, Any]) -> dict[str, int]:
    return {k: as_int(value[k]) for k in ("ReadCapacityUnits", "WriteCapacityUnits")}


def _index(index: dict[str, Any], pay_per_request: bool) -> dict[str, Any]:
    api = {k: index[k] for k in _INDEX_KEYS if k in index}
    if "ProvisionedThroughput" in api:
        if pay_per_request:
            del api["ProvisionedThroughput"]
        else:
            api["ProvisionedThroughput"] = _throughput(api["ProvisionedThroughput"])
    return api


def _index_shape(index: dict[str, Any]) -> tuple[Any, ...]:
    projection = index.get("Projection", {})
    keys = tuple((k["AttributeName"], k["KeyType"]) for k in index.get("KeySchema", []))
    return keys, projection.get("ProjectionType"), tuple(sorted(projection.get("NonKeyAttributes", [])))


def _describe(request: ProvisionRequest, name: str) -> dict[str, Any]:
    what = f"DynamoDB table {name} ({request.logical_id})"
    table: dict[str, Any] = read_or_missing(what, request.client("dynamodb").describe_table, TableName=name)[
        "Table"
    ]
    return table


@register
class TableProvisioner:
    """``AWS::DynamoDB::Table``: primary identifier ``TableName``; ``Ref`` returns the table name.

    ``Fn::GetAtt``: ``Arn``, ``StreamArn`` (the latest stream, when ``StreamSpecification`` is set).
    """

    resource_type: ClassVar[str] = "AWS::DynamoDB::Table"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "TableName",
            "AttributeDefinitions",
            "KeySchema",
            "BillingMode",
            "ProvisionedThroughput",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
            "SSESpecification",
            "PointInTimeRecoverySpecification",
            "TimeToLiveSpecification",
            "StreamSpecification",
            "DeletionProtectionEnabled",
            "TableClass",
            "Tags",
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        ddb = request.client("dynamodb")
        name = request.prop("TableName") or default_name(request, max_length=255, allowed=_TABLE_CHARS)
        ddb.create_table(**self._create_params(request, name))
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=_WAIT)
        pitr = request.prop("PointInTimeRecoverySpecification")
        if pitr is not None and as_bool(pitr.get("PointInTimeRecoveryEnabled", False)):
            spec: dict[str, Any] = {"PointInTimeRecoveryEnabled": True}
            if pitr.get("RecoveryPeriodInDays") is not None:
                spec["RecoveryPeriodInDays"] = as_int(pitr["RecoveryPeriodInDays"])
            ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=spec)
        ttl = request.prop("TimeToLiveSpecification")
        if ttl is not None and as_bool(ttl.get("Enabled", False)):
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        table = _describe(request, name)
        attributes = {"Arn": table["TableArn"]}
        if table.get("LatestStreamArn"):
            attributes["StreamArn"] = table["LatestStreamArn"]
        return ProvisionResult(physical_id=name, attributes=attributes)

    def _create_params(self, request: ProvisionRequest, name: str) -> dict[str, Any]:
        billing = request.prop("BillingMode", "PROVISIONED")
        on_demand = billing == "PAY_PER_REQUEST"
        params: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": list(request.prop("AttributeDefinitions")),
            "KeySchema": list(request.prop("KeySchema")),
            "BillingMode": billing,
            "Tags": tag_list(request),
        }
        if not on_demand and request.prop("ProvisionedThroughput") is not None:
            params["ProvisionedThroughput"] = _throughput(request.prop("ProvisionedThroughput"))
        if request.prop("GlobalSecondaryIndexes"):
            params["GlobalSecondaryIndexes"] = [
                _index(i, on_demand) for i in request.prop("GlobalSecondaryIndexes")
            ]
        if request.prop("LocalSecondaryIndexes"):
            params["LocalSecondaryIndexes"] = [_index(i, True) for i in request.prop("LocalSecondaryIndexes")]
        sse = request.prop("SSESpecification")
        if sse is not None:
            api_sse: dict[str, Any] = {"Enabled": as_bool(sse.get("SSEEnabled", False))}
            if api_sse["Enabled"]:
                api_sse["SSEType"] = sse.get("SSEType", "KMS")
                if sse.get("KMSMasterKeyId") is not None:
                    api_sse["KMSMasterKeyId"] = sse["KMSMasterKeyId"]
            params["SSESpecification"] = api_sse
        stream = request.prop("StreamSpecification")
        if stream is not None:
            params["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        if request.prop("DeletionProtectionEnabled") is not None:
            params["DeletionProtectionEnabled"] = as_bool(request.prop("DeletionProtectionEnabled"))
        if request.prop("TableClass") is not None:
            params["TableClass"] = request.prop("TableClass")
        return params

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        ddb = request.client("dynamodb")
        name = result.physical_id
        table = _describe(request, name)
        problems = self._verify_schema(request, table)
        problems += self._verify_options(request, table)
        backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        pitr_status = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
        pitr = request.prop("PointInTimeRecoverySpecification") or {}
        declared_pitr = as_bool(pitr.get("PointInTimeRecoveryEnabled", False))
        problems += differs(
            "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled",
            declared_pitr,
            pitr_status == "ENABLED",
        )
        ttl_live = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        ttl = request.prop("TimeToLiveSpecification") or {}
        declared_ttl = as_bool(ttl.get("Enabled", False))
        problems += differs(
            "TimeToLiveSpecification.Enabled",
            declared_ttl,
            ttl_live.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"),
        )
        if declared_ttl:
            problems += differs(
                "TimeToLiveSpecification.AttributeName", ttl["AttributeName"], ttl_live.get("AttributeName")
            )
        live_tags = ddb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", [])
        problems += tag_differences(tag_map(request), {t["Key"]: t["Value"] for t in live_tags})
        return problems

    def _verify_schema(self, request: ProvisionRequest, table: dict[str, Any]) -> list[str]:
        problems = differs(
            "KeySchema",
            [(k["AttributeName"], k["KeyType"]) for k in request.prop("KeySchema")],
            [(k["AttributeName"], k["KeyType"]) for k in table.get("KeySchema", [])],
        )
        problems += differs(
            "AttributeDefinitions",
            sorted((a["AttributeName"], a["AttributeType"]) for a in request.prop("AttributeDefinitions")),
            sorted((a["AttributeName"], a["AttributeType"]) for a in table.get("AttributeDefinitions", [])),
        )
        for prop in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            live = {i["IndexName"]: _index_shape(i) for i in table.get(prop) or []}
            declared = {i["IndexName"]: _index_shape(i) for i in request.prop(prop) or []}
            for index_name, shape in declared.items():
                problems += differs(f"{prop}[{index_name}]", shape, live.get(index_name))
            for extra in sorted(set(live) - set(declared)):
                problems.append(f"{prop}: index {extra} is not declared")
        billing = request.prop("BillingMode", "PROVISIONED")
        live_billing = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
        problems += differs("BillingMode", billing, live_billing)
        if billing == "PROVISIONED" and request.prop("ProvisionedThroughput") is not None:
            live_throughput = table.get("ProvisionedThroughput", {})
            for key, value in _throughput(request.prop("ProvisionedThroughput")).items():
                problems += differs(f"ProvisionedThroughput.{key}", value, live_throughput.get(key))
        return problems

    def _verify_options(self, request: ProvisionRequest, table: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        sse = request.prop("SSESpecification") or {}
        live_sse = table.get("SSEDescription") or {}
        if as_bool(sse.get("SSEEnabled", False)):
            problems += differs(
                "SSESpecification.SSEEnabled", True, live_sse.get("Status") in ("ENABLED", "UPDATING")
            )
            problems += differs(
                "SSESpecification.SSEType", sse.get("SSEType", "KMS"), live_sse.get("SSEType")
            )
            # moto: SSEDescription.KMSMasterKeyArn holds the key id as given, not the ARN: compare keys.
            problems += key_differences(
                request,
                "SSESpecification.KMSMasterKeyId",
                sse.get("KMSMasterKeyId"),
                live_sse.get("KMSMasterKeyArn"),
            )
        elif live_sse.get("SSEType") == "KMS":
            problems.append(
                f"SSESpecification: the table is encrypted with KMS key {live_sse.get('KMSMasterKeyArn')}"
                ", declared the AWS owned key"
            )
        stream = request.prop("StreamSpecification")
        live_stream = table.get("StreamSpecification") or {}
        live_view = live_stream.get("StreamViewType") if live_stream.get("StreamEnabled") else None
        problems += differs(
            "StreamSpecification.StreamViewType", (stream or {}).get("StreamViewType"), live_view
        )
        declared_protection = as_bool(request.prop("DeletionProtectionEnabled", False))
        problems += differs(
            "DeletionProtectionEnabled",
            declared_protection,
            bool(table.get("DeletionProtectionEnabled", False)),
        )
        # moto: TableClass is accepted and dropped (no TableClassSummary), so it is compared only when the
        # target reports a class.
        live_class = table.get("TableClassSummary", {}).get("TableClass")
        if request.prop("TableClass") is not None and live_class is not None:
            problems += differs("TableClass", request.prop("TableClass"), live_class)
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ddb = request.client("dynamodb")
        name = result.physical_id
        try:
            table = _describe(request, name)
        except ResourceMissing:
            return
        if table.get("DeletionProtectionEnabled"):
            # The plugin owns the ephemeral stacks it deploys: lift the protection so cleanup succeeds.
            ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
        if ignore_missing(ddb.delete_table, TableName=name) is None:
            return
        ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=_WAIT)
