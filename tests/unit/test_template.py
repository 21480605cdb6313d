"""Template loading: YAML short tags, JSON, line numbers, structure errors and local code folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.deploy.template import load_template, parse_template
from pytest_infra_parity.errors import TemplateError

TEMPLATES = Path(__file__).parent / "templates"


def parse(text: str, **kwargs: object) -> object:
    return parse_template(text, path=Path("t.yaml"), base_dir=TEMPLATES, **kwargs)  # type: ignore[arg-type]


def test_yaml_short_tags_become_long_form_with_lines() -> None:
    t = load_template(TEMPLATES / "basic.yaml")
    assert t.path == TEMPLATES / "basic.yaml"
    assert t.description.startswith("Parameters, mappings")
    assert t.source["AWSTemplateFormatVersion"] == "2010-09-09"  # an unquoted date stays text
    bucket = t.resources["Bucket"]
    assert bucket.resource_type == "AWS::S3::Bucket"
    assert bucket.line == 29
    assert bucket.properties["BucketName"] == {"Fn::Sub": "${AWS::StackName}-${Env}-${AWS::Region}"}
    assert bucket.properties["BucketEncryption"]["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    queue = t.resources["Queue"].properties
    assert queue["Tags"][0]["Value"] == {"Fn::GetAtt": ["Bucket", "Arn"]}
    assert queue["QueueName"]["Fn::Join"][1][1] == {"Fn::Select": [1, {"Ref": "Subnets"}]}
    assert t.outputs["BucketArn"].value == {"Fn::GetAtt": ["Bucket", "Arn"]}
    assert t.outputs["BucketArn"].export_name == {"Fn::Sub": "${AWS::StackName}-BucketArn"}
    assert t.outputs["KeyArn"].condition == "IsProd"
    assert t.resources["Key"].condition == "IsProd"
    assert t.resources["Logs"].depends_on == ("Bucket",)
    assert t.conditions["NotProd"] == {"Fn::Not": [{"Condition": "IsProd"}]}
    assert t.mappings["EnvMap"]["prod"] == {"Retention": 30}
    assert not t.is_sam


def test_resources_keep_template_order() -> None:
    t = load_template(TEMPLATES / "basic.yaml")
    assert list(t.resources) == ["Key", "Bucket", "Logs", "Queue"]


def test_parameters_are_declared() -> None:
    t = load_template(TEMPLATES / "basic.yaml")
    env = t.parameters["Env"]
    assert (env.type, env.default, env.allowed_values) == ("String", "dev", ("dev", "prod"))
    size = t.parameters["Size"]
    assert (size.type, size.min_value, size.max_value) == ("Number", 1.0, 10.0)
    assert t.lines["Parameters.Size"] == 8


def test_json_template() -> None:
    t = load_template(TEMPLATES / "basic.json")
    assert t.resources["Topic"].properties == {"TopicName": {"Fn::GetAtt": ["Queue", "QueueName"]}}
    assert t.resources["Topic"].line == 5
    assert t.parameters["Name"].default == "q"


def test_malformed_yaml_names_line_and_column() -> None:
    with pytest.raises(TemplateError) as info:
        load_template(TEMPLATES / "malformed.yaml")
    err = info.value
    assert err.path == TEMPLATES / "malformed.yaml"
    assert err.line == 6
    assert "malformed template" in err.message
    assert "line 6, column" in err.message
    assert str(err).startswith(f"{TEMPLATES / 'malformed.yaml'}:6: ")


def test_malformed_json_names_the_line() -> None:
    with pytest.raises(TemplateError) as info:
        parse('{\n\t"Resources": {\n\t\t"A": {"Type": "AWS::SQS::Queue" "Properties": {}}\n\t}\n}\n')
    assert info.value.line == 3


def test_duplicate_keys_are_an_error() -> None:
    with pytest.raises(TemplateError, match="Duplicate found 'A'"):
        parse("Resources:\n  A:\n    Type: AWS::SQS::Queue\n  A:\n    Type: AWS::SNS::Topic\n")


def test_missing_file() -> None:
    with pytest.raises(TemplateError, match="not found"):
        load_template(TEMPLATES / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("Description: nothing\n", "no Resources", None),
        ("Resources: {}\n", "no Resources", 1),
        ("Resources:\n  A:\n    Properties: {}\n", "resource A has no Type", 2),
        ("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: [1]\n", "must be a mapping", 2),
        ("Resources:\n  A: text\n", "resource A must be a mapping", 2),
        ("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Propertys: {}\n", "attribute(s) Propertys", 2),
        ("Resource:\n  A:\n    Type: AWS::SQS::Queue\n", "unknown top-level section 'Resource'", 1),
        ("- a\n- b\n", "must be a mapping", 1),
    ],
)
def test_structure_errors(text: str, message: str, line: int | None) -> None:
    with pytest.raises(TemplateError) as info:
        parse(text)
    assert message in info.value.message
    assert info.value.line == line
    assert info.value.path == Path("t.yaml")


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ("    DependsOn: {a: b}\n", "DependsOn must be a logical id or a list"),
        ("    Condition: Nope\n", "Condition 'Nope' is not declared in Conditions"),
        ("    DeletionPolicy: Keep\n", "DeletionPolicy 'Keep' is not one of"),
    ],
)
def test_resource_attribute_errors(attrs: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message) as info:
        parse("Resources:\n  A:\n    Type: AWS::SQS::Queue\n" + attrs)
    assert "resource A" in info.value.message
    assert info.value.line == 2


def test_parameter_and_output_errors() -> None:
    with pytest.raises(TemplateError, match="parameter P has no Type") as info:
        parse("Parameters:\n  P: {Default: x}\nResources:\n  A: {Type: AWS::SQS::Queue}\n")
    assert info.value.line == 2
    with pytest.raises(TemplateError, match="parameter P: unknown Type 'Strin'"):
        parse("Parameters:\n  P: {Type: Strin}\nResources:\n  A: {Type: AWS::SQS::Queue}\n")
    with pytest.raises(TemplateError, match="output O has no Value"):
        parse("Resources:\n  A: {Type: AWS::SQS::Queue}\nOutputs:\n  O: {Description: x}\n")


def test_unsupported_transform() -> None:
    with pytest.raises(TemplateError, match="unsupported Transform 'AWS::Include'") as info:
        parse("Transform: AWS::Include\nResources:\n  A: {Type: AWS::SQS::Queue}\n")
    assert info.value.line == 1


def test_serverless_type_needs_the_sam_transform() -> None:
    with pytest.raises(TemplateError, match="A: AWS::Serverless::Function needs 'Transform: AWS::Serverless"):
        parse("Resources:\n  A: {Type: AWS::Serverless::Function}\n")


def test_language_extensions_transform_is_kept() -> None:
    t = parse("Transform: AWS::LanguageExtensions\nResources:\n  A: {Type: AWS::SQS::Queue}\n")
    assert t.transforms == ("AWS::LanguageExtensions",)  # type: ignore[attr-defined]


def test_local_lambda_code_becomes_local_path() -> None:
    t = load_template(TEMPLATES / "lambda_local" / "template.yaml")
    src = str((TEMPLATES / "lambda_local" / "src").resolve())
    assert t.resources["Fn"].properties["Code"] == {"LocalPath": src}
    assert t.resources["Layer"].properties["Content"] == {"LocalPath": src}
    assert t.body["Resources"]["Fn"]["Properties"]["Code"] == {"LocalPath": src}
    assert t.resources["Inline"].properties["Code"] == {"ZipFile": "def handler(e, c): return 1"}
    assert t.source["Resources"]["Fn"]["Properties"]["Code"] == "./src"  # the source is kept as written


def test_missing_local_code_folder_names_resource_and_path(tmp_path: Path) -> None:
    text = (
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
        "    Properties: {Runtime: python3.12, Handler: a.b, Role: r, Code: missing/dir}\n"
    )
    (tmp_path / "t.yaml").write_text(text)
    with pytest.raises(TemplateError) as info:
        load_template(tmp_path / "t.yaml")
    assert "Fn.Code" in info.value.message
    assert "'missing/dir' does not exist" in info.value.message
    assert info.value.line == 2


def test_s3_code_is_left_alone() -> None:
    t = parse(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::LayerVersion\n"
        "    Properties: {Content: {S3Bucket: b, S3Key: k}}\n"
    )
    assert t.resources["Fn"].properties["Content"] == {"S3Bucket": "b", "S3Key": "k"}  # type: ignore[attr-defined]
