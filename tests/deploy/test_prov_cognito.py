"""Cognito provisioners on moto: user pools and user pool clients."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import ResourceMissing, _emulated

from ._support import Build, assert_deleted, create, provisioner_for

POOL = {
    "UserPoolName": "customers",
    "Policies": {
        "PasswordPolicy": {
            "MinimumLength": "12",
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": "false",
            "TemporaryPasswordValidityDays": 3,
        }
    },
    "AutoVerifiedAttributes": ["email"],
    "UsernameAttributes": ["email"],
    "Schema": [
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
        {
            "Name": "tenant",
            "AttributeDataType": "String",
            "Mutable": True,
            "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
        },
    ],
    "MfaConfiguration": "OPTIONAL",
    "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
    "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
    "DeletionProtection": "ACTIVE",
    "UserPoolTags": {"team": "identity"},
}


def test_user_pool_lifecycle(make_request: Build, clients: Any) -> None:
    prov, request, result = create(make_request, "Users", "AWS::Cognito::UserPool", POOL)
    pool_id = result.physical_id
    assert pool_id.startswith("us-east-1_")
    assert result.attributes["UserPoolId"] == pool_id
    assert result.attributes["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}"
    assert result.attributes["ProviderName"] == f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert result.attributes["ProviderURL"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"

    idp = clients("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "customers"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert pool["UsernameAttributes"] == ["email"] and pool["DeletionProtection"] == "ACTIVE"
    assert "custom:tenant" in [a["Name"] for a in pool["SchemaAttributes"]]
    assert (
        pool["UserPoolTags"]["team"] == "identity" and pool["UserPoolTags"]["infra-parity:run"] == "test-run"
    )
    mfa = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL" and mfa["SoftwareTokenMfaConfiguration"]["Enabled"]
    assert prov.verify(request, result) == []

    idp.update_user_pool(
        UserPoolId=pool_id,
        Policies={"PasswordPolicy": {"MinimumLength": 8}},
        DeletionProtection="ACTIVE",
        UserPoolTags=pool["UserPoolTags"],
    )
    problems = prov.verify(request, result)
    assert "Policies.PasswordPolicy.MinimumLength is 8, declared 12" in problems

    prov.delete(request, result)  # DeletionProtection is lifted first: the plugin's stacks are ephemeral
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_user_pool(UserPoolId=pool_id)
    with pytest.raises(ResourceMissing):
        prov.verify(request, result)
    prov.delete(request, result)


def test_user_pool_default_name(make_request: Build, clients: Any) -> None:
    prov, request, result = create(
        make_request,
        "Anonymous",
        "AWS::Cognito::UserPool",
        {"AliasAttributes": ["email", "preferred_username"]},
    )
    name = clients("cognito-idp").describe_user_pool(UserPoolId=result.physical_id)["UserPool"]["Name"]
    assert "Anonymous" in name and name.startswith(request.stack_name[:10])
    assert prov.verify(request, result) == []
    prov.delete(request, result)


def test_user_pool_client_lifecycle(make_request: Build, clients: Any) -> None:
    pool_prov, pool_request, pool = create(
        make_request, "Users", "AWS::Cognito::UserPool", {"UserPoolName": "shoppers"}
    )
    client_prov, request, result = create(
        make_request,
        "WebClient",
        "AWS::Cognito::UserPoolClient",
        {
            "UserPoolId": pool.physical_id,
            "ClientName": "web",
            "GenerateSecret": "true",
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"],
            "AllowedOAuthFlowsUserPoolClient": True,
            "CallbackURLs": ["https://shop.example.com/callback"],
            "SupportedIdentityProviders": ["COGNITO"],
            "AccessTokenValidity": "60",
            "IdTokenValidity": 60,
            "RefreshTokenValidity": 30,
            "PreventUserExistenceErrors": "ENABLED",
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        },
    )
    assert result.attributes["ClientId"] == result.physical_id and result.attributes["Name"] == "web"
    idp = clients("cognito-idp")
    live = idp.describe_user_pool_client(UserPoolId=pool.physical_id, ClientId=result.physical_id)[
        "UserPoolClient"
    ]
    assert live["ClientSecret"] == result.attributes["ClientSecret"]
    assert live["AllowedOAuthFlows"] == ["code"] and live["AccessTokenValidity"] == 60
    assert live["TokenValidityUnits"]["RefreshToken"] == "days"
    assert client_prov.verify(request, result) == []

    idp.update_user_pool_client(
        UserPoolId=pool.physical_id,
        ClientId=result.physical_id,
        ClientName="web",
        CallbackURLs=["https://evil.example.com/"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        SupportedIdentityProviders=["COGNITO"],
    )
    assert any(
        p.startswith("CallbackURLs is ['https://evil.example.com/']")
        for p in client_prov.verify(request, result)
    )

    client_prov.delete(request, result)
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.describe_user_pool_client(UserPoolId=pool.physical_id, ClientId=result.physical_id)
    with pytest.raises(ResourceMissing):
        client_prov.verify(request, result)
    client_prov.delete(request, result)
    pool_prov.delete(pool_request, pool)


class _LacksService:
    """A boto3 client stand-in for a target that answers 501 (LocalStack's free plan) to every call."""

    def __init__(self, real: Any) -> None:
        self.meta = real.meta

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        def call(**_: Any) -> Any:
            raise ClientError(
                {
                    "Error": {"Code": "InternalFailure", "Message": "not in this plan"},
                    "ResponseMetadata": {"HTTPStatusCode": 501},
                },
                operation,
            )

        return call


def test_user_pool_is_emulated_when_the_target_lacks_cognito(make_request: Build, clients: Any) -> None:
    def lacking(service: str) -> Any:
        return _LacksService(clients(service)) if service == "cognito-idp" else clients(service)

    prov = provisioner_for("AWS::Cognito::UserPool")
    request = dataclasses.replace(make_request("Users", "AWS::Cognito::UserPool", POOL), clients=lacking)
    result = prov.create(request)
    assert result.attributes["ProviderName"] == f"cognito-idp.us-east-1.amazonaws.com/{result.physical_id}"
    stored = _emulated.get(request)
    assert (stored.resource_type, stored.physical_id) == ("AWS::Cognito::UserPool", result.physical_id)
    assert stored.properties["UserPoolName"] == "customers" and "does not implement" in stored.reason
    assert prov.verify(request, result) == []
    assert_deleted(prov, request, result)
