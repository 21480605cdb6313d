"""Secrets Manager and SSM Parameter Store provisioners on the moto server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import ProvisionError, ResourceMissing

from ._support import Build, Clients, assert_deleted, create, error_code, new_key, raises


def _secret_gone(sm: Any, arn: str) -> bool:
    return error_code(sm.describe_secret, SecretId=arn) == "ResourceNotFoundException"


def test_generated_secret(make_request: Build, clients: Clients) -> None:
    sm, kms = clients("secretsmanager"), clients("kms")
    new_key(kms, "alias/c1-secrets")
    prov, req, result = create(
        make_request,
        "DbCredentials",
        "AWS::SecretsManager::Secret",
        {
            "Description": "database admin",
            "KmsKeyId": "alias/c1-secrets",
            "GenerateSecretString": {
                "SecretStringTemplate": json.dumps({"username": "admin"}),
                "GenerateStringKey": "password",
                "PasswordLength": "24",
                "ExcludeCharacters": '"@/\\',
            },
            "Tags": [{"Key": "team", "Value": "db"}],
        },
    )
    arn = result.physical_id
    assert result.attributes == {"Id": arn}
    assert ":secret:DbCredentials-" in arn
    assert prov.verify(req, result) == []

    value = json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])
    assert value["username"] == "admin"
    assert len(value["password"]) == 24 and not set('"@/\\') & set(value["password"])
    described = sm.describe_secret(SecretId=arn)
    assert described["Description"] == "database admin"
    assert {"Key": "team", "Value": "db"} in described["Tags"]

    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"username": "root", "password": "short"}))
    sm.update_secret(SecretId=arn, Description="changed", KmsKeyId=kms.create_key()["KeyMetadata"]["Arn"])
    sm.untag_resource(SecretId=arn, TagKeys=["team"])
    problems = prov.verify(req, result)
    assert "SecretString.username is 'root', declared 'admin'" in problems
    assert "the generated password has 5 characters, declared 24" in problems
    assert "Description is 'changed', declared 'database admin'" in problems
    assert any(p.startswith("KmsKeyId is") for p in problems)
    assert any("'team' is missing" in p for p in problems)

    assert_deleted(prov, req, result, gone=lambda: _secret_gone(sm, arn))
    kms.delete_alias(AliasName="alias/c1-secrets")


def test_plain_secret_with_default_key(make_request: Build, clients: Clients) -> None:
    sm = clients("secretsmanager")
    prov, req, result = create(
        make_request,
        "ApiToken",
        "AWS::SecretsManager::Secret",
        {"Name": "c1/api-token", "SecretString": "s3cr3t", "KmsKeyId": "alias/aws/secretsmanager"},
    )
    assert sm.get_secret_value(SecretId="c1/api-token")["SecretString"] == "s3cr3t"
    assert prov.verify(req, result) == []
    sm.put_secret_value(SecretId=result.physical_id, SecretString="other")
    assert prov.verify(req, result) == ["SecretString differs from the declared value"]
    prov.delete(req, result)
    assert _secret_gone(sm, result.physical_id)

    both = make_request(
        "Bad", "AWS::SecretsManager::Secret", {"SecretString": "x", "GenerateSecretString": {}}
    )
    with pytest.raises(ProvisionError, match="exclusive"):
        prov.create(both)
    half = make_request(
        "Half", "AWS::SecretsManager::Secret", {"GenerateSecretString": {"GenerateStringKey": "k"}}
    )
    with pytest.raises(ProvisionError, match="SecretStringTemplate"):
        prov.create(half)


def test_parameter_lifecycle(make_request: Build, clients: Clients) -> None:
    ssm = clients("ssm")
    prov, req, result = create(
        make_request,
        "ApiUrl",
        "AWS::SSM::Parameter",
        {
            "Name": "/c1/api/url",
            "Type": "String",
            "Value": "https://api.example.com",
            "Description": "public API endpoint",
            "Tier": "Standard",
            "AllowedPattern": "^https://.*$",
            "Tags": {"team": "api"},
        },
    )
    assert result.physical_id == "/c1/api/url"
    assert result.attributes == {"Type": "String", "Value": "https://api.example.com"}
    assert prov.verify(req, result) == []

    assert ssm.get_parameter(Name="/c1/api/url")["Parameter"]["Value"] == "https://api.example.com"
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/c1/api/url")["TagList"]
    assert {"Key": "team", "Value": "api"} in tags

    ssm.put_parameter(Name="/c1/api/url", Value="https://other.example.com", Type="String", Overwrite=True)
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="/c1/api/url", TagKeys=["team"])
    problems = prov.verify(req, result)
    assert "Value is 'https://other.example.com', declared 'https://api.example.com'" in problems
    assert any("'team' is missing" in p for p in problems)

    assert_deleted(prov, req, result, gone=lambda: raises(ClientError, ssm.get_parameter, Name="/c1/api/url"))


def test_string_list_parameter_with_default_name(make_request: Build, clients: Clients) -> None:
    ssm = clients("ssm")
    prov, req, result = create(
        make_request, "Regions", "AWS::SSM::Parameter", {"Type": "StringList", "Value": "eu-west-1,us-east-1"}
    )
    assert result.physical_id.startswith("CFN-Regions-")
    assert ssm.get_parameter(Name=result.physical_id)["Parameter"]["Type"] == "StringList"
    assert prov.verify(req, result) == []
    prov.delete(req, result)
    with pytest.raises(ResourceMissing):
        prov.verify(req, result)
