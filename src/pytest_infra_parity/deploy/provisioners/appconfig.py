"""AppConfig applications, environments, configuration profiles, deployment strategies, hosted versions.

moto 5.2 implements applications, configuration profiles and hosted configuration versions, but
neither environments nor deployment strategies (their routes answer a bare 404). Those two are tried
on the real API first; where the target lacks it they are emulated: kept in the emulated store
(:mod:`._emulated`, an SSM parameter) under a generated 7-character id like AppConfig's own, an
environment only once its application is known to exist. ``verify`` of an emulated resource reads
the stored document back (and checks that the environment's application still exists).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import _emulated, register
from pytest_infra_parity.deploy.provisioners._common import (
    emulated_differences,
    ignore_missing,
    read_or_missing,
    read_real,
    settle_delete,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import api_call, coerce, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    random_suffix,
    tag_differences,
    tag_map,
)


def _arn(request: ProvisionRequest, resource: str) -> str:
    partition = "aws-cn" if request.region.startswith("cn-") else "aws"
    if request.region.startswith("us-gov-"):
        partition = "aws-us-gov"
    return f"arn:{partition}:appconfig:{request.region}:{request.account_id}:{resource}"


def _declared(request: ProvisionRequest, operation: str, keys: frozenset[str]) -> dict[str, Any]:
    """The declared parameters of ``operation`` (tags and parent ids left out), in the API's types."""
    client = request.client("appconfig")
    shape = client.meta.service_model.operation_model(operation).input_shape
    values = {key: request.prop(key) for key in keys if request.prop(key) is not None}
    return dict(coerce(shape, values))


def _differences(request: ProvisionRequest, declared: dict[str, Any], live: Any, arn: str) -> list[str]:
    problems: list[str] = []
    for key, value in declared.items():
        problems += subset_differences(key, value, live.get(key))
    tags = request.client("appconfig").list_tags_for_resource(ResourceArn=arn).get("Tags") or {}
    return problems + tag_differences(tag_map(request), tags)


def _emulate_new(request: ProvisionRequest, id_attribute: str) -> str:
    """Keep the resource in the emulated store under a new id, which it answers as ``id_attribute``.

    The id has 7 lower-case characters, the form AppConfig gives its environments and strategies.
    """
    ident = random_suffix(request, 7).lower()
    _emulated.put(request, ident, {id_attribute: ident}, f"the target lacks {request.resource_type}")
    return ident


def _require_application(request: ProvisionRequest) -> None:
    app_id = str(request.prop("ApplicationId"))
    get = request.client("appconfig").get_application
    read_or_missing(f"{request.logical_id}: AppConfig application {app_id}", get, ApplicationId=app_id)


def _delete_real_or_emulated(request: ProvisionRequest, call: Any, **params: Any) -> None:
    try:
        call(**params)
    except ClientError as exc:
        settle_delete(request, exc)


@register
class ApplicationProvisioner:
    """``AWS::AppConfig::Application``: primary identifier ``ApplicationId``; ``Ref`` returns it.

    ``Fn::GetAtt``: ``ApplicationId``.
    """

    resource_type: ClassVar[str] = "AWS::AppConfig::Application"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"Name", "Description", "Tags"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        params = _declared(request, "CreateApplication", frozenset({"Name", "Description"}))
        client = request.client("appconfig")
        app_id = str(api_call(client, "create_application", **params, Tags=tag_map(request))["Id"])
        return ProvisionResult(physical_id=app_id, attributes={"ApplicationId": app_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("appconfig")
        what = f"{request.logical_id}: AppConfig application {result.physical_id}"
        live = read_or_missing(what, client.get_application, ApplicationId=result.physical_id)
        declared = _declared(request, "CreateApplication", frozenset({"Name", "Description"}))
        return _differences(request, declared, live, _arn(request, f"application/{result.physical_id}"))

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("appconfig").delete_application, ApplicationId=result.physical_id)


_ENVIRONMENT_KEYS = frozenset({"Name", "Description", "Monitors"})


@register
class EnvironmentProvisioner:
    """``AWS::AppConfig::Environment``: primary identifier ``ApplicationId`` + ``EnvironmentId``.

    ``Ref`` returns the environment id; ``Fn::GetAtt``: ``EnvironmentId``. Emulated where the target
    has no environment API (moto), as the module docstring says.
    """

    resource_type: ClassVar[str] = "AWS::AppConfig::Environment"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"ApplicationId", *_ENVIRONMENT_KEYS, "Tags"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        client = request.client("appconfig")
        params = _declared(request, "CreateEnvironment", _ENVIRONMENT_KEYS)
        params.update(ApplicationId=str(request.prop("ApplicationId")), Tags=tag_map(request))
        try:
            created = api_call(client, "create_environment", **params)
            env_id = str(created["Id"])
        except ClientError as exc:
            if not target_lacks(exc):
                raise
            # moto: no environment API (a bare 404): emulate it, once its application is known to exist.
            try:
                _require_application(request)
            except ResourceMissing as missing:
                raise ProvisionError(f"cannot create an environment: {missing}") from missing
            env_id = _emulate_new(request, "EnvironmentId")
        return ProvisionResult(physical_id=env_id, attributes={"EnvironmentId": env_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("appconfig")
        app_id = str(request.prop("ApplicationId"))
        what = f"{request.logical_id}: environment {result.physical_id}"
        live = read_real(what, client.get_environment, ApplicationId=app_id, EnvironmentId=result.physical_id)
        if live is None:
            _require_application(request)
            return emulated_differences(request, result.physical_id)
        declared = _declared(request, "CreateEnvironment", _ENVIRONMENT_KEYS)
        arn = _arn(request, f"application/{app_id}/environment/{result.physical_id}")
        return _differences(request, declared, live, arn)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        client = request.client("appconfig")
        app_id = request.prop("ApplicationId")
        ident = {"ApplicationId": app_id, "EnvironmentId": result.physical_id}
        _delete_real_or_emulated(request, client.delete_environment, **ident)


_PROFILE_KEYS = frozenset(
    {"Name", "LocationUri", "Type", "RetrievalRoleArn", "Validators", "Description", "KmsKeyIdentifier"}
)


@register
class ConfigurationProfileProvisioner:
    """``AWS::AppConfig::ConfigurationProfile``: primary identifier ``ApplicationId`` + profile id.

    ``Ref`` returns the configuration profile id; ``Fn::GetAtt``: ``ConfigurationProfileId`` and
    ``KmsKeyArn`` (when the profile has a key).
    """

    resource_type: ClassVar[str] = "AWS::AppConfig::ConfigurationProfile"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"ApplicationId", *_PROFILE_KEYS, "Tags"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        client = request.client("appconfig")
        params = _declared(request, "CreateConfigurationProfile", _PROFILE_KEYS)
        app_id = request.prop("ApplicationId")
        created = api_call(
            client, "create_configuration_profile", ApplicationId=app_id, Tags=tag_map(request), **params
        )
        profile_id = str(created["Id"])
        attributes = {"ConfigurationProfileId": profile_id}
        if created.get("KmsKeyArn"):
            attributes["KmsKeyArn"] = created["KmsKeyArn"]
        return ProvisionResult(physical_id=profile_id, attributes=attributes)

    def _read(self, request: ProvisionRequest, result: ProvisionResult) -> Any:
        client = request.client("appconfig")
        what = f"{request.logical_id}: configuration profile {result.physical_id}"
        ident = {"ApplicationId": request.prop("ApplicationId"), "ConfigurationProfileId": result.physical_id}
        return read_or_missing(what, client.get_configuration_profile, **ident)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = self._read(request, result)
        declared = _declared(request, "CreateConfigurationProfile", _PROFILE_KEYS)
        path = f"application/{request.prop('ApplicationId')}/configurationprofile/{result.physical_id}"
        arn = _arn(request, path)
        return _differences(request, declared, live, arn)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        # moto: deleting an unknown profile answers 500 (a KeyError), so the profile is read first.
        try:
            self._read(request, result)
        except ResourceMissing:
            return
        ident = {"ApplicationId": request.prop("ApplicationId"), "ConfigurationProfileId": result.physical_id}
        ignore_missing(request.client("appconfig").delete_configuration_profile, **ident)


_STRATEGY_KEYS = frozenset(
    {
        "Name", "DeploymentDurationInMinutes", "GrowthFactor", "GrowthType", "FinalBakeTimeInMinutes",
        "ReplicateTo", "Description",
    }
)


@register
class DeploymentStrategyProvisioner:
    """``AWS::AppConfig::DeploymentStrategy``: primary identifier ``Id``; ``Ref`` returns the strategy id.

    ``Fn::GetAtt``: ``Id``. Emulated where the target has no deployment-strategy API (moto).
    """

    resource_type: ClassVar[str] = "AWS::AppConfig::DeploymentStrategy"
    supported_properties: ClassVar[frozenset[str]] = frozenset({*_STRATEGY_KEYS, "Tags"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        client = request.client("appconfig")
        params = _declared(request, "CreateDeploymentStrategy", _STRATEGY_KEYS)
        try:
            created = api_call(client, "create_deployment_strategy", Tags=tag_map(request), **params)
            strategy_id = str(created["Id"])
        except ClientError as exc:
            if not target_lacks(exc):
                raise
            # moto: no deployment-strategy API (a bare 404): emulate it.
            strategy_id = _emulate_new(request, "Id")
        return ProvisionResult(physical_id=strategy_id, attributes={"Id": strategy_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        client = request.client("appconfig")
        what = f"{request.logical_id}: deployment strategy {result.physical_id}"
        live = read_real(what, client.get_deployment_strategy, DeploymentStrategyId=result.physical_id)
        if live is None:
            return emulated_differences(request, result.physical_id)
        declared = _declared(request, "CreateDeploymentStrategy", _STRATEGY_KEYS)
        arn = _arn(request, f"deploymentstrategy/{result.physical_id}")
        return _differences(request, declared, live, arn)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        call = request.client("appconfig").delete_deployment_strategy
        _delete_real_or_emulated(request, call, DeploymentStrategyId=result.physical_id)


def _content(request: ProvisionRequest) -> bytes:
    content = request.prop("Content")
    if isinstance(content, bytes):
        return content
    return (content if isinstance(content, str) else json.dumps(content)).encode()


@register
class HostedConfigurationVersionProvisioner:
    """``AWS::AppConfig::HostedConfigurationVersion``: primary identifier ``ApplicationId`` +
    ``ConfigurationProfileId`` + ``VersionNumber``.

    ``Ref`` returns the version number; ``Fn::GetAtt``: ``VersionNumber``.
    """

    resource_type: ClassVar[str] = "AWS::AppConfig::HostedConfigurationVersion"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "ApplicationId", "ConfigurationProfileId", "Content", "ContentType", "Description",
            "LatestVersionNumber", "VersionLabel",
        }
    )

    def _ident(self, request: ProvisionRequest, version: str) -> dict[str, Any]:
        return {
            "ApplicationId": request.prop("ApplicationId"),
            "ConfigurationProfileId": request.prop("ConfigurationProfileId"),
            "VersionNumber": int(version),
        }

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        params = {k: request.prop(k) for k in self.supported_properties if request.prop(k) is not None}
        params["Content"] = _content(request)
        created = api_call(request.client("appconfig"), "create_hosted_configuration_version", **params)
        version = str(created["VersionNumber"])
        return ProvisionResult(physical_id=version, attributes={"VersionNumber": version})

    def _read(self, request: ProvisionRequest, result: ProvisionResult) -> Any:
        client = request.client("appconfig")
        what = f"{request.logical_id}: hosted configuration version {result.physical_id}"
        ident = self._ident(request, result.physical_id)
        return read_or_missing(what, client.get_hosted_configuration_version, **ident)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = self._read(request, result)
        problems = differs("Content", _content(request), live["Content"].read())
        for key in ("ContentType", "Description", "VersionLabel"):
            if request.prop(key) is not None:
                problems += differs(key, request.prop(key), live.get(key))
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        # moto: deleting an unknown version answers 500 (a KeyError), so the version is read first.
        try:
            self._read(request, result)
        except ResourceMissing:
            return
        call = request.client("appconfig").delete_hosted_configuration_version
        ignore_missing(call, **self._ident(request, result.physical_id))
