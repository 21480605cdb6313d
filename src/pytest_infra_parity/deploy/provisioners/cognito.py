"""Cognito user pools and user pool (app) clients.

Emulated store: when the target answers that Cognito is not implemented (LocalStack's free plan
answers 501), the declared resource is kept with :mod:`._emulated` instead; never on moto, which
implements every call used here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import (
    Field,
    emulate,
    emulated_or_raise,
    field_differences,
    settle_delete,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import as_bool, coerced, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    is_not_found,
    tag_differences,
    tag_map,
)

_POOL_LISTS = ("AutoVerifiedAttributes", "UsernameAttributes", "AliasAttributes")
_POOL_BLOCKS = (
    "Policies",
    "AccountRecoverySetting",
    "AdminCreateUserConfig",
    "EmailConfiguration",
    "VerificationMessageTemplate",
    "UsernameConfiguration",
    "LambdaConfig",
    "DeviceConfiguration",
    "UserAttributeUpdateSettings",
    "UserPoolAddOns",
    "SmsConfiguration",
)
_POOL_SCALARS = (
    "MfaConfiguration",
    "DeletionProtection",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsVerificationMessage",
    "SmsAuthenticationMessage",
    "UserPoolTier",
)


def _pool_params(request: ProvisionRequest, name: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "PoolName": name,
        "UserPoolTags": tag_map(request, request.prop("UserPoolTags")),
    }
    for key in (*_POOL_LISTS, *_POOL_BLOCKS, *_POOL_SCALARS, "Schema"):
        if key in request.properties:
            params[key] = request.properties[key]
    if "EnabledMfas" in request.properties:
        params.pop("MfaConfiguration", None)  # set with the MFA configuration once the pool exists
    return coerced(request.client("cognito-idp"), "create_user_pool", params)


def _set_mfa(request: ProvisionRequest, pool_id: str) -> None:
    """EnabledMfas and MfaConfiguration go through SetUserPoolMfaConfig, as CloudFormation does."""
    enabled = list(request.prop("EnabledMfas", []))
    params: dict[str, Any] = {
        "UserPoolId": pool_id,
        "MfaConfiguration": request.prop("MfaConfiguration", "OFF"),
    }
    if "SOFTWARE_TOKEN_MFA" in enabled:
        params["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if "SMS_MFA" in enabled:
        params["SmsMfaConfiguration"] = {"SmsConfiguration": request.prop("SmsConfiguration", {})}
        if request.prop("SmsAuthenticationMessage"):
            params["SmsMfaConfiguration"]["SmsAuthenticationMessage"] = request.prop(
                "SmsAuthenticationMessage"
            )
    request.client("cognito-idp").set_user_pool_mfa_config(**params)


def _live_mfas(request: ProvisionRequest, pool_id: str) -> list[str]:
    config = request.client("cognito-idp").get_user_pool_mfa_config(UserPoolId=pool_id)
    enabled = {
        "SOFTWARE_TOKEN_MFA": bool((config.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled")),
        "SMS_MFA": bool((config.get("SmsMfaConfiguration") or {}).get("SmsConfiguration")),
        "EMAIL_OTP": bool(config.get("EmailMfaConfiguration")),
    }
    return sorted(kind for kind, on in enabled.items() if on)


def _schema_differences(declared: list[Mapping[str, Any]], live: list[Mapping[str, Any]]) -> list[str]:
    by_name = {a["Name"]: a for a in live}
    problems: list[str] = []
    for attribute in declared:
        name = str(attribute["Name"])
        found = by_name.get(name) or by_name.get(f"custom:{name}")
        if found is None:
            problems.append(f"Schema attribute {name!r} is missing")
            continue
        wanted = {k: v for k, v in attribute.items() if k != "Name"}
        problems += subset_differences(f"Schema[{name}]", wanted, found)
    return problems


def _describe_pool(request: ProvisionRequest, pool_id: str) -> dict[str, Any]:
    try:
        pool: dict[str, Any] = request.client("cognito-idp").describe_user_pool(UserPoolId=pool_id)[
            "UserPool"
        ]
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceMissing(f"{request.logical_id}: user pool {pool_id}") from exc
        raise
    return pool


def _pool_attributes(request: ProvisionRequest, pool_id: str, arn: str) -> dict[str, Any]:
    provider = f"cognito-idp.{request.region}.amazonaws.com/{pool_id}"
    return {"Arn": arn, "UserPoolId": pool_id, "ProviderName": provider, "ProviderURL": f"https://{provider}"}


@register
class UserPoolProvisioner:
    """AWS::Cognito::UserPool. Primary identifier: UserPoolId.

    Ref returns the user pool id. Fn::GetAtt: Arn, ProviderName
    (``cognito-idp.<region>.amazonaws.com/<pool id>``), ProviderURL (``https://`` + ProviderName), UserPoolId.
    Deletion lifts DeletionProtection first (the plugin's stacks are ephemeral).
    """

    resource_type: ClassVar[str] = "AWS::Cognito::UserPool"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {*_POOL_LISTS, *_POOL_BLOCKS, *_POOL_SCALARS, "UserPoolName", "Schema", "EnabledMfas", "UserPoolTags"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = str(request.prop("UserPoolName") or default_name(request, 128))
        try:
            pool = request.client("cognito-idp").create_user_pool(**_pool_params(request, name))["UserPool"]
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                pool_id = f"{request.region}_{uuid.uuid5(uuid.NAMESPACE_URL, request.logical_id).hex[:9]}"
                arn = f"arn:aws:cognito-idp:{request.region}:{request.account_id}:userpool/{pool_id}"
                return emulate(request, pool_id, _pool_attributes(request, pool_id, arn), exc)
            raise
        if "EnabledMfas" in request.properties:
            _set_mfa(request, pool["Id"])
        return ProvisionResult(pool["Id"], _pool_attributes(request, pool["Id"], pool["Arn"]))

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            pool = _describe_pool(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        declared = _pool_params(request, pool.get("Name", ""))
        problems = differs("UserPoolName", declared["PoolName"], pool.get("Name"))
        for key in _POOL_LISTS:
            if key in declared:
                problems += differs(key, sorted(declared[key]), sorted(pool.get(key) or []))
        for key in (*_POOL_BLOCKS, *_POOL_SCALARS):
            if key in declared:
                problems += subset_differences(key, declared[key], pool.get(key))
        if "Schema" in declared:
            problems += _schema_differences(declared["Schema"], pool.get("SchemaAttributes") or [])
        if "EnabledMfas" in request.properties:
            problems += differs(
                "MfaConfiguration", request.prop("MfaConfiguration", "OFF"), pool.get("MfaConfiguration")
            )
            problems += differs(
                "EnabledMfas", sorted(request.prop("EnabledMfas")), _live_mfas(request, pool["Id"])
            )
        return problems + tag_differences(declared["UserPoolTags"], pool.get("UserPoolTags") or {})

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        idp = request.client("cognito-idp")
        try:
            pool = _describe_pool(request, result.physical_id)
            if pool.get("DeletionProtection") == "ACTIVE":
                idp.update_user_pool(UserPoolId=result.physical_id, DeletionProtection="INACTIVE")
            idp.delete_user_pool(UserPoolId=result.physical_id)
        except ResourceMissing:
            return
        except (ClientError, ResponseParserError) as exc:
            settle_delete(request, exc)


# --- AWS::Cognito::UserPoolClient ---

_CLIENT_FIELDS: tuple[Field, ...] = (
    *(
        Field(name, kind="list", live=name, compare="set")
        for name in (
            "ExplicitAuthFlows",
            "AllowedOAuthFlows",
            "AllowedOAuthScopes",
            "CallbackURLs",
            "LogoutURLs",
            "SupportedIdentityProviders",
            "ReadAttributes",
            "WriteAttributes",
        )
    ),
    *(
        Field(name, kind="int", live=name)
        for name in ("AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity", "AuthSessionValidity")
    ),
    *(
        Field(name, kind="bool", live=name)
        for name in (
            "AllowedOAuthFlowsUserPoolClient",
            "EnableTokenRevocation",
            "EnablePropagateAdditionalUserContextData",
        )
    ),
    Field("DefaultRedirectURI", live="DefaultRedirectURI"),
    Field("PreventUserExistenceErrors", live="PreventUserExistenceErrors"),
    Field("TokenValidityUnits", kind="raw", api=""),
    Field("GenerateSecret", kind="bool"),
)


@register
class UserPoolClientProvisioner:
    """AWS::Cognito::UserPoolClient. Primary identifier: UserPoolId, ClientId.

    Ref returns the client id. Fn::GetAtt: ClientId, ClientSecret (when GenerateSecret), Name.
    """

    resource_type: ClassVar[str] = "AWS::Cognito::UserPoolClient"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {f.cfn for f in _CLIENT_FIELDS} | {"UserPoolId", "ClientName"}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        name = str(request.prop("ClientName") or default_name(request, 128))
        params = {f.cfn: request.properties[f.cfn] for f in _CLIENT_FIELDS if f.cfn in request.properties}
        params.update({"UserPoolId": request.prop("UserPoolId"), "ClientName": name})
        idp = request.client("cognito-idp")
        try:
            client = idp.create_user_pool_client(**coerced(idp, "create_user_pool_client", params))[
                "UserPoolClient"
            ]
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                client_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{request.stack_name}/{request.logical_id}").hex[
                    :26
                ]
                return emulate(request, client_id, {"ClientId": client_id, "Name": name}, exc)
            raise
        attributes = {"ClientId": client["ClientId"], "Name": client["ClientName"]}
        if client.get("ClientSecret"):
            attributes["ClientSecret"] = client["ClientSecret"]
        return ProvisionResult(client["ClientId"], attributes)

    def _describe(self, request: ProvisionRequest, client_id: str) -> dict[str, Any]:
        try:
            client: dict[str, Any] = request.client("cognito-idp").describe_user_pool_client(
                UserPoolId=str(request.prop("UserPoolId")), ClientId=client_id
            )["UserPoolClient"]
        except ClientError as exc:
            if is_not_found(exc):
                raise ResourceMissing(f"{request.logical_id}: user pool client {client_id}") from exc
            raise
        return client

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            client = self._describe(request, result.physical_id)
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        problems = differs("ClientName", result.attributes.get("Name"), client.get("ClientName"))
        problems += field_differences(request, _CLIENT_FIELDS, client)
        if "TokenValidityUnits" in request.properties:
            problems += subset_differences(
                "TokenValidityUnits", request.prop("TokenValidityUnits"), client.get("TokenValidityUnits")
            )
        if "GenerateSecret" in request.properties:
            problems += differs(
                "GenerateSecret", as_bool(request.prop("GenerateSecret")), bool(client.get("ClientSecret"))
            )
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        try:
            request.client("cognito-idp").delete_user_pool_client(
                UserPoolId=str(request.prop("UserPoolId")), ClientId=result.physical_id
            )
        except (ClientError, ResponseParserError) as exc:
            settle_delete(request, exc)
