"""Lambda versions, aliases, permissions and event source mappings.

moto 5.2 has no provisioned-concurrency API: a version's or alias's ``ProvisionedConcurrencyConfig``
is then kept in the resource's companion document (see :mod:`._common`) and verified from there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import _emulated, register
from pytest_infra_parity.deploy.provisioners._common import (
    companion_values,
    ignore_missing,
    keep_companion,
    kept_differences,
    read_or_missing,
    wait_for,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import api_call, coerce, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    is_not_found,
    tag_differences,
    tag_map,
)

# --------------------------------------------------------------------------- permissions

# CloudFormation property -> the policy condition key AddPermission turns it into.
_CONDITION_KEYS = {
    "SourceArn": "aws:sourcearn",
    "SourceAccount": "aws:sourceaccount",
    "EventSourceToken": "lambda:eventsourcetoken",
    "FunctionUrlAuthType": "lambda:functionurlauthtype",
    "PrincipalOrgID": "aws:principalorgid",
}


def _statement(request: ProvisionRequest, sid: str) -> dict[str, Any]:
    function = str(request.prop("FunctionName"))
    what = f"{request.logical_id}: permission {sid} on {function}"
    # not found: no function, or a function without a policy
    policy = read_or_missing(what, request.client("lambda").get_policy, FunctionName=function)["Policy"]
    for statement in json.loads(policy).get("Statement", []):
        if statement.get("Sid") == sid:
            return dict(statement)
    raise ResourceMissing(f"{what} does not exist")


def _conditions(statement: Mapping[str, Any]) -> dict[str, Any]:
    """Every condition value of a statement by lower-cased key, whatever the operator."""
    found: dict[str, Any] = {}
    for block in (statement.get("Condition") or {}).values():
        found.update({str(key).lower(): value for key, value in block.items()})
    return found


def _principal_matches(declared: str, live: Any) -> bool:
    values = list(live.values()) if isinstance(live, Mapping) else [live]
    flat = [str(v) for item in values for v in (item if isinstance(item, list) else [item])]
    # AWS writes an account principal as its root ARN; moto keeps the bare account id.
    return any(v == declared or v.endswith(f":iam::{declared}:root") for v in flat)


@register
class PermissionProvisioner:
    """``AWS::Lambda::Permission``: primary identifier ``FunctionName`` + ``Id`` (the statement id).

    ``Ref`` returns the statement id (a generated ``<stack>-<LogicalId>-<SUFFIX>``); ``Fn::GetAtt``:
    ``Id`` (the same statement id).
    """

    resource_type: ClassVar[str] = "AWS::Lambda::Permission"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"Action", "FunctionName", "Principal", *_CONDITION_KEYS}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        sid = default_name(request, max_length=100)
        params = {key: request.prop(key) for key in self.supported_properties}
        params = {key: value for key, value in params.items() if value is not None}
        api_call(request.client("lambda"), "add_permission", StatementId=sid, **params)
        return ProvisionResult(physical_id=sid, attributes={"Id": sid})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        statement = _statement(request, result.physical_id)
        problems = differs("Action", request.prop("Action"), statement.get("Action"))
        if not _principal_matches(str(request.prop("Principal")), statement.get("Principal")):
            live_principal, principal = statement.get("Principal"), request.prop("Principal")
            problems.append(f"Principal is {live_principal!r}, declared {principal!r}")
        conditions = _conditions(statement)
        for prop, key in _CONDITION_KEYS.items():
            if request.prop(prop) is not None:
                problems += differs(prop, str(request.prop(prop)), conditions.get(key))
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        lam = request.client("lambda")
        function = request.prop("FunctionName")
        ignore_missing(lam.remove_permission, FunctionName=function, StatementId=result.physical_id)


# --------------------------------------------------------------------------- event source mappings

_MAPPING_SETTINGS = (
    "EventSourceArn", "BatchSize", "MaximumBatchingWindowInSeconds", "StartingPosition",
    "StartingPositionTimestamp", "FunctionResponseTypes", "FilterCriteria", "ScalingConfig",
    "MaximumRetryAttempts", "BisectBatchOnFunctionError", "MaximumRecordAgeInSeconds",
    "ParallelizationFactor", "DestinationConfig", "TumblingWindowInSeconds",
)
_TRANSIENT_STATES = frozenset({"Creating", "Enabling", "Disabling", "Updating"})


def _function_part(name_or_arn: str) -> str:
    """``my-fn`` (or ``my-fn:alias``) from a function name or ARN."""
    return name_or_arn.split(":function:", 1)[1] if ":function:" in name_or_arn else name_or_arn


def _mapping_params(request: ProvisionRequest) -> dict[str, Any]:
    params = {key: request.prop(key) for key in ("FunctionName", "Enabled", *_MAPPING_SETTINGS)}
    return {key: value for key, value in params.items() if value is not None}


@register
class EventSourceMappingProvisioner:
    """``AWS::Lambda::EventSourceMapping``: primary identifier ``Id``; ``Ref`` returns the mapping UUID.

    ``Fn::GetAtt``: ``Id`` (the UUID) and ``EventSourceMappingArn``.
    """

    resource_type: ClassVar[str] = "AWS::Lambda::EventSourceMapping"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"FunctionName", "Enabled", "Tags", *_MAPPING_SETTINGS}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        lam = request.client("lambda")
        params = _mapping_params(request)
        created = api_call(lam, "create_event_source_mapping", **params, Tags=tag_map(request))
        uuid = str(created["UUID"])

        def settled() -> bool:
            return lam.get_event_source_mapping(UUID=uuid).get("State") not in _TRANSIENT_STATES

        wait_for(f"{request.logical_id}: event source mapping {uuid}", settled)
        arn = created.get("EventSourceMappingArn") or (
            f"arn:aws:lambda:{request.region}:{request.account_id}:event-source-mapping:{uuid}"
        )
        return ProvisionResult(physical_id=uuid, attributes={"Id": uuid, "EventSourceMappingArn": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        lam = request.client("lambda")
        what = f"{request.logical_id}: event source mapping {result.physical_id}"
        live = read_or_missing(what, lam.get_event_source_mapping, UUID=result.physical_id)
        shape = lam.meta.service_model.operation_model("CreateEventSourceMapping").input_shape
        declared = coerce(shape, _mapping_params(request))
        function = _function_part(str(declared.pop("FunctionName")))
        problems = differs("FunctionName", function, _function_part(live["FunctionArn"]))
        enabled = declared.pop("Enabled", True)
        problems += differs("Enabled (State)", "Enabled" if enabled else "Disabled", live.get("State"))
        for key, value in declared.items():
            if key == "StartingPositionTimestamp":
                continue  # the API answers a datetime; the declared value may be any timestamp form
            problems += subset_differences(key, value, live.get(key))
        arn = live.get("EventSourceMappingArn") or result.attributes.get("EventSourceMappingArn")
        live_tags = lam.list_tags(Resource=arn).get("Tags") or {}
        return problems + tag_differences(tag_map(request), live_tags)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        lam = request.client("lambda")
        if ignore_missing(lam.delete_event_source_mapping, UUID=result.physical_id) is None:
            return

        def gone() -> bool:
            try:
                lam.get_event_source_mapping(UUID=result.physical_id)
            except ClientError as exc:
                if is_not_found(exc):
                    return True
                raise
            return False

        wait_for(f"{request.logical_id}: deletion of event source mapping {result.physical_id}", gone)


# --------------------------------------------------------------------------- provisioned concurrency


def put_provisioned(request: ProvisionRequest, function: str, qualifier: str, physical_id: str) -> None:
    """Apply a version's or alias's ``ProvisionedConcurrencyConfig`` and wait until it is ready."""
    declared = request.prop("ProvisionedConcurrencyConfig")
    if not declared:
        return
    lam = request.client("lambda")
    count = declared["ProvisionedConcurrentExecutions"]
    try:
        api_call(
            lam,
            "put_provisioned_concurrency_config",
            FunctionName=function,
            Qualifier=qualifier,
            ProvisionedConcurrentExecutions=count,
        )
    except ClientError as exc:
        if not target_lacks(exc):
            raise
        # moto: there is no provisioned-concurrency API (a bare 404): keep the setting beside the resource.
        keep_companion(request, physical_id, {"ProvisionedConcurrencyConfig": dict(declared)})
        return

    def ready() -> bool:
        live = lam.get_provisioned_concurrency_config(FunctionName=function, Qualifier=qualifier)
        if live.get("Status") == "FAILED":
            raise ProvisionError(
                f"{request.logical_id}: provisioned concurrency failed: {live.get('StatusReason')}"
            )
        return live.get("Status") in (None, "READY")

    wait_for(f"{request.logical_id}: provisioned concurrency of {function}:{qualifier}", ready)


def provisioned_differences(request: ProvisionRequest, function: str, qualifier: str) -> list[str]:
    declared = request.prop("ProvisionedConcurrencyConfig")
    if not declared:
        return []
    want = int(declared["ProvisionedConcurrentExecutions"])
    try:
        live = request.client("lambda").get_provisioned_concurrency_config(
            FunctionName=function, Qualifier=qualifier
        )
    except ClientError as exc:
        if target_lacks(exc):
            kept = companion_values(request).get("ProvisionedConcurrencyConfig")
            return kept_differences("ProvisionedConcurrencyConfig", dict(declared), kept, {})
        if is_not_found(exc):
            return [f"ProvisionedConcurrencyConfig is missing (declared {want})"]
        raise
    return differs(
        "ProvisionedConcurrentExecutions", want, live.get("RequestedProvisionedConcurrentExecutions")
    )


def _split_qualified(arn: str) -> tuple[str, str]:
    function, _, qualifier = arn.rpartition(":")
    return function, qualifier


@register
class VersionProvisioner:
    """``AWS::Lambda::Version``: primary identifier ``FunctionArn``; ``Ref`` returns the version's ARN.

    ``Fn::GetAtt``: ``FunctionArn`` (the version ARN) and ``Version`` (the version number).
    """

    resource_type: ClassVar[str] = "AWS::Lambda::Version"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"FunctionName", "Description", "CodeSha256", "ProvisionedConcurrencyConfig"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        lam = request.client("lambda")
        function = str(request.prop("FunctionName"))
        sha = request.prop("CodeSha256")
        if sha is not None:
            # moto: publish_version ignores CodeSha256, so the precondition is checked here too.
            live_sha = lam.get_function_configuration(FunctionName=function)["CodeSha256"]
            if live_sha != sha:
                raise ProvisionError(f"{request.logical_id}: CodeSha256 is {live_sha!r}, declared {sha!r}")
        params = {"FunctionName": function, "Description": request.prop("Description"), "CodeSha256": sha}
        published = lam.publish_version(**{k: v for k, v in params.items() if v is not None})
        arn, version = str(published["FunctionArn"]), str(published["Version"])
        put_provisioned(request, function, version, arn)
        return ProvisionResult(physical_id=arn, attributes={"FunctionArn": arn, "Version": version})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        function, version = _split_qualified(result.physical_id)
        lam = request.client("lambda")
        what = f"{request.logical_id}: version {result.physical_id}"
        config = read_or_missing(
            what, lam.get_function_configuration, FunctionName=function, Qualifier=version
        )
        problems: list[str] = []
        for key in ("Description", "CodeSha256"):
            if request.prop(key) is not None:
                problems += differs(key, request.prop(key), config.get(key))
        return problems + provisioned_differences(request, function, version)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        function, version = _split_qualified(result.physical_id)
        ignore_missing(request.client("lambda").delete_function, FunctionName=function, Qualifier=version)
        _emulated.delete(request)


def routing_config(declared: Any) -> dict[str, Any] | None:
    """CloudFormation's ``RoutingConfig`` (a list of ``{FunctionVersion, FunctionWeight}``) as the API's."""
    if not declared:
        return None
    weights = declared.get("AdditionalVersionWeights") or []
    if isinstance(weights, Mapping):
        return {"AdditionalVersionWeights": {str(k): float(v) for k, v in weights.items()}}
    return {
        "AdditionalVersionWeights": {str(w["FunctionVersion"]): float(w["FunctionWeight"]) for w in weights}
    }


@register
class AliasProvisioner:
    """``AWS::Lambda::Alias``: primary identifier ``AliasArn``; ``Ref`` returns the alias ARN.

    ``Fn::GetAtt``: ``AliasArn``. A SAM ``AutoPublishAlias`` alias carries an ``UpdatePolicy``
    (``CodeDeployLambdaAliasUpdate``); the deployer handles it, this provisioner only creates the alias.
    """

    resource_type: ClassVar[str] = "AWS::Lambda::Alias"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"FunctionName", "FunctionVersion", "Name", "Description", "RoutingConfig",
         "ProvisionedConcurrencyConfig"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        function, name = str(request.prop("FunctionName")), str(request.prop("Name"))
        params = {
            "FunctionName": function,
            "Name": name,
            "FunctionVersion": str(request.prop("FunctionVersion")),
            "Description": request.prop("Description"),
            "RoutingConfig": routing_config(request.prop("RoutingConfig")),
        }
        alias = request.client("lambda").create_alias(**{k: v for k, v in params.items() if v is not None})
        arn = str(alias["AliasArn"])
        put_provisioned(request, function, name, arn)
        return ProvisionResult(physical_id=arn, attributes={"AliasArn": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        function, name = _split_qualified(result.physical_id)
        what = f"{request.logical_id}: alias {result.physical_id}"
        live = read_or_missing(what, request.client("lambda").get_alias, FunctionName=function, Name=name)
        problems = differs(
            "FunctionVersion", str(request.prop("FunctionVersion")), live.get("FunctionVersion")
        )
        if request.prop("Description") is not None:
            problems += differs("Description", request.prop("Description"), live.get("Description"))
        declared_routing = routing_config(request.prop("RoutingConfig")) or {"AdditionalVersionWeights": {}}
        live_weights = (live.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        want = declared_routing["AdditionalVersionWeights"]
        problems += differs("RoutingConfig.AdditionalVersionWeights", want, live_weights)
        return problems + provisioned_differences(request, function, name)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        function, name = _split_qualified(result.physical_id)
        ignore_missing(request.client("lambda").delete_alias, FunctionName=function, Name=name)
        _emulated.delete(request)
