"""Application Auto Scaling provisioners: scalable targets (with scheduled actions) and scaling policies.

A target tracking policy makes AWS create and own two CloudWatch alarms
(``TargetTracking-<ResourceId>-AlarmHigh-<uuid>`` / ``-AlarmLow-<uuid>``) on the tracked metric with the
target value as threshold; :class:`ScalingPolicyProvisioner` checks that the alarms the policy lists exist.
moto: creates such alarms only for the ``ecs`` and ``dynamodb`` namespaces, and for ECS always on
``AWS/ECS`` ``CPUUtilization`` (``MemoryUtilization`` for a memory metric) with threshold 6, whatever the
predefined metric (``ALBRequestCountPerTarget`` included) and target value; it deletes them with the
policy. So on moto the alarms exist, but their metric and threshold are not AWS's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from botocore.utils import parse_timestamp

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._shapes import api_call, coerced, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    error_code,
    is_not_found,
)

_KEY = ("ResourceId", "ScalableDimension", "ServiceNamespace")


def _gone(exc: ClientError) -> bool:
    """Not found: AWS answers ``ObjectNotFoundException``, moto a ``ValidationException`` "No ... found"."""
    message = str(exc.response.get("Error", {}).get("Message", ""))
    return is_not_found(exc) or (error_code(exc) == "ValidationException" and message.startswith("No "))


def target_key(request: ProvisionRequest) -> dict[str, str]:
    """``ResourceId``, ``ScalableDimension``, ``ServiceNamespace``: given, or from ``ScalingTargetId``."""
    target_id = request.prop("ScalingTargetId")
    if target_id:
        parts = str(target_id).split("|")
        if len(parts) != 3:
            raise ProvisionError(f"{request.logical_id}: ScalingTargetId {target_id!r} is not a target's Ref")
        return dict(zip(_KEY, parts, strict=True))
    missing = [name for name in _KEY if not request.prop(name)]
    if missing:
        raise ProvisionError(f"{request.logical_id}: give ScalingTargetId or {', '.join(missing)}")
    return {name: str(request.prop(name)) for name in _KEY}


def _targets(request: ProvisionRequest, key: Mapping[str, str]) -> list[dict[str, Any]]:
    answer = request.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace=key["ServiceNamespace"],
        ResourceIds=[key["ResourceId"]],
        ScalableDimension=key["ScalableDimension"],
    )
    return list(answer.get("ScalableTargets", []))


def policies_of(request: ProvisionRequest, key: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every scaling policy of the target ``key``.

    moto: DescribeScalingPolicies ignores ``PolicyNames`` and matches ``ResourceId`` as a substring, so
    the answer is filtered here, on the exact key.
    """
    paginator = request.client("application-autoscaling").get_paginator("describe_scaling_policies")
    pages = paginator.paginate(
        ServiceNamespace=key["ServiceNamespace"],
        ResourceId=key["ResourceId"],
        ScalableDimension=key["ScalableDimension"],
    )
    return [
        dict(policy)
        for page in pages
        for policy in page.get("ScalingPolicies", [])
        if all(policy.get(name) == key[name] for name in _KEY)
    ]


@register
class ScalableTargetProvisioner:
    """AWS::ApplicationAutoScaling::ScalableTarget. Identifier: ``<ResourceId>|<ScalableDimension>|
    <ServiceNamespace>``. Ref: that identifier. GetAtt: Id (the same)."""

    resource_type: ClassVar[str] = "AWS::ApplicationAutoScaling::ScalableTarget"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {*_KEY, "MinCapacity", "MaxCapacity", "RoleARN", "SuspendedState", "ScheduledActions"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        scaling, key = request.client("application-autoscaling"), target_key(request)
        api_call(
            scaling,
            "register_scalable_target",
            MinCapacity=request.prop("MinCapacity"),
            MaxCapacity=request.prop("MaxCapacity"),
            RoleARN=request.prop("RoleARN"),
            SuspendedState=request.prop("SuspendedState"),
            **key,
        )
        for action in request.prop("ScheduledActions") or []:
            api_call(scaling, "put_scheduled_action", **key, **action)
        ident = "|".join(key[name] for name in _KEY)
        return ProvisionResult(ident, {"Id": ident})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        key = target_key(request)
        targets = _targets(request, key)
        if not targets:
            raise ResourceMissing(f"{request.logical_id} ({result.physical_id}) is not registered")
        declared = coerced(
            request.client("application-autoscaling"),
            "register_scalable_target",
            {n: request.prop(n) for n in ("MinCapacity", "MaxCapacity", "RoleARN", "SuspendedState")},
        )
        return subset_differences("", declared, targets[0]) + self._scheduled_differences(request, key)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        scaling, key = request.client("application-autoscaling"), target_key(request)
        if not _targets(request, key):
            return
        # moto: DeregisterScalableTarget leaves the target's scaling policies and scheduled actions
        # behind (AWS deletes them with the target); delete them first, which is harmless on AWS.
        for policy in policies_of(request, key):
            self._quietly(scaling.delete_scaling_policy, PolicyName=policy["PolicyName"], **key)
        for action in self._scheduled(request, key):
            name = action["ScheduledActionName"]
            self._quietly(scaling.delete_scheduled_action, ScheduledActionName=name, **key)
        self._quietly(scaling.deregister_scalable_target, **key)

    @staticmethod
    def _quietly(call: Any, **params: Any) -> None:
        try:
            call(**params)
        except ClientError as exc:
            if not _gone(exc):
                raise

    @staticmethod
    def _scheduled(request: ProvisionRequest, key: Mapping[str, str]) -> list[dict[str, Any]]:
        answer = request.client("application-autoscaling").describe_scheduled_actions(
            ServiceNamespace=key["ServiceNamespace"],
            ResourceId=key["ResourceId"],
            ScalableDimension=key["ScalableDimension"],
        )
        return list(answer.get("ScheduledActions", []))

    def _scheduled_differences(self, request: ProvisionRequest, key: Mapping[str, str]) -> list[str]:
        declared_actions = request.prop("ScheduledActions") or []
        if not declared_actions:
            return []
        live = {a["ScheduledActionName"]: a for a in self._scheduled(request, key)}
        client, problems = request.client("application-autoscaling"), []
        for action in declared_actions:
            name = action.get("ScheduledActionName")
            if name not in live:
                problems.append(f"scheduled action {name!r} is missing")
                continue
            declared = coerced(client, "put_scheduled_action", action)
            for stamp in ("StartTime", "EndTime"):  # the live answer holds datetimes
                if isinstance(declared.get(stamp), str):
                    declared[stamp] = parse_timestamp(declared[stamp])
            problems += subset_differences(f"ScheduledActions[{name}]", declared, live[name])
        return problems


@register
class ScalingPolicyProvisioner:
    """AWS::ApplicationAutoScaling::ScalingPolicy. Identifier: the policy ARN. Ref: the policy ARN.
    GetAtt: Arn."""

    resource_type: ClassVar[str] = "AWS::ApplicationAutoScaling::ScalingPolicy"
    _CONFIGS = ("StepScalingPolicyConfiguration", "TargetTrackingScalingPolicyConfiguration")
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"PolicyName", "PolicyType", "ScalingTargetId", *_KEY, *_CONFIGS}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        params = {name: request.prop(name) for name in ("PolicyName", "PolicyType", *self._CONFIGS)}
        policy = api_call(
            request.client("application-autoscaling"), "put_scaling_policy", **params, **target_key(request)
        )
        return ProvisionResult(policy["PolicyARN"], {"Arn": policy["PolicyARN"]})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = self._live(request)
        if live is None:
            raise ResourceMissing(f"{request.logical_id} ({request.prop('PolicyName')}) does not exist")
        declared = coerced(
            request.client("application-autoscaling"),
            "put_scaling_policy",
            {name: request.prop(name) for name in ("PolicyType", *self._CONFIGS)},
        )
        problems = differs("Arn", result.physical_id, live.get("PolicyARN"))
        problems += subset_differences("", declared, live)
        return problems + self._alarm_differences(request, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        if self._live(request) is None:
            return
        try:
            request.client("application-autoscaling").delete_scaling_policy(
                PolicyName=request.prop("PolicyName"), **target_key(request)
            )
        except ClientError as exc:
            if not _gone(exc):
                raise

    @staticmethod
    def _live(request: ProvisionRequest) -> dict[str, Any] | None:
        name = request.prop("PolicyName")
        return next((p for p in policies_of(request, target_key(request)) if p["PolicyName"] == name), None)

    @staticmethod
    def _alarm_differences(request: ProvisionRequest, live: Mapping[str, Any]) -> list[str]:
        """The managed alarms a target tracking policy lists must exist in CloudWatch."""
        names = [alarm["AlarmName"] for alarm in live.get("Alarms") or []]
        if not names:
            return []
        found = set()
        for start in range(0, len(names), 100):
            answer = request.client("cloudwatch").describe_alarms(AlarmNames=names[start : start + 100])
            found |= {alarm["AlarmName"] for alarm in answer.get("MetricAlarms", [])}
        return [f"managed alarm {name!r} is missing" for name in names if name not in found]
