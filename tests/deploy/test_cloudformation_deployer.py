"""The aws target deploys through real CloudFormation; moto's CloudFormation stands in for the account."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.deploy.cloudformation import CloudFormationDeployer
from pytest_infra_parity.deploy.session import make_deployer
from pytest_infra_parity.deploy.template import load_template
from pytest_infra_parity.targets.aws import AwsTarget

TEMPLATE = """
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "ipp-cfn-${Stage}-bucket"
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "ipp-cfn-${Stage}-queue"
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt Role.Arn
      Code: handler
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]
Outputs:
  QueueUrl: {Value: !Ref Queue}
"""


@pytest.fixture
def template_path(tmp_path: Path) -> Path:
    (tmp_path / "handler").mkdir()
    (tmp_path / "handler" / "app.py").write_text("def handler(event, context):\n    return 'ok'\n")
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return path


def test_aws_target_deploys_with_cloudformation(aws_on_moto: str, template_path: Path) -> None:
    target = AwsTarget("us-east-1", None, ("123456789012",))
    deployer = make_deployer(target, "cfn-run")
    assert isinstance(deployer, CloudFormationDeployer)
    deployer._delay = 1  # moto completes stacks at once
    stack = deployer.deploy(load_template(template_path), "ipp-cfn-test", {"Stage": "qa"})
    cfn = target.client("cloudformation")
    described = cfn.describe_stacks(StackName="ipp-cfn-test")["Stacks"][0]
    tags = {t["Key"]: t["Value"] for t in described["Tags"]}
    assert tags == {"infra-parity:stack": "ipp-cfn-test", "infra-parity:run": "cfn-run"}
    assert stack.outputs["QueueUrl"].endswith("/ipp-cfn-qa-queue")
    assert set(stack.resources) == {"Bucket", "Queue", "Fn", "Role"}
    code = target.client("lambda").get_function(FunctionName=stack.physical_id("Fn"))["Code"]
    assert code["RepositoryType"] == "S3"
    artifacts = target.client("s3").list_objects_v2(Bucket=deployer.artifact_bucket)["Contents"]
    assert all(o["Key"].startswith("code/") for o in artifacts)
    assert deployer.verify(stack) == {}
    assert deployer.teardown(stack) == []
    names = [s["StackName"] for s in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]]
    assert "ipp-cfn-test" not in names


def test_sweep_deletes_stacks_a_killed_run_left_on_aws(aws_on_moto: str, template_path: Path) -> None:
    from pytest_infra_parity.deploy.sweep import plan_stacks, sweep

    target = AwsTarget("us-east-1", None, ("123456789012",))
    deployer = make_deployer(target, "cfn-killed")
    assert isinstance(deployer, CloudFormationDeployer)
    deployer._delay = 1
    deployer.deploy(load_template(template_path), "ipp-cfn-killed", {"Stage": "killed"})
    assert plan_stacks(target.client, run_id="other-run") == []
    assert plan_stacks(target.client, run_id="cfn-killed") == ["ipp-cfn-killed"]
    report = sweep(target.client, "123456789012", run_id="cfn-killed")
    assert report.failed == [] and report.deleted == ["ipp-cfn-killed (CloudFormation stack)"]
    assert plan_stacks(target.client, run_id="cfn-killed") == []


def test_create_failure_is_one_error_naming_the_stack(aws_on_moto: str, template_path: Path) -> None:
    from pytest_infra_parity.errors import DeployError

    target = AwsTarget("us-east-1", None, ("123456789012",))
    deployer = make_deployer(target, "cfn-twice")
    deployer._delay = 1  # type: ignore[attr-defined]
    stack = deployer.deploy(load_template(template_path), "ipp-cfn-twice", {"Stage": "twice"})
    with pytest.raises(DeployError, match=r"stack ipp-cfn-twice could not be created: .*AlreadyExists"):
        deployer.deploy(load_template(template_path), "ipp-cfn-twice", {"Stage": "twice"})
    assert deployer.teardown(stack) == []
