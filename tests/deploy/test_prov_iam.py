"""IAM provisioners on the moto server: roles, inline policies, managed policies, AWS managed policies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import ProvisionError, ProvisionRequest, ResourceMissing

from ._support import Build, Clients, assert_deleted, create, error_code, provisioner_for

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}
WRITE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def _role_gone(iam: Any, name: str) -> bool:
    return error_code(iam.get_role, RoleName=name) == "NoSuchEntity"


def test_role_lifecycle(make_request: Build, clients: Clients) -> None:
    iam = clients("iam")
    managed = iam.create_policy(PolicyName="c1-role-read", PolicyDocument=json.dumps(READ))["Policy"]["Arn"]
    boundary = iam.create_policy(PolicyName="c1-boundary", PolicyDocument=json.dumps(READ))["Policy"]["Arn"]
    prov, req, result = create(
        make_request,
        "FnRole",
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": TRUST,
            "ManagedPolicyArns": [managed],
            # SAM writes inline policies without Version (moto refuses them; the provisioner adds it)
            "Policies": [{"PolicyName": "send", "PolicyDocument": {"Statement": WRITE["Statement"]}}],
            "Path": "/service/",
            "Description": "orders function role",
            "MaxSessionDuration": "7200",
            "PermissionsBoundary": boundary,
            "Tags": [{"Key": "team", "Value": "orders"}],
        },
    )
    name = result.physical_id
    assert len(name) <= 64 and "-FnRole-" in name
    assert result.attributes["Arn"] == f"arn:aws:iam::123456789012:role/service/{name}"
    assert result.attributes["RoleId"].startswith("AROA")
    assert prov.verify(req, result) == []

    role = iam.get_role(RoleName=name)["Role"]
    assert role["MaxSessionDuration"] == 7200
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]] == [
        managed
    ]
    assert iam.get_role_policy(RoleName=name, PolicyName="send")["PolicyDocument"] == WRITE  # + Version

    iam.detach_role_policy(RoleName=name, PolicyArn=managed)
    iam.put_role_policy(RoleName=name, PolicyName="send", PolicyDocument=json.dumps(READ))
    iam.update_role(RoleName=name, Description="changed", MaxSessionDuration=3600)
    iam.untag_role(RoleName=name, TagKeys=["team"])
    problems = prov.verify(req, result)
    assert f"ManagedPolicyArns: {managed} is not attached" in problems
    assert any(p.startswith(f"inline policy 'send' of role {name} is") for p in problems)
    assert "Description is 'changed', declared 'orders function role'" in problems
    assert "MaxSessionDuration is 3600, declared 7200" in problems
    assert any("'team' is missing" in p for p in problems)

    iam.attach_role_policy(RoleName=name, PolicyArn=managed)  # delete must detach it again
    assert_deleted(prov, req, result, gone=lambda: _role_gone(iam, name))
    for arn in (managed, boundary):
        iam.delete_policy(PolicyArn=arn)


def test_aws_managed_policy_on_the_embedded_server(make_request: Build, clients: Clients) -> None:
    """The test server loads AWS managed policies (MOTO_IAM_LOAD_MANAGED_POLICIES), as the moto target does."""
    iam = clients("iam")
    prov, req, result = create(
        make_request,
        "SamRole",
        "AWS::IAM::Role",
        {"AssumeRolePolicyDocument": TRUST, "ManagedPolicyArns": [BASIC]},
    )
    attached = iam.list_attached_role_policies(RoleName=result.physical_id)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [BASIC]
    assert iam.get_policy(PolicyArn=BASIC)["Policy"]["PolicyName"] == "AWSLambdaBasicExecutionRole"
    assert prov.verify(req, result) == []
    prov.delete(req, result)
    assert _role_gone(iam, result.physical_id)

    unknown = "arn:aws:iam::aws:policy/service-role/NoSuchPolicyC1"
    bad = make_request(
        "BadRole",
        "AWS::IAM::Role",
        {"RoleName": "c1-bad-role", "AssumeRolePolicyDocument": TRUST, "ManagedPolicyArns": [unknown]},
    )
    with pytest.raises(ProvisionError, match=r"does not know the AWS managed policy .*NoSuchPolicyC1"):
        prov.create(bad)
    iam.delete_role(RoleName="c1-bad-role")


@pytest.fixture
def managed_policies_account(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clients]:
    """Clients of a fresh moto account whose IAM backend loads the AWS managed policies."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    session = boto3.session.Session(
        aws_access_key_id="c1", aws_secret_access_key="c1", region_name="us-east-1"
    )
    iam = session.client("iam", endpoint_url=moto_endpoint)

    def add_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = "210987654321"

    iam.meta.events.register("before-sign.iam.*", add_account)
    iam.get_policy(PolicyArn=BASIC)  # the backend of that account is created now, policies loaded
    yield lambda service: iam


def test_sam_role_attaches_aws_managed_policy(make_request: Build, managed_policies_account: Clients) -> None:
    iam = managed_policies_account("iam")
    prov = provisioner_for("AWS::IAM::Role")
    base = make_request("SamRole", "AWS::IAM::Role", {})
    req = ProvisionRequest(
        logical_id="SamFunctionRole",
        resource_type="AWS::IAM::Role",
        stack_name=base.stack_name,
        properties={"AssumeRolePolicyDocument": TRUST, "ManagedPolicyArns": [BASIC]},
        region="us-east-1",
        account_id="210987654321",
        clients=managed_policies_account,
        tags=base.tags,
    )
    result = prov.create(req)
    assert result.attributes["Arn"].startswith("arn:aws:iam::210987654321:role/")
    assert prov.verify(req, result) == []
    attached = iam.list_attached_role_policies(RoleName=result.physical_id)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [BASIC]
    prov.delete(req, result)
    assert _role_gone(iam, result.physical_id)


def test_inline_policy(make_request: Build, clients: Clients) -> None:
    iam = clients("iam")
    iam.create_role(RoleName="c1-inline-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_user(UserName="c1-inline-user")
    iam.create_group(GroupName="c1-inline-group")
    prov, req, result = create(
        make_request,
        "ReadPolicy",
        "AWS::IAM::Policy",
        {
            "PolicyName": "read",
            "PolicyDocument": READ,
            "Roles": ["c1-inline-role"],
            "Users": ["c1-inline-user"],
            "Groups": ["c1-inline-group"],
        },
    )
    assert result.attributes["Id"] == result.physical_id
    assert prov.verify(req, result) == []
    assert iam.get_user_policy(UserName="c1-inline-user", PolicyName="read")["PolicyDocument"] == READ

    iam.delete_group_policy(GroupName="c1-inline-group", PolicyName="read")
    iam.put_role_policy(RoleName="c1-inline-role", PolicyName="read", PolicyDocument=json.dumps(WRITE))
    problems = prov.verify(req, result)
    assert "inline policy 'read' of group c1-inline-group does not exist" in problems
    assert any(p.startswith("inline policy 'read' of role c1-inline-role is") for p in problems)

    prov.delete(req, result)
    assert iam.list_role_policies(RoleName="c1-inline-role")["PolicyNames"] == []
    assert iam.list_user_policies(UserName="c1-inline-user")["PolicyNames"] == []
    with pytest.raises(ResourceMissing):
        prov.verify(req, result)
    prov.delete(req, result)
    iam.delete_role(RoleName="c1-inline-role")
    iam.delete_user(UserName="c1-inline-user")
    iam.delete_group(GroupName="c1-inline-group")


def test_managed_policy(make_request: Build, clients: Clients) -> None:
    iam = clients("iam")
    iam.create_role(RoleName="c1-managed-role", AssumeRolePolicyDocument=json.dumps(TRUST))
    prov, req, result = create(
        make_request,
        "ReadAll",
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": json.dumps(READ),
            "Roles": ["c1-managed-role"],
            "Description": "read objects",
            "Path": "/app/",
        },
    )
    arn = result.physical_id
    assert arn.startswith("arn:aws:iam::123456789012:policy/app/") and "-ReadAll-" in arn
    assert result.attributes["PolicyArn"] == arn
    assert result.attributes["DefaultVersionId"] == "v1"
    assert result.attributes["AttachmentCount"] == 1
    assert prov.verify(req, result) == []
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Description"] == "read objects"

    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(WRITE), SetAsDefault=True)
    iam.detach_role_policy(RoleName="c1-managed-role", PolicyArn=arn)
    problems = prov.verify(req, result)
    assert any(p.startswith("PolicyDocument is") for p in problems)
    assert "Roles: the policy is not attached to c1-managed-role" in problems

    iam.attach_role_policy(RoleName="c1-managed-role", PolicyArn=arn)
    prov.delete(req, result)  # detaches and removes the extra version first
    with pytest.raises(ClientError):
        iam.get_policy(PolicyArn=arn)
    assert iam.list_attached_role_policies(RoleName="c1-managed-role")["AttachedPolicies"] == []
    with pytest.raises(ResourceMissing):
        prov.verify(req, result)
    prov.delete(req, result)
    iam.delete_role(RoleName="c1-managed-role")
