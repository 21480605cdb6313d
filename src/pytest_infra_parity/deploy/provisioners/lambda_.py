"""Lambda functions and layer versions.

(:mod:`pytest_infra_parity.deploy.packaging` turns a template's ``Code`` into the API's.) moto 5.2 drops
a function's ``DeadLetterConfig``, ``KmsKeyArn`` and ``LoggingConfig``: those are kept in the function's
companion document (see :mod:`._common`) only when the read-back shows the target lacks them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.packaging import code_argument, code_sha256
from pytest_infra_parity.deploy.provisioners import _emulated, register
from pytest_infra_parity.deploy.provisioners._common import (
    companion_values,
    ignore_missing,
    keep_companion,
    kept_differences,
    read_or_missing,
    wait_for,
)
from pytest_infra_parity.deploy.provisioners._shapes import api_call, dig
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    tag_differences,
    tag_map,
)

# --------------------------------------------------------------------------- functions

_PASS_THROUGH = (
    "Runtime", "Handler", "Role", "MemorySize", "Timeout", "TracingConfig", "VpcConfig", "Layers",
    "Architectures", "DeadLetterConfig", "Description", "EphemeralStorage", "LoggingConfig", "PackageType",
)
_DROPPABLE = {
    "DeadLetterConfig": "DeadLetterConfig", "KmsKeyArn": "KMSKeyArn", "LoggingConfig": "LoggingConfig",
}
_ROLE_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)


def _environment(request: ProvisionRequest) -> dict[str, str]:
    variables = (request.prop("Environment") or {}).get("Variables") or {}
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in variables.items()}


def _create_function(request: ProvisionRequest, params: dict[str, Any]) -> dict[str, Any]:
    lam = request.client("lambda")
    for delay in (*_ROLE_RETRY_DELAYS, None):
        try:
            return dict(api_call(lam, "create_function", **params))
        except ClientError as exc:
            # IAM is eventually consistent: a role created a moment ago may not be assumable yet.
            if delay is None or "cannot be assumed" not in str(exc):
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")


def _wait_active(request: ProvisionRequest, name: str) -> dict[str, Any]:
    lam = request.client("lambda")
    config: dict[str, Any] = {}

    def active() -> bool:
        config.update(lam.get_function_configuration(FunctionName=name))
        if config.get("State") == "Failed":
            raise ProvisionError(f"{request.logical_id}: function {name} failed: {config.get('StateReason')}")
        return config.get("State") in (None, "Active")

    wait_for(f"{request.logical_id}: function {name} to become Active", active)
    return config


@register
class FunctionProvisioner:
    """``AWS::Lambda::Function``: primary identifier ``FunctionName``; ``Ref`` returns the function name.

    ``Fn::GetAtt``: ``Arn``. ``Code`` is ``{LocalPath}`` (zipped deterministically), inline
    ``{ZipFile}`` (as ``index.py``/``index.js``), ``{S3Bucket, S3Key[, S3ObjectVersion]}`` or
    ``{ImageUri}``. ``ReservedConcurrentExecutions`` is set with ``PutFunctionConcurrency``.
    """

    resource_type: ClassVar[str] = "AWS::Lambda::Function"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {*_PASS_THROUGH, "FunctionName", "Code", "Environment", "KmsKeyArn", "ReservedConcurrentExecutions",
         "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = str(request.prop("FunctionName") or default_name(request, max_length=64))
        params: dict[str, Any] = {key: request.prop(key) for key in _PASS_THROUGH}
        params.update(FunctionName=name, Tags=tag_map(request), KMSKeyArn=request.prop("KmsKeyArn"))
        code, runtime = request.prop("Code") or {}, request.prop("Runtime")
        params["Code"] = code_argument(code, runtime, request.logical_id)
        if request.prop("Environment") is not None:
            params["Environment"] = {"Variables": _environment(request)}
        _create_function(request, {k: v for k, v in params.items() if v is not None})
        config = _wait_active(request, name)
        reserved = request.prop("ReservedConcurrentExecutions")
        if reserved is not None:
            lam = request.client("lambda")
            api_call(lam, "put_function_concurrency", FunctionName=name,
                     ReservedConcurrentExecutions=reserved)
        dropped = {p: request.prop(p) for p, k in _DROPPABLE.items() if request.prop(p) and not config.get(k)}
        # moto: create_function accepts DeadLetterConfig, KMSKeyArn and LoggingConfig but never returns them.
        keep_companion(request, name, dropped)
        return ProvisionResult(physical_id=name, attributes={"Arn": config["FunctionArn"]})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        what = f"{request.logical_id}: function {result.physical_id}"
        live = read_or_missing(what, request.client("lambda").get_function, FunctionName=result.physical_id)
        config = live["Configuration"]
        problems = _config_differences(request, config)
        reserved = request.prop("ReservedConcurrentExecutions")
        if reserved is not None:
            live_reserved = (live.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
            problems += differs("ReservedConcurrentExecutions", int(reserved), live_reserved)
        companion = companion_values(request)
        for prop, key in _DROPPABLE.items():
            problems += kept_differences(prop, request.prop(prop), config.get(key), companion)
        expected = code_sha256(request.prop("Code"), request.prop("Runtime"), request.logical_id)
        if expected is not None:
            problems += differs("Code (CodeSha256)", expected, config.get("CodeSha256"))
        return problems + tag_differences(tag_map(request), live.get("Tags") or {})

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("lambda").delete_function, FunctionName=result.physical_id)
        _emulated.delete(request)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _config_differences(request: ProvisionRequest, config: Mapping[str, Any]) -> list[str]:
    prop = request.prop
    declared: dict[str, Any] = {key: prop(key) for key in ("Runtime", "Handler", "Role", "Description")}
    declared.update(
        {
            "PackageType": prop("PackageType"),
            "MemorySize": _opt_int(prop("MemorySize")),
            "Timeout": _opt_int(prop("Timeout")),
            "TracingConfig.Mode": (prop("TracingConfig") or {}).get("Mode"),
            "Architectures": prop("Architectures"),
            "EphemeralStorage.Size": _opt_int((prop("EphemeralStorage") or {}).get("Size")),
        }
    )
    problems: list[str] = []
    for path, want in declared.items():
        if want is not None:
            problems += differs(path, want, dig(config, path, None))
    if prop("Environment") is not None:
        live_variables = dig(config, "Environment.Variables", None) or {}
        problems += differs("Environment.Variables", _environment(request), live_variables)
    if prop("Layers") is not None:
        live_layers = [layer["Arn"] for layer in config.get("Layers") or []]
        problems += differs("Layers", list(prop("Layers")), live_layers)
    vpc = prop("VpcConfig")
    if vpc is not None:
        live_vpc = config.get("VpcConfig") or {}
        for key in ("SubnetIds", "SecurityGroupIds"):
            problems += differs(
                f"VpcConfig.{key}", sorted(vpc.get(key) or []), sorted(live_vpc.get(key) or [])
            )
    return problems


# --------------------------------------------------------------------------- layer versions


def _layer_parts(arn: str) -> tuple[str, int]:
    """``(layer ARN, version number)`` of a layer version ARN."""
    layer, _, version = arn.rpartition(":")
    return layer, int(version)


@register
class LayerVersionProvisioner:
    """``AWS::Lambda::LayerVersion``: primary identifier ``LayerVersionArn``; ``Ref`` returns that ARN.

    ``Fn::GetAtt``: ``LayerVersionArn``. ``Content`` is ``{LocalPath}`` (zipped deterministically) or
    ``{S3Bucket, S3Key[, S3ObjectVersion]}``.
    """

    resource_type: ClassVar[str] = "AWS::Lambda::LayerVersion"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"LayerName", "Content", "CompatibleRuntimes", "CompatibleArchitectures", "Description",
         "LicenseInfo"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = str(request.prop("LayerName") or default_name(request, max_length=140))
        params: dict[str, Any] = {
            key: request.prop(key)
            for key in ("CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo")
            if request.prop(key) is not None
        }
        content = code_argument(request.prop("Content") or {}, None, request.logical_id)
        published = request.client("lambda").publish_layer_version(LayerName=name, Content=content, **params)
        arn = str(published["LayerVersionArn"])
        return ProvisionResult(physical_id=arn, attributes={"LayerVersionArn": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        layer, version = _layer_parts(result.physical_id)
        lam = request.client("lambda")
        what = f"{request.logical_id}: layer version {result.physical_id}"
        # moto: get_layer_version_by_arn answers an empty document, so the version is read by name and number.
        live = read_or_missing(what, lam.get_layer_version, LayerName=layer, VersionNumber=version)
        if not live.get("LayerVersionArn"):
            raise ResourceMissing(f"{what} does not exist")
        problems: list[str] = []
        for key in ("CompatibleRuntimes", "CompatibleArchitectures"):
            if request.prop(key) is not None:
                problems += differs(key, sorted(request.prop(key)), sorted(live.get(key) or []))
        for key in ("Description", "LicenseInfo"):
            if request.prop(key) is not None:
                problems += differs(key, request.prop(key), live.get(key))
        expected = code_sha256(request.prop("Content"), None, request.logical_id)
        if expected is not None:
            live_sha = (live.get("Content") or {}).get("CodeSha256")
            problems += differs("Content (CodeSha256)", expected, live_sha)
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        layer, version = _layer_parts(result.physical_id)
        ignore_missing(request.client("lambda").delete_layer_version, LayerName=layer, VersionNumber=version)
