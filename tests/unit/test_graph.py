"""Creation / deletion order: stable topological order, missing or disabled references, cycles."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.deploy.graph import creation_order, deletion_order, dependency_split
from pytest_infra_parity.deploy.template import Template, load_template, parse_template
from pytest_infra_parity.errors import TemplateError

TEMPLATES = Path(__file__).parent / "templates"


def parse(text: str) -> Template:
    return parse_template(text, path=Path("t.yaml"), base_dir=TEMPLATES)


def test_order_follows_references_and_depends_on() -> None:
    t = load_template(TEMPLATES / "basic.yaml")
    everything = set(t.resources)
    assert creation_order(t, everything) == ["Key", "Bucket", "Logs", "Queue"]
    assert deletion_order(t, everything) == ["Queue", "Logs", "Bucket", "Key"]


def test_independent_resources_keep_template_order() -> None:
    t = parse(
        "Resources:\n"
        "  Z: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt Y.QueueName}}\n"
        "  A: {Type: AWS::SQS::Queue}\n"
        "  Y: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub '${B}-y'}}\n"
        "  B: {Type: AWS::SQS::Queue}\n"
        "  C: {Type: AWS::SQS::Queue, DependsOn: [A]}\n"
    )
    assert creation_order(t, set(t.resources)) == ["A", "B", "Y", "Z", "C"]


def test_disabled_resource_referenced_only_in_an_if_branch_is_skipped() -> None:
    t = load_template(TEMPLATES / "basic.yaml")
    enabled = set(t.resources) - {"Key"}  # dev: the KMS key's condition is false
    assert creation_order(t, enabled) == ["Bucket", "Logs", "Queue"]


def test_reference_to_disabled_resource_outside_if_is_an_error() -> None:
    t = parse(
        "Conditions:\n  Never: !Equals [a, b]\n"
        "Resources:\n  Key: {Type: AWS::KMS::Key, Condition: Never}\n"
        "  Alias:\n    Type: AWS::KMS::Alias\n    Properties: {AliasName: alias/x, TargetKeyId: !Ref Key}\n"
    )
    with pytest.raises(TemplateError) as info:
        creation_order(t, {"Alias"})
    assert info.value.message == "Alias references Key, which is not created (condition Never is false)"
    assert info.value.line == 5


def test_missing_reference_names_both() -> None:
    t = parse("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt Ghost.N}\n")
    with pytest.raises(TemplateError, match="A references 'Ghost', which is not a resource of") as info:
        creation_order(t, {"A"})
    assert info.value.line == 2
    t = parse("Resources:\n  A: {Type: AWS::SQS::Queue, DependsOn: Ghost}\n")
    with pytest.raises(TemplateError, match="A DependsOn 'Ghost'"):
        creation_order(t, {"A"})


def test_parameters_and_pseudo_parameters_are_not_dependencies() -> None:
    t = parse(
        "Parameters:\n  P: {Type: String, Default: x}\n"
        "Resources:\n  A:\n    Type: AWS::SQS::Queue\n"
        "    Properties: {QueueName: !Sub '${P}-${AWS::Region}-${!Lit}', Tags: [{Key: k, Value: !Ref P}]}\n"
    )
    assert creation_order(t, {"A"}) == ["A"]


def test_cycle_is_named() -> None:
    t = load_template(TEMPLATES / "cycle.yaml")
    with pytest.raises(TemplateError) as info:
        creation_order(t, set(t.resources))
    assert info.value.message == "circular dependency: A -> C -> B -> A"
    assert info.value.line == 2
    assert info.value.path == TEMPLATES / "cycle.yaml"


def test_self_reference_in_seed_004_is_a_cycle() -> None:
    # Globals give every function CANDIDATE_FN_ARN: !GetAtt PrismaReadFn.Arn, PrismaReadFn included.
    t = load_template(TEMPLATES / "sam_seed004" / "template.yaml")
    with pytest.raises(TemplateError, match="circular dependency: PrismaReadFn -> PrismaReadFn"):
        creation_order(t, set(t.resources))


def test_seed_004_order_without_the_self_reference() -> None:
    t = load_template(TEMPLATES / "sam_seed004" / "template.yaml")
    variables = t.resources["PrismaReadFn"].properties["Environment"]["Variables"]
    del variables["CANDIDATE_FN_ARN"]
    order = creation_order(t, set(t.resources))
    assert order.index("PrismaReadFnRole") < order.index("PrismaReadFn") < order.index("MockReadFn")
    assert order.index("MockReadFnDeploymentGroup") < order.index("MockReadFnAliaslive")  # via UpdatePolicy
    assert order.index("ErrorRateAlarm") < order.index("MockReadFnDeploymentGroup")
    assert order.index("CodeDeployServiceRole") < order.index("MockReadFnDeploymentGroup")
    assert order.index("MockReadFn") < order.index("ErrorRateAlarm")


def test_condition_callable_prunes_branches() -> None:
    t = parse(
        "Conditions:\n  C: !Equals [a, a]\n"
        "Resources:\n  A: {Type: AWS::SQS::Queue}\n  B: {Type: AWS::SQS::Queue}\n"
        "  D:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !If [C, !GetAtt B.QueueName, !Ref A]}\n"
    )
    value = t.resources["D"].properties
    assert dependency_split(value, t) == (set(), {"A", "B"})
    assert dependency_split(value, t, condition=lambda name: True) == ({"B"}, set())
    assert creation_order(t, set(t.resources), condition=lambda name: False) == ["A", "B", "D"]
