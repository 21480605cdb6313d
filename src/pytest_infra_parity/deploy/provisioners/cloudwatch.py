"""CloudWatch metric alarms, single-metric or metric math (``Metrics``)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
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

_STRINGS = (
    "AlarmDescription",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Unit",
    "ThresholdMetricId",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
)
_INTS = ("Period", "EvaluationPeriods", "DatapointsToAlarm")
_ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")


def _dimensions(value: Any) -> list[dict[str, str]]:
    return sorted(
        ({"Name": str(d["Name"]), "Value": str(d["Value"])} for d in value or []),
        key=lambda d: (d["Name"], d["Value"]),
    )


def _query(query: dict[str, Any]) -> dict[str, Any]:
    """One ``Metrics`` entry in a canonical API shape (ints as ints, ``ReturnData`` explicit)."""
    api: dict[str, Any] = {"Id": query["Id"], "ReturnData": as_bool(query.get("ReturnData", True))}
    for key in ("Expression", "Label", "AccountId"):
        if query.get(key) is not None:
            api[key] = str(query[key])
    if query.get("Period") is not None:
        api["Period"] = as_int(query["Period"])
    stat = query.get("MetricStat")
    if stat:
        metric = stat["Metric"]
        api["MetricStat"] = {
            "Metric": {
                "Namespace": metric.get("Namespace"),
                "MetricName": metric.get("MetricName"),
                "Dimensions": _dimensions(metric.get("Dimensions")),
            },
            "Period": as_int(stat["Period"]),
            "Stat": stat["Stat"],
            **({"Unit": stat["Unit"]} if stat.get("Unit") else {}),
        }
    return api


def _alarm_params(request: ProvisionRequest, name: str) -> dict[str, Any]:
    params: dict[str, Any] = {"AlarmName": name, "Tags": tag_list(request)}
    for key in _STRINGS:
        if request.prop(key) is not None:
            params[key] = str(request.prop(key))
    for key in _INTS:
        if request.prop(key) is not None:
            params[key] = as_int(request.prop(key))
    for key in _ACTIONS:
        if request.prop(key) is not None:
            params[key] = [str(a) for a in request.prop(key)]
    if request.prop("ActionsEnabled") is not None:
        params["ActionsEnabled"] = as_bool(request.prop("ActionsEnabled"))
    if request.prop("Threshold") is not None:
        params["Threshold"] = float(request.prop("Threshold"))
    if request.prop("Dimensions") is not None:
        params["Dimensions"] = _dimensions(request.prop("Dimensions"))
    if request.prop("Metrics") is not None:
        params["Metrics"] = [_query(q) for q in request.prop("Metrics")]
    return params


def _describe(request: ProvisionRequest, name: str) -> dict[str, Any]:
    alarms = request.client("cloudwatch").describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"])
    for alarm in alarms.get("MetricAlarms", []):
        if alarm.get("AlarmName") == name:
            return dict(alarm)
    raise ResourceMissing(f"alarm {name} ({request.logical_id}) does not exist")


@register
class AlarmProvisioner:
    """``AWS::CloudWatch::Alarm``: primary identifier ``AlarmName``; ``Ref`` returns the alarm name.

    ``Fn::GetAtt``: ``Arn``. ``verify`` compares the whole definition, the metric math queries included.
    """

    resource_type: ClassVar[str] = "AWS::CloudWatch::Alarm"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "AlarmName",
            "ActionsEnabled",
            "Threshold",
            "Dimensions",
            "Metrics",
            "Tags",
            *_STRINGS,
            *_INTS,
            *_ACTIONS,
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = request.prop("AlarmName") or default_name(request, max_length=255)
        request.client("cloudwatch").put_metric_alarm(**_alarm_params(request, name))
        return ProvisionResult(physical_id=name, attributes={"Arn": _describe(request, name)["AlarmArn"]})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        alarm = _describe(request, result.physical_id)
        declared = _alarm_params(request, result.physical_id)
        problems: list[str] = []
        for key in (*_STRINGS, *_INTS, "Threshold"):
            if key in declared:
                problems += differs(key, declared[key], alarm.get(key))
        problems += differs(
            "ActionsEnabled", declared.get("ActionsEnabled", True), alarm.get("ActionsEnabled")
        )
        for key in _ACTIONS:
            problems += differs(key, sorted(declared.get(key, [])), sorted(alarm.get(key) or []))
        problems += differs(
            "Dimensions", declared.get("Dimensions", []), _dimensions(alarm.get("Dimensions"))
        )
        declared_metrics = declared.get("Metrics", [])
        live_metrics = [_query(q) for q in alarm.get("Metrics") or []]
        if declared_metrics != live_metrics:
            problems.append(
                f"Metrics is {json.dumps(live_metrics, sort_keys=True)}, "
                f"declared {json.dumps(declared_metrics, sort_keys=True)}"
            )
        tags = (
            request.client("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags", [])
        )
        problems += tag_differences(tag_map(request), {t["Key"]: t["Value"] for t in tags})
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        # DeleteAlarms succeeds for names that do not exist.
        request.client("cloudwatch").delete_alarms(AlarmNames=[result.physical_id])
