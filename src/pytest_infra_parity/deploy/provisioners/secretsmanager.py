"""Secrets Manager secrets, with ``GenerateSecretString`` generated through ``GetRandomPassword``."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, key_differences, read_or_missing
from pytest_infra_parity.deploy.provisioners._shapes import as_bool, as_int
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    random_suffix,
    tag_differences,
    tag_list,
    tag_map,
)

DEFAULT_KEY = "alias/aws/secretsmanager"
_PASSWORD_FLAGS = (
    "ExcludeLowercase",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "IncludeSpace",
    "RequireEachIncludedType",
)
_DEFAULT_LENGTH = 32
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+=.@-"


def _generate(request: ProvisionRequest, spec: dict[str, Any]) -> str:
    """The secret string ``GenerateSecretString`` describes: a password, or a JSON template holding one."""
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if (template is None) != (key is None):
        raise ProvisionError(
            f"{request.logical_id}: GenerateSecretString needs both SecretStringTemplate "
            "and GenerateStringKey"
        )
    params: dict[str, Any] = {"PasswordLength": as_int(spec.get("PasswordLength", _DEFAULT_LENGTH))}
    if spec.get("ExcludeCharacters") is not None:
        params["ExcludeCharacters"] = str(spec["ExcludeCharacters"])
    for flag in _PASSWORD_FLAGS:
        if spec.get(flag) is not None:
            params[flag] = as_bool(spec[flag])
    password = str(request.client("secretsmanager").get_random_password(**params)["RandomPassword"])
    if template is None:
        return password
    document = json.loads(template) if isinstance(template, str) else dict(template)
    document[str(key)] = password
    return json.dumps(document)


def _generated_differences(spec: dict[str, Any], value: str) -> list[str]:
    """What in a live secret string does not match its ``GenerateSecretString`` description."""
    password = value
    problems: list[str] = []
    if spec.get("SecretStringTemplate") is not None:
        template = spec["SecretStringTemplate"]
        expected = json.loads(template) if isinstance(template, str) else dict(template)
        try:
            live = json.loads(value)
        except ValueError:
            return [
                f"SecretString is not the JSON GenerateSecretString.SecretStringTemplate describes: {value!r}"
            ]
        for key, item in expected.items():
            problems += differs(f"SecretString.{key}", item, live.get(key))
        password = str(live.get(spec["GenerateStringKey"], ""))
    length = as_int(spec.get("PasswordLength", _DEFAULT_LENGTH))
    if len(password) != length:
        problems.append(f"the generated password has {len(password)} characters, declared {length}")
    excluded = set(str(spec.get("ExcludeCharacters", "")))
    if excluded & set(password):
        problems.append(
            f"the generated password holds excluded characters {sorted(excluded & set(password))}"
        )
    return problems


def _default_secret_name(request: ProvisionRequest) -> str:
    """CloudFormation's generated secret name, ``<LogicalId>-<suffix>``."""
    logical = "".join(c for c in request.logical_id if c in _NAME_CHARS)
    return f"{logical[:480]}-{random_suffix(request)}"


def _describe(request: ProvisionRequest, arn: str) -> dict[str, Any]:
    what = f"secret {arn} ({request.logical_id})"
    secret = dict(read_or_missing(what, request.client("secretsmanager").describe_secret, SecretId=arn))
    if secret.get("DeletedDate"):
        raise ResourceMissing(f"secret {arn} ({request.logical_id}) is scheduled for deletion")
    return secret


@register
class SecretProvisioner:
    """``AWS::SecretsManager::Secret``: primary identifier ``Id``; ``Ref`` returns the secret ARN.

    ``Fn::GetAtt``: ``Id`` (the secret ARN). Deleting removes the secret without a recovery window.
    """

    resource_type: ClassVar[str] = "AWS::SecretsManager::Secret"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"Name", "Description", "SecretString", "GenerateSecretString", "KmsKeyId", "Tags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        if request.prop("SecretString") is not None and request.prop("GenerateSecretString") is not None:
            raise ProvisionError(f"{request.logical_id}: SecretString and GenerateSecretString are exclusive")
        params: dict[str, Any] = {
            "Name": request.prop("Name") or _default_secret_name(request),
            "Tags": tag_list(request),
        }
        for key in ("Description", "KmsKeyId"):
            if request.prop(key) is not None:
                params[key] = str(request.prop(key))
        if request.prop("SecretString") is not None:
            params["SecretString"] = str(request.prop("SecretString"))
        else:
            params["SecretString"] = _generate(request, dict(request.prop("GenerateSecretString") or {}))
        arn = request.client("secretsmanager").create_secret(**params)["ARN"]
        return ProvisionResult(physical_id=arn, attributes={"Id": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        secret = _describe(request, result.physical_id)
        problems: list[str] = []
        if request.prop("Name") is not None:
            problems += differs("Name", request.prop("Name"), secret.get("Name"))
        if request.prop("Description") is not None:
            problems += differs("Description", request.prop("Description"), secret.get("Description"))
        # Secrets Manager reports no KmsKeyId for its default key.
        problems += key_differences(
            request, "KmsKeyId", request.prop("KmsKeyId"), secret.get("KmsKeyId"), default=DEFAULT_KEY
        )
        live_tags = {t["Key"]: t["Value"] for t in secret.get("Tags", [])}
        problems += tag_differences(tag_map(request), live_tags)
        value = (
            request.client("secretsmanager").get_secret_value(SecretId=result.physical_id).get("SecretString")
        )
        if request.prop("SecretString") is not None:
            if value != str(request.prop("SecretString")):
                problems.append("SecretString differs from the declared value")
        else:
            problems += _generated_differences(dict(request.prop("GenerateSecretString") or {}), str(value))
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(
            request.client("secretsmanager").delete_secret,
            SecretId=result.physical_id,
            ForceDeleteWithoutRecovery=True,
        )
