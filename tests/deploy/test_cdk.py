"""A CDK synth output (cdk.out) deploys on moto: assets, CDK metadata, bootstrap version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_infra_parity.deploy.session import Deployments
from pytest_infra_parity.designs import resolve_design
from pytest_infra_parity.targets.moto import MotoTarget

ASSET = "asset.3f1d0c2b9a"
SYNTH = {
    "Resources": {
        "HandlerServiceRoleFCDC14AE": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                            "Principal": {"Service": "lambda.amazonaws.com"}}],
                                             "Version": "2012-10-17"},
                "ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                                         ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]]}],
            },
            "Metadata": {"aws:cdk:path": "Demo/Handler/ServiceRole/Resource"},
        },
        "Handler886CB40B": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": {"S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                         "S3Key": "3f1d0c2b9a.zip"},
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["HandlerServiceRoleFCDC14AE", "Arn"]},
                "Runtime": "python3.12",
            },
            "DependsOn": ["HandlerServiceRoleFCDC14AE"],
            "Metadata": {"aws:cdk:path": "Demo/Handler/Resource", "aws:asset:path": ASSET,
                         "aws:asset:is-bundled": False, "aws:asset:property": "Code"},
        },
        "CDKMetadata": {
            "Type": "AWS::CDK::Metadata",
            "Properties": {"Analytics": "v2:deflate64:H4sIAAAAAAAA"},
            "Metadata": {"aws:cdk:path": "Demo/CDKMetadata/Default"},
        },
    },
    "Parameters": {
        "BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>",
                             "Default": "/cdk-bootstrap/hnb659fds/version",
                             "Description": "Version of the CDK Bootstrap resources in this environment"},
    },
    "Rules": {
        "CheckBootstrapVersion": {
            "Assertions": [{"Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"],
                                                                      {"Ref": "BootstrapVersion"}]}]},
                            "AssertDescription": "CDK bootstrap stack version 6 required."}],
        },
    },
    "Outputs": {"HandlerName": {"Value": {"Ref": "Handler886CB40B"}}},
}


@pytest.fixture
def cdk_out(tmp_path: Path) -> Path:
    out = tmp_path / "cdk.out"
    (out / ASSET).mkdir(parents=True)
    (out / ASSET / "index.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    (out / "Demo.template.json").write_text(json.dumps(SYNTH, indent=1))
    return out


@pytest.fixture(scope="module")
def target() -> Iterator[MotoTarget]:
    moto = MotoTarget("us-east-1", account_id="222222222222")
    moto.start()
    yield moto
    moto.stop()


def test_cdk_synth_folder_is_a_design(cdk_out: Path, target: MotoTarget) -> None:
    design = resolve_design(cdk_out)
    assert design.name == "cdk.out" and design.template_path.name == "Demo.template.json"
    deployments = Deployments(target, "cdk-run")
    stack = deployments.deploy(design)
    assert set(stack.resources) == {"HandlerServiceRoleFCDC14AE", "Handler886CB40B"}
    assert stack.skipped == {"CDKMetadata": "CDK metadata: creates nothing"}
    assert deployments.verify(stack) == {}
    function = target.client("lambda").get_function(FunctionName=stack.output("HandlerName"))
    assert function["Configuration"]["CodeSize"] > 0
    ssm = target.client("ssm")
    assert ssm.get_parameter(Name="/cdk-bootstrap/hnb659fds/version")["Parameter"]["Value"] == "21"
    assert deployments.teardown_all() == []
    with pytest.raises(ssm.exceptions.ParameterNotFound):
        ssm.get_parameter(Name="/cdk-bootstrap/hnb659fds/version")
