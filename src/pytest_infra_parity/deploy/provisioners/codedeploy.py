"""CodeDeploy applications and deployment groups.

moto 5.2 stores a deployment group only partly: it answers ``alarmConfiguration`` as ``{}`` whatever
was declared. Every declared setting the read-back lacks is kept in the group's *companion
document* (the emulated-store entry named by the group's logical id, beside the real group, see
:mod:`._common`), so ``verify`` and the control-plane emulation read the full configuration back.

moto has no ``DeleteApplication`` / ``DeleteDeploymentGroup`` (it answers 500 "not implemented"):
there ``delete`` removes the companion document and marks the application or group with the
``infra-parity:deleted`` tag (:func:`._common.mark_deleted`), which ``verify`` treats as gone, and a
later ``create`` of the same name takes a marked one back instead of failing with
``...AlreadyExistsException``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import _emulated, register
from pytest_infra_parity.deploy.provisioners._common import (
    Tagging,
    companion_values,
    ignore_missing,
    keep_companion,
    kept_differences,
    mark_deleted,
    read_or_missing,
    refuse_marked,
    take_back,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import api_call, coerce, sorted_lists
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    default_name,
    differs,
    error_code,
    is_not_found,
    tag_differences,
    tag_list,
    tag_map,
)

_LEADING_CAPITALS = re.compile(r"^([A-Z]+)(?=[A-Z][a-z]|[^A-Za-z]|$)|^[A-Z]")


def camel(name: str) -> str:
    """CloudFormation's ``PascalCase`` as CodeDeploy's ``camelCase``: ``ECSServices`` -> ``ecsServices``."""
    return _LEADING_CAPITALS.sub(lambda m: m.group(0).lower(), name)


def camel_keys(value: Any) -> Any:
    """``value`` with every mapping key in ``camelCase``."""
    if isinstance(value, Mapping):
        return {camel(str(key)): camel_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    return value


def _arn(request: ProvisionRequest, resource: str) -> str:
    return f"arn:aws:codedeploy:{request.region}:{request.account_id}:{resource}"


def _tagging(request: ProvisionRequest) -> Tagging:
    calls = ("list_tags_for_resource", "tag_resource", "untag_resource")
    return Tagging(request.client("codedeploy"), "ResourceArn", calls)


def _create(request: ProvisionRequest, arn: str, call: Callable[..., Any], **params: Any) -> None:
    """Create the resource, or take back the one of that name this plugin marked deleted."""
    try:
        call(**params)
    except ClientError as exc:
        # moto: a resource a previous deploy could not delete (see the module docstring) is taken back.
        if not error_code(exc).endswith("AlreadyExistsException"):
            raise
        if not take_back(request, _tagging(request), arn):
            raise


def _delete(request: ProvisionRequest, arn: str, read: Callable[..., Any], call: Callable[..., Any],
            **params: Any) -> None:
    """Delete the resource; where the target cannot, mark it deleted (when ``read`` finds it)."""
    try:
        call(**params)
    except ClientError as exc:
        if not target_lacks(exc):
            if not is_not_found(exc):
                raise
        elif ignore_missing(read, **params) is not None:
            # moto: there is no delete call (500 "not implemented"): the resource is marked deleted.
            mark_deleted(_tagging(request), arn)
    _emulated.delete(request)


@register
class ApplicationProvisioner:
    """``AWS::CodeDeploy::Application``: primary identifier ``ApplicationName``; ``Ref`` returns the name.

    No ``Fn::GetAtt`` attributes. ``ComputePlatform`` is ``Server`` (the default), ``Lambda`` or ``ECS``.
    """

    resource_type: ClassVar[str] = "AWS::CodeDeploy::Application"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"ApplicationName", "ComputePlatform", "Tags"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = str(request.prop("ApplicationName") or default_name(request, max_length=100))
        platform = request.prop("ComputePlatform") or "Server"
        client = request.client("codedeploy")
        _create(request, _arn(request, f"application:{name}"), client.create_application,
                applicationName=name, computePlatform=platform, tags=tag_list(request))
        return ProvisionResult(physical_id=name)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("codedeploy")
        what = f"{request.logical_id}: CodeDeploy application {result.physical_id}"
        live = read_or_missing(what, client.get_application, applicationName=result.physical_id)
        live = live["application"]
        live_tags = _tagging(request).read(_arn(request, f"application:{result.physical_id}"))
        refuse_marked(what, live_tags)
        platform = request.prop("ComputePlatform") or "Server"
        problems = differs("ComputePlatform", platform, live.get("computePlatform"))
        return problems + tag_differences(tag_map(request), live_tags)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        client = request.client("codedeploy")
        arn = _arn(request, f"application:{result.physical_id}")
        _delete(request, arn, client.get_application, client.delete_application,
                applicationName=result.physical_id)


_GROUP_SETTINGS = (
    "ServiceRoleArn", "DeploymentConfigName", "DeploymentStyle", "AlarmConfiguration",
    "AutoRollbackConfiguration", "BlueGreenDeploymentConfiguration", "ECSServices", "LoadBalancerInfo",
    "TriggerConfigurations", "AutoScalingGroups", "Ec2TagFilters", "OutdatedInstancesStrategy",
)


def _declared_settings(request: ProvisionRequest) -> dict[str, Any]:
    """The declared group settings in the API's shape and types, by CloudFormation property name."""
    client = request.client("codedeploy")
    shape = client.meta.service_model.operation_model("CreateDeploymentGroup").input_shape
    settings: dict[str, Any] = {}
    for prop in _GROUP_SETTINGS:
        if request.prop(prop) is not None:
            key = camel(prop)
            settings[prop] = coerce(shape.members[key], camel_keys(request.prop(prop)))
    return settings


def _stored(value: Any) -> Any:
    """A live value, ``None`` when the target holds nothing for it."""
    return None if value in (None, {}, []) else value


@register
class DeploymentGroupProvisioner:
    """``AWS::CodeDeploy::DeploymentGroup``: primary identifier application + ``DeploymentGroupName``.

    ``Ref`` returns the deployment group name; no ``Fn::GetAtt`` attributes. Settings the target does
    not store are kept in the companion document (see the module docstring).
    """

    resource_type: ClassVar[str] = "AWS::CodeDeploy::DeploymentGroup"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"ApplicationName", "DeploymentGroupName", "Tags", *_GROUP_SETTINGS}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        client = request.client("codedeploy")
        app = str(request.prop("ApplicationName"))
        name = str(request.prop("DeploymentGroupName") or default_name(request, max_length=100))
        settings = _declared_settings(request)
        params = {camel(prop): value for prop, value in settings.items()}
        create = functools.partial(api_call, client, "create_deployment_group")
        _create(request, _arn(request, f"deploymentgroup:{app}/{name}"), create, applicationName=app,
                deploymentGroupName=name, tags=tag_list(request), **params)
        live = client.get_deployment_group(applicationName=app, deploymentGroupName=name)
        live = live["deploymentGroupInfo"]
        # moto: alarmConfiguration (at least) is accepted but answered as {}: keep what the target lacks.
        dropped = {prop: value for prop, value in settings.items() if _stored(live.get(camel(prop))) is None}
        keep_companion(request, name, dropped)
        return ProvisionResult(physical_id=name)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("codedeploy")
        app = str(request.prop("ApplicationName"))
        what = f"{request.logical_id}: deployment group {result.physical_id} of {app}"
        ident = {"applicationName": app, "deploymentGroupName": result.physical_id}
        live = read_or_missing(what, client.get_deployment_group, **ident)["deploymentGroupInfo"]
        live_tags = _tagging(request).read(_arn(request, f"deploymentgroup:{app}/{result.physical_id}"))
        refuse_marked(what, live_tags)
        companion = {key: sorted_lists(value) for key, value in companion_values(request).items()}
        problems: list[str] = []
        for prop, declared in _declared_settings(request).items():
            stored = _stored(live.get(camel(prop)))
            problems += kept_differences(prop, sorted_lists(declared), sorted_lists(stored), companion)
        return problems + tag_differences(tag_map(request), live_tags)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        client = request.client("codedeploy")
        app = request.prop("ApplicationName")
        ident = {"applicationName": app, "deploymentGroupName": result.physical_id}
        arn = _arn(request, f"deploymentgroup:{app}/{result.physical_id}")
        _delete(request, arn, client.get_deployment_group, client.delete_deployment_group, **ident)
