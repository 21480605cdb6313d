"""Offline SAM transform: seed 004 (AppConfig, canary alias with CodeDeploy), local code, policies, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from pytest_infra_parity.deploy.sam import OfflinePolicyLoader, partition_of
from pytest_infra_parity.deploy.template import Template, load_template, parse_template
from pytest_infra_parity.errors import TemplateError

TEMPLATES = Path(__file__).parent / "templates"
SEED = TEMPLATES / "sam_seed004" / "template.yaml"


@pytest.fixture(scope="module")
def seed() -> Template:
    return load_template(SEED)


def of_type(t: Template, resource_type: str) -> dict[str, Any]:
    return {lid: d for lid, d in t.resources.items() if d.resource_type == resource_type}


def test_seed_is_transformed(seed: Template) -> None:
    assert seed.is_sam
    assert "Transform" not in seed.body
    assert seed.source["Resources"]["MockReadFn"]["Type"] == "AWS::Serverless::Function"
    assert not of_type(seed, "AWS::Serverless::Function")
    assert set(of_type(seed, "AWS::Lambda::Function")) == {"MockReadFn", "PrismaReadFn", "CleanupFn"}
    for lid in ("AppConfigApp", "AppConfigEnv", "AppConfigProfile", "AppConfigDeploymentStrategy",
                "ErrorRateAlarm", "CleanupSchedule"):
        assert lid in seed.resources
    assert seed.resources["ErrorRateAlarm"].line == seed.lines["Resources.ErrorRateAlarm"]


def test_seed_auto_publish_alias_and_version(seed: Template) -> None:
    (version_id, version), = of_type(seed, "AWS::Lambda::Version").items()
    assert version_id.startswith("MockReadFnVersion")
    assert version.properties == {"FunctionName": {"Ref": "MockReadFn"}}
    assert version.deletion_policy == "Retain"
    alias = seed.resources["MockReadFnAliaslive"]
    assert alias.resource_type == "AWS::Lambda::Alias"
    assert alias.properties["Name"] == "live"
    assert alias.properties["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    assert alias.update_policy == {
        "CodeDeployLambdaAliasUpdate": {
            "ApplicationName": {"Ref": "ServerlessDeploymentApplication"},
            "DeploymentGroupName": {"Ref": "MockReadFnDeploymentGroup"},
        }
    }
    assert alias.line == seed.lines["Resources.MockReadFn"]  # generated resources point at their SAM resource


def test_seed_codedeploy_resources(seed: Template) -> None:
    assert set(of_type(seed, "AWS::CodeDeploy::Application")) == {"ServerlessDeploymentApplication"}
    group = seed.resources["MockReadFnDeploymentGroup"]
    assert group.resource_type == "AWS::CodeDeploy::DeploymentGroup"
    props = group.properties
    assert props["ApplicationName"] == {"Ref": "ServerlessDeploymentApplication"}
    assert props["AlarmConfiguration"]["Alarms"] == [{"Name": {"Ref": "ErrorRateAlarm"}}]
    assert props["DeploymentConfigName"] == {
        "Fn::Sub": ["CodeDeployDefault.Lambda${ConfigName}", {"ConfigName": "Canary10Percent5Minutes"}]
    }
    assert props["ServiceRoleArn"] == {"Fn::GetAtt": ["CodeDeployServiceRole", "Arn"]}
    role = seed.resources["CodeDeployServiceRole"].properties
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda"]


def test_seed_local_code_is_mapped_back(seed: Template) -> None:
    src = str((SEED.parent / "src").resolve())
    for lid in ("MockReadFn", "PrismaReadFn", "CleanupFn"):
        assert seed.resources[lid].properties["Code"] == {"LocalPath": src}
        assert seed.body["Resources"][lid]["Properties"]["Code"] == {"LocalPath": src}
    assert seed.source["Resources"]["MockReadFn"]["Properties"]["CodeUri"] == "src/"


def test_seed_globals_tracing_and_policies(seed: Template) -> None:
    cleanup = seed.resources["CleanupFn"].properties
    assert cleanup["TracingConfig"] == {"Mode": "Active"}
    assert (cleanup["Runtime"], cleanup["Timeout"]) == ("nodejs20.x", 30)
    variables = cleanup["Environment"]["Variables"]
    assert variables["APP_ID"] == {"Ref": "AppConfigApp"}  # its own and the Globals' variables, merged
    assert variables["DATABASE_URL"] == {
        "Fn::Sub": "{{resolve:secretsmanager:huntaze/database:SecretString:DATABASE_URL}}"
    }
    role = seed.resources["MockReadFnRole"].properties
    assert "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess" in role["ManagedPolicyArns"]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[1]["Resource"] == {"Fn::GetAtt": ["PrismaReadFn", "Arn"]}


def test_transform_makes_no_aws_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the SAM transform must not call AWS")

    monkeypatch.setattr(boto3.session.Session, "client", refuse)
    t = load_template(SEED)
    assert "MockReadFnDeploymentGroup" in t.resources


def sam(props: str, tmp_path: Path, extra: str = "") -> Template:
    (tmp_path / "code").mkdir(exist_ok=True)
    text = (
        f"Transform: AWS::Serverless-2016-10-31\n{extra}Resources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n"
        f"    Properties:\n      Runtime: python3.12\n      Handler: a.b\n{props}"
    )
    return parse_template(text, path=tmp_path / "t.yaml", base_dir=tmp_path)


def test_globals_code_uri_and_layer(tmp_path: Path) -> None:
    (tmp_path / "layer").mkdir()
    t = sam(
        "  Layer:\n    Type: AWS::Serverless::LayerVersion\n    Properties: {ContentUri: layer}\n",
        tmp_path,
        extra="Globals:\n  Function:\n    CodeUri: code\n",
    )
    assert t.resources["Fn"].properties["Code"] == {"LocalPath": str((tmp_path / "code").resolve())}
    (layer_id,) = [lid for lid, d in t.resources.items() if d.resource_type == "AWS::Lambda::LayerVersion"]
    assert layer_id.startswith("Layer")
    assert t.resources[layer_id].properties["Content"] == {"LocalPath": str((tmp_path / "layer").resolve())}


def test_s3_code_uri_is_left_alone(tmp_path: Path) -> None:
    t = sam("      CodeUri: s3://bucket/key.zip\n", tmp_path)
    assert t.resources["Fn"].properties["Code"] == {"S3Bucket": "bucket", "S3Key": "key.zip"}


def test_schedule_event_and_policy_template(tmp_path: Path) -> None:
    t = sam(
        "      CodeUri: code\n      Policies: [{SQSPollerPolicy: {QueueName: q}}]\n"
        "      Events:\n        Tick: {Type: Schedule, Properties: {Schedule: rate(1 minute)}}\n",
        tmp_path,
    )
    assert t.resources["FnTick"].resource_type == "AWS::Events::Rule"
    assert t.resources["FnTickPermission"].resource_type == "AWS::Lambda::Permission"


def test_missing_code_uri_folder(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as info:
        sam("      CodeUri: nowhere/\n", tmp_path)
    assert "Fn.CodeUri" in info.value.message
    assert "'nowhere/' does not exist" in info.value.message
    assert info.value.line == 3


def test_unknown_managed_policy(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as info:
        sam("      CodeUri: code\n      Policies: [AWSLambdaExecute, NoSuchPolicy]\n", tmp_path)
    assert "Fn.Policies[1]: unknown AWS managed policy 'NoSuchPolicy'" in info.value.message
    assert info.value.line == 3


def test_invalid_sam_document_lists_causes(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as info:
        sam("      CodeUri: code\n      Events:\n        E: {Type: Bogus}\n", tmp_path)
    message = info.value.message
    assert message.startswith("SAM transform failed (1 error(s)):")
    assert "Resource with id [Fn] is invalid. Event with id [E] is invalid." in message
    assert info.value.line == 3
    assert info.value.path == tmp_path / "t.yaml"


def test_offline_policy_loader() -> None:
    loader = OfflinePolicyLoader()
    assert loader.arn("AWSXRayDaemonWriteAccess") == "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
    assert loader.arn("AWSLambdaBasicExecutionRole").endswith("service-role/AWSLambdaBasicExecutionRole")
    assert loader.arn("arn:aws:iam::123456789012:policy/Mine") == "arn:aws:iam::123456789012:policy/Mine"
    assert len(loader.load()) > 500
    with pytest.raises(TemplateError, match="unknown AWS managed policy 'Nope'"):
        loader.arn("Nope")
    assert (partition_of("eu-west-1"), partition_of("cn-north-1"), partition_of("us-gov-west-1")) == (
        "aws", "aws-cn", "aws-us-gov",
    )
