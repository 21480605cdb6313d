"""EventBridge rules and their targets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, read_or_missing
from pytest_infra_parity.deploy.provisioners._shapes import (
    api_call,
    coerce,
    json_document,
    subset_differences,
)
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    default_name,
    differs,
    tag_differences,
    tag_list,
    tag_map,
)

_TARGET_KEYS = frozenset(
    {"Id", "Arn", "Input", "InputPath", "RoleArn", "DeadLetterConfig", "RetryPolicy", "InputTransformer",
     "SqsParameters"}
)


_RULE_SCALARS = ("Description", "ScheduleExpression", "RoleArn")


def _bus(request: ProvisionRequest) -> dict[str, str]:
    bus = request.prop("EventBusName")
    return {"EventBusName": str(bus)} if bus else {}


def _targets(request: ProvisionRequest) -> list[dict[str, Any]]:
    targets = [dict(t) for t in request.prop("Targets") or []]
    for target in targets:
        unknown = sorted(set(target) - _TARGET_KEYS)
        if unknown:
            what = f"{request.logical_id}: target {target.get('Id')}"
            raise ProvisionError(f"{what}: keys not supported: {', '.join(unknown)}")
    return targets


@register
class RuleProvisioner:
    """``AWS::Events::Rule``: primary identifier ``Arn``; ``Ref`` returns the rule name.

    ``Fn::GetAtt``: ``Arn``. ``EventPattern`` is an object (or its JSON text); ``Targets`` are put with
    ``PutTargets`` (``Id``, ``Arn``, ``Input``, ``InputPath``, ``InputTransformer``, ``RoleArn``,
    ``DeadLetterConfig``, ``RetryPolicy``, ``SqsParameters``).
    """

    resource_type: ClassVar[str] = "AWS::Events::Rule"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"Name", "Description", "EventBusName", "EventPattern", "ScheduleExpression", "State", "RoleArn",
         "Targets", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        client = request.client("events")
        name = str(request.prop("Name") or default_name(request, max_length=64))
        targets = _targets(request)
        params: dict[str, Any] = {
            "Name": name,
            "State": request.prop("State") or "ENABLED",
            "Tags": tag_list(request),
            **_bus(request),
            **{k: request.prop(k) for k in _RULE_SCALARS if request.prop(k) is not None},
        }
        if request.prop("EventPattern") is not None:
            params["EventPattern"] = json.dumps(json_document(request.prop("EventPattern")))
        arn = str(client.put_rule(**params)["RuleArn"])
        if targets:
            answer = api_call(client, "put_targets", Rule=name, Targets=targets, **_bus(request))
            if answer.get("FailedEntryCount"):
                raise ProvisionError(f"{request.logical_id}: targets refused: {answer.get('FailedEntries')}")
        return ProvisionResult(physical_id=name, attributes={"Arn": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("events")
        what = f"{request.logical_id}: rule {result.physical_id}"
        live = read_or_missing(what, client.describe_rule, Name=result.physical_id, **_bus(request))
        problems = differs("State", request.prop("State") or "ENABLED", live.get("State"))
        for key in _RULE_SCALARS:
            if request.prop(key) is not None:
                problems += differs(key, request.prop(key), live.get(key))
        if request.prop("EventPattern") is not None:
            live_pattern = json_document(live["EventPattern"]) if live.get("EventPattern") else None
            problems += differs("EventPattern", json_document(request.prop("EventPattern")), live_pattern)
        problems += _target_differences(request, result.physical_id)
        live_tags = client.list_tags_for_resource(ResourceARN=live["Arn"]).get("Tags") or []
        return problems + tag_differences(tag_map(request), {t["Key"]: t["Value"] for t in live_tags})

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        client = request.client("events")
        answer = ignore_missing(client.list_targets_by_rule, Rule=result.physical_id, **_bus(request))
        if answer is None:
            return
        live = answer.get("Targets") or []
        if live:
            ids = [target["Id"] for target in live]
            ignore_missing(client.remove_targets, Rule=result.physical_id, Ids=ids, **_bus(request))
        ignore_missing(client.delete_rule, Name=result.physical_id, **_bus(request))


def _target_differences(request: ProvisionRequest, rule: str) -> list[str]:
    client = request.client("events")
    live = client.list_targets_by_rule(Rule=rule, **_bus(request)).get("Targets") or []
    live_by_id: dict[str, Mapping[str, Any]] = {str(t["Id"]): t for t in live}
    shape = client.meta.service_model.shape_for("Target")
    problems: list[str] = []
    for target in _targets(request):
        ident = str(target["Id"])
        if ident not in live_by_id:
            problems.append(f"target {ident!r} is missing")
            continue
        problems += subset_differences(f"target {ident!r}", coerce(shape, target), live_by_id[ident])
    undeclared = sorted(set(live_by_id) - {str(t["Id"]) for t in _targets(request)})
    problems += [f"target {ident!r} is not declared" for ident in undeclared]
    return problems
