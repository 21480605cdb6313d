"""Designs and deployments through the plugin: good paths and every bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


def test_user_design_deploys_and_is_torn_down(pytester: pytest.Pytester, small_design: Path) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture(scope="module")
        def stack(infra_deploy):
            return infra_deploy("small")

        def test_outputs_and_ids(stack, infra_client):
            assert stack.outputs["QueueUrl"] == stack.physical_id("Queue")
            attrs = infra_client("sqs").get_queue_attributes(
                QueueUrl=stack.output("QueueUrl"), AttributeNames=["KmsMasterKeyId"])["Attributes"]
            assert attrs["KmsMasterKeyId"] == stack.physical_id("Key")
            tags = infra_client("sqs").list_queue_tags(QueueUrl=stack.output("QueueUrl"))["Tags"]
            assert tags["Env"] == "dev"
            assert tags["infra-parity:stack"] == stack.name

        def test_same_design_is_deployed_once(stack, infra_deploy):
            assert infra_deploy("small") is stack

        def test_parameters_give_another_stack(stack, infra_deploy, infra_client):
            prod = infra_deploy("small", Stage="prod")
            assert prod.name != stack.name
            tags = infra_client("sqs").list_queue_tags(QueueUrl=prod.output("QueueUrl"))["Tags"]
            assert tags["Env"] == "prod"
        """
    )
    pytester.makeconftest(
        """
        import pytest
        LEFT = []

        def pytest_infra_parity_before_teardown(stack, target):
            LEFT.append(target.client("sqs").list_queues().get("QueueUrls", []))

        def pytest_sessionfinish(session):
            from pytest_infra_parity.session_plugin import RUNTIME_KEY
            runtime = session.config.stash[RUNTIME_KEY]
            remaining = runtime.target.client("sqs").list_queues().get("QueueUrls", [])
            mine = [u for u in remaining if runtime.settings.run_id in u]
            print("REMAINING", len(mine), "BEFORE", len([u for u in LEFT[-1] if runtime.settings.run_id in u]))
        """
    )
    result = pytester.runpytest("--infra-design-path=designs", "-s")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*REMAINING 0 BEFORE 2*"])


def test_unknown_design_names_the_known_ones(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(infra_deploy):\n    infra_deploy('nope')\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*unknown design 'nope'; known designs: cityguided, *dashborion, huntaze-skeleton,"
                                 "*lego-api, photoeditor*"])
    assert "Traceback" not in result.stdout.str()


def test_malformed_design_yaml_names_file_and_line(pytester: pytest.Pytester, small_design: Path) -> None:
    (small_design / "design.yaml").write_text("name: small\nparameters: {Stage: dev\n")
    pytester.makepyfile("def test_x(infra_deploy):\n    infra_deploy('small')\n")
    result = pytester.runpytest("--infra-design-path=designs")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{small_design / 'design.yaml'}:*: malformed YAML*"])


def test_malformed_template_names_file_and_line(pytester: pytest.Pytester, small_design: Path) -> None:
    (small_design / "template.yaml").write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n   bad: [\n")
    pytester.makepyfile("def test_x(infra_deploy):\n    infra_deploy('small')\n")
    result = pytester.runpytest("--infra-design-path=designs")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{small_design / 'template.yaml'}:*"])
    assert "Traceback" not in result.stdout.str()


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("  Mail:\n    Type: AWS::SES::ConfigurationSet\n    Properties: {Name: x}\n",
         "*Mail: resource type AWS::SES::ConfigurationSet is not supported by the applier*"),
        ("  Net:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: vpc-12345678, CidrBlock: 10.0.0.0/24,"
         " Ipv6CidrBlock: 2001:db8::/64}\n",
         "*Net (AWS::EC2::Subnet): property Ipv6CidrBlock is not supported*"),
        ("  Odd:\n    Type: AWS::SQS::Queue\n    Properties: {Colour: blue}\n",
         "*template.yaml:24: E3002 Additional properties are not allowed ('Colour' was unexpected)"),
    ],
)
def test_unsupported_type_or_property_is_refused_before_anything_is_created(
    pytester: pytest.Pytester, small_design: Path, resource: str, message: str
) -> None:
    template = small_design / "template.yaml"
    template.write_text(template.read_text().replace("Outputs:", resource + "Outputs:"))
    pytester.makepyfile(
        """
        def test_x(infra_deploy, infra_client):
            try:
                infra_deploy('small')
            finally:
                assert infra_client("kms").list_aliases().get("Aliases") is not None
                assert not [u for u in infra_client("sqs").list_queues().get("QueueUrls", []) if "small" in u]
        """
    )
    result = pytester.runpytest("--infra-design-path=designs")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([message])


def test_failed_deployment_rolls_back_what_it_created(pytester: pytest.Pytester, small_design: Path) -> None:
    template = small_design / "template.yaml"
    # A key that does not exist: valid for cfn-lint, refused by the target after the queue was created.
    bad = ("  Alias:\n    Type: AWS::KMS::Alias\n    DependsOn: Queue\n"
           "    Properties: {AliasName: alias/small, TargetKeyId: 11111111-2222-3333-4444-555555555555}\n")
    template.write_text(template.read_text().replace("Outputs:", bad + "Outputs:"))
    pytester.makepyfile(
        """
        import pytest

        def test_x(infra_deploy, infra_client):
            with pytest.raises(pytest.fail.Exception, match="Alias .AWS::KMS::Alias. could not be created"):
                infra_deploy('small')
            queues = [u for u in infra_client("sqs").list_queues().get("QueueUrls", []) if "small" in u]
            assert queues == []
        """
    )
    pytester.runpytest("--infra-design-path=designs").assert_outcomes(passed=1)


def test_template_path_is_a_design(pytester: pytest.Pytester, small_design: Path) -> None:
    pytester.makepyfile(textwrap.dedent(
        """
        def test_x(infra_deploy):
            stack = infra_deploy("designs/small/template.yaml")
            assert set(stack.resources) == {"Key", "Queue"}
            assert stack.design == "small"
        """
    ))
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("usage: [1, 2]\n", "*'usage' must be a mapping, got list*"),
        ("criteria: one sentence\n", "*'criteria' must be a list of sentences, got str*"),
        ("prerequisites: {secrets: [a]}\n", "*'prerequisites.secrets' must be a mapping, got list*"),
    ],
)
def test_design_yaml_shapes_are_checked(pytester: pytest.Pytester, small_design: Path, extra: str,
                                        message: str) -> None:
    meta = small_design / "design.yaml"
    meta.write_text(meta.read_text() + extra)
    pytester.makepyfile("def test_x(infra_deploy):\n    infra_deploy('small')\n")
    result = pytester.runpytest("--infra-design-path=designs")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([message])
    assert "Traceback" not in result.stdout.str()


def test_prerequisite_secret_owned_by_someone_else_is_not_overwritten(pytester: pytest.Pytester,
                                                                       small_design: Path) -> None:
    meta = small_design / "design.yaml"
    meta.write_text(meta.read_text() + "prerequisites:\n  secrets:\n    team/db: {password: example}\n")
    pytester.makepyfile(
        """
        import pytest

        def test_x(infra_deploy, infra_client):
            sm = infra_client("secretsmanager")
            sm.create_secret(Name="team/db", SecretString="theirs")
            with pytest.raises(pytest.fail.Exception, match="already exists and was not created by infra-parity"):
                infra_deploy("small")
            assert sm.get_secret_value(SecretId="team/db")["SecretString"] == "theirs"
            sm.delete_secret(SecretId="team/db", ForceDeleteWithoutRecovery=True)
        """
    )
    pytester.runpytest("--infra-design-path=designs").assert_outcomes(passed=1)
