"""Intrinsic functions, parameters and conditions, resolved against a fake deployment context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.deploy.intrinsics import Resolver, references, resource_dependencies
from pytest_infra_parity.deploy.template import Template, load_template, parse_template
from pytest_infra_parity.errors import TemplateError

TEMPLATES = Path(__file__).parent / "templates"


class FakeContext:
    region = "eu-west-1"
    account_id = "111122223333"
    stack_name = "st"
    stack_id = "arn:aws:cloudformation:eu-west-1:111122223333:stack/st/1"
    partition = "aws"
    url_suffix = "amazonaws.com"
    notification_arns: list[str] = []

    def __init__(self) -> None:
        self.ssm = {"/app/name": "from-ssm", "/app/list": "x,y"}
        self.exports = {"shared-vpc": "vpc-123"}

    def ref(self, logical_id: str) -> Any:
        return f"phys-{logical_id}"

    def get_att(self, logical_id: str, attribute: str) -> Any:
        return f"arn:{logical_id}:{attribute}"

    def azs(self, region: str) -> list[str]:
        return [f"{region}a", f"{region}b"]

    def import_value(self, name: str) -> Any:
        if name not in self.exports:
            raise TemplateError(f"no export {name!r}")
        return self.exports[name]

    def dynamic_reference(self, service: str, reference: str) -> str:
        if service == "ssm":
            if reference not in self.ssm:
                raise TemplateError(f"SSM parameter {reference} not found")
            return self.ssm[reference]
        return f"<{service}|{reference}>"


def make(body: str, params: dict[str, Any] | None = None) -> tuple[Template, Resolver]:
    t = parse_template(body, path=Path("t.yaml"), base_dir=TEMPLATES)
    return t, Resolver(t, params or {}, FakeContext())


def value(expr: str, params: dict[str, Any] | None = None, extra: str = "") -> Any:
    text = (
        "Parameters:\n  Env: {Type: String, Default: dev}\n  Nums: {Type: List<Number>, Default: '1,2'}\n"
        "Mappings:\n  M:\n    dev: {Size: 5}\n"
        f"{extra}Resources:\n  Res: {{Type: AWS::SQS::Queue}}\n  Other:\n    Type: AWS::SQS::Queue\n"
        f"    Properties:\n      V: {expr}\n"
    )
    t, r = make(text, params)
    return r.resolve(t.resources["Other"].properties, where="Other.Properties").get("V")


LE = "Transform: AWS::LanguageExtensions\n"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("!Ref Env", "dev"),
        ("!Ref AWS::Region", "eu-west-1"),
        ("!Ref AWS::AccountId", "111122223333"),
        ("!Ref AWS::StackId", "arn:aws:cloudformation:eu-west-1:111122223333:stack/st/1"),
        ("!Ref AWS::URLSuffix", "amazonaws.com"),
        ("!Ref Res", "phys-Res"),
        ("!Ref Nums", [1, 2]),
        ("!GetAtt Res.Arn", "arn:Res:Arn"),
        ("!GetAtt [Res, Arn]", "arn:Res:Arn"),
        ("!GetAtt [Res, !Ref Env]", "arn:Res:dev"),
        ("!Sub '${AWS::Region}/${Res.Arn}/${Env}/${Res}'", "eu-west-1/arn:Res:Arn/dev/phys-Res"),
        ("!Sub '${!Literal}-${ Env }'", "${Literal}-dev"),
        ("!Sub ['${A}-${B}', {A: !Ref Env, B: 3}]", "dev-3"),
        ("!Join [':', [a, !Ref Env, 3, true]]", "a:dev:3:true"),
        ("!Join ['', !Split [',', 'a,b']]", "ab"),
        ("!Select [1, !GetAZs '']", "eu-west-1b"),
        ("!Select ['0', !GetAZs us-east-2]", "us-east-2a"),
        ("!Base64 hello", "aGVsbG8="),
        ("!FindInMap [M, !Ref Env, Size]", 5),
        ("!Cidr ['192.168.0.0/24', 6, 5]", [f"192.168.0.{i * 32}/27" for i in range(6)]),
        ("!Cidr ['2001:db8::/56', 2, 64]", ["2001:db8::/64", "2001:db8:0:1::/64"]),
        ("!ImportValue shared-vpc", "vpc-123"),
        ("'{{resolve:ssm:/app/name}}-x'", "from-ssm-x"),
        ("!Sub '{{resolve:secretsmanager:db:SecretString:url}}'", "<secretsmanager|db:SecretString:url>"),
        ("!Sub '{{resolve:ssm-secure:/app/${Env}}}'", "<ssm-secure|/app/dev>"),
    ],
)
def test_resolves(expr: str, expected: Any) -> None:
    assert value(expr) == expected


def test_language_extensions_functions() -> None:
    assert value("!FindInMap [M, prod, Size, {DefaultValue: 1}]", extra=LE) == 1
    assert value("{'Fn::Length': [a, b, !Ref Env]}", extra=LE) == 3
    assert value("{'Fn::ToJsonString': {k: !Ref Env, n: [1]}}", extra=LE) == '{"k":"dev","n":[1]}'
    with pytest.raises(TemplateError, match="needs 'Transform: AWS::LanguageExtensions'"):
        value("{'Fn::Length': [a]}")


def test_if_with_no_value_removes_key_and_item() -> None:
    extra = "Conditions:\n  IsOn: !Equals [a, a]\n  IsOff: !Equals [a, b]\n"
    got = value(
        "{A: !If [IsOff, x, !Ref AWS::NoValue], B: !If [IsOn, y, z],"
        " L: [1, !If [IsOff, 2, !Ref AWS::NoValue], 3]}",
        extra=extra,
    )
    assert got == {"B": "y", "L": [1, 3]}


def test_whole_value_no_value_is_none() -> None:
    _, r = make("Resources:\n  A: {Type: AWS::SQS::Queue}\n")
    assert r.resolve({"Ref": "AWS::NoValue"}, where="A.Properties") is None


def test_basic_template_in_prod_and_dev() -> None:
    t = load_template(TEMPLATES / "basic.yaml")
    prod = Resolver(t, {"Env": "prod"}, FakeContext())
    assert prod.is_enabled(t.resources["Key"])
    props = prod.resolve(t.resources["Bucket"].properties, where="Bucket.Properties")
    assert props["BucketName"] == "st-prod-eu-west-1"
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == "arn:Key:Arn"
    assert prod.resolve(t.resources["Logs"].properties, where="Logs.Properties") == {"RetentionInDays": 30}
    queue = prod.resolve(t.resources["Queue"].properties, where="Queue.Properties")
    assert queue["QueueName"] == "prod-b-queue"  # CommaDelimitedList members are trimmed
    assert prod.outputs() == {"BucketArn": "arn:Bucket:Arn", "KeyArn": "arn:Key:Arn"}
    assert prod.exports() == {"st-BucketArn": "arn:Bucket:Arn"}
    dev = Resolver(t, {}, FakeContext())
    assert not dev.is_enabled(t.resources["Key"])
    assert "BucketEncryption" not in dev.resolve(t.resources["Bucket"].properties, where="Bucket.Properties")
    assert dev.outputs() == {"BucketArn": "arn:Bucket:Arn"}
    assert dev.condition("NotProd") is True


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("!Ref Nope", "Other.Properties.V: Ref to 'Nope': no parameter or resource has that name"),
        ("!GetAtt Nope.Arn", "Fn::GetAtt to 'Nope'"),
        ("!Sub '${Nope}'", "Ref to 'Nope'"),
        ("!Select [2, [a, b]]", "Fn::Select index 2 is out of range"),
        ("!Select [-1, [a, b]]", "non-negative integer"),
        ("!Join [',', a]", "the Fn::Join list must resolve to a list"),
        ("!FindInMap [M, prod, Size]", "mapping M has no key 'prod'"),
        ("!FindInMap [Nope, a, b]", "no mapping named 'Nope'"),
        ("{'Fn::Foo': 1}", "unknown intrinsic function Fn::Foo"),
        ("!Equals [a, b]", "Fn::Equals can only be used in the Conditions section"),
        ("{Ref: Env, Other: 1}", "Ref must be the only key"),
        ("!Cidr ['10.0.0.0/24', 300, 4]", "count must be between 1 and 256"),
        ("!Cidr ['10.0.0.0/24', 32, 4]", "holds only 16 /28 blocks"),
        ("!ImportValue nope", "no export 'nope'"),
        ("!If [Nope, a, b]", "unknown condition 'Nope'"),
        ("'{{resolve:vault:x}}'", "unknown service 'vault'"),
        ("'{{resolve:ssm:/missing}}'", "Other.Properties.V: SSM parameter /missing not found"),
        ("!Transform {Name: AWS::Include}", "Fn::Transform"),
    ],
)
def test_errors_name_the_property(expr: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        value(expr)
    assert message in info.value.message
    assert "Other.Properties.V" in info.value.message
    assert info.value.line == 9  # the line of resource Other
    assert info.value.path == Path("t.yaml")


def test_ref_to_disabled_resource() -> None:
    t, r = make(
        "Conditions:\n  IsOff: !Equals [a, b]\nResources:\n  A: {Type: AWS::SQS::Queue, Condition: IsOff}\n"
        "  B:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt A.QueueName}\n"
    )
    with pytest.raises(TemplateError, match=r"B.Properties.QueueName.Fn::GetAtt: .*A, which is not created"):
        r.resolve(t.resources["B"].properties, where="B.Properties")


def declare(ptype: str, extra: str = "") -> str:
    return f"Parameters:\n  P:\n    Type: {ptype}\n{extra}Resources:\n  A: {{Type: AWS::SQS::Queue}}\n"


@pytest.mark.parametrize(
    ("ptype", "extra", "given", "expected"),
    [
        ("Number", "", {"P": "42"}, 42),
        ("Number", "", {"P": "2.5"}, 2.5),
        ("String", "", {"P": 7}, "7"),
        ("String", "    Default: x\n", {}, "x"),
        ("CommaDelimitedList", "", {"P": "a, b"}, ["a", "b"]),
        ("CommaDelimitedList", "", {"P": ["a", "b"]}, ["a", "b"]),
        ("List<AWS::EC2::Subnet::Id>", "", {"P": "subnet-1,subnet-2"}, ["subnet-1", "subnet-2"]),
        ("AWS::EC2::VPC::Id", "", {"P": "vpc-1"}, "vpc-1"),
        ("AWS::SSM::Parameter::Value<String>", "    Default: /app/name\n", {}, "from-ssm"),
        ("AWS::SSM::Parameter::Value<List<String>>", "", {"P": "/app/list"}, ["x", "y"]),
    ],
)
def test_parameter_values(ptype: str, extra: str, given: dict[str, Any], expected: Any) -> None:
    _, r = make(declare(ptype, extra), given)
    assert r.parameters["P"] == expected


@pytest.mark.parametrize(
    ("ptype", "extra", "given", "message"),
    [
        ("String", "", {}, "parameter P has no Default and no value was given"),
        ("String", "", {"P": "a", "Q": "b"}, "unknown parameter(s) Q (the template declares: P)"),
        ("String", "    AllowedValues: [dev, prod]\n", {"P": "qa"}, "'qa' is not one of the AllowedValues"),
        ("String", "    AllowedValues: [a]\n    Default: b\n", {}, "parameter P: Default 'b' is not one"),
        ("String", "    AllowedPattern: '[a-z]+'\n", {"P": "abc1"}, "does not match AllowedPattern"),
        ("String", "    MinLength: 3\n", {"P": "ab"}, "shorter than MinLength 3"),
        ("String", "    MaxLength: 1\n", {"P": "ab"}, "longer than MaxLength 1"),
        ("Number", "", {"P": "ten"}, "'ten' is not a number"),
        ("Number", "    MinValue: 1\n", {"P": 0}, "below MinValue 1"),
        ("List<Number>", "    MaxValue: 5\n", {"P": "1,9"}, "above MaxValue 5"),
        ("String", "    NoEcho: true\n    MinLength: 9\n", {"P": "secret"}, "'****' is shorter"),
        ("AWS::SSM::Parameter::Value<String>", "", {"P": "/nope"}, "P: SSM parameter /nope not found"),
    ],
)
def test_parameter_errors(ptype: str, extra: str, given: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError) as info:
        make(declare(ptype, extra), given)
    assert message in info.value.message
    assert "secret" not in info.value.message


def test_conditions() -> None:
    _, r = make(
        "Parameters:\n  Env: {Type: String, Default: prod}\n  N: {Type: Number, Default: 3}\n"
        "Conditions:\n  Prod: !Equals [!Ref Env, prod]\n  Three: !Equals [!Ref N, '3']\n"
        "  Both: !And [!Condition Prod, {Condition: Three}]\n"
        "  Either: !Or [!Not [!Condition Prod], !Equals [a, b]]\n"
        "  Region: !Equals [!Ref AWS::Region, eu-west-1]\n"
        "Resources:\n  A: {Type: AWS::SQS::Queue}\n"
    )
    assert (r.condition("Prod"), r.condition("Three"), r.condition("Both"), r.condition("Either")) == (
        True, True, True, False,
    )
    assert r.condition("Region")
    with pytest.raises(TemplateError, match="unknown condition 'Nope'"):
        r.condition("Nope")


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ("  A: !Condition B\n  B: !Not [!Condition A]\n", "refer to each other in a cycle: A -> B -> A"),
        ("  A: !Equals [!Ref Q, x]\n", "Ref to resource Q: conditions can only use parameters"),
        ("  A: !Ref AWS::Region\n", "Conditions.A: Ref is not a condition function"),
        ("  A: !And [!Equals [a, a]]\n", "Fn::And takes a list of 2 to 10 conditions"),
    ],
)
def test_condition_errors(conditions: str, message: str) -> None:
    _, r = make(f"Conditions:\n{conditions}Resources:\n  Q: {{Type: AWS::SQS::Queue}}\n")
    with pytest.raises(TemplateError) as info:
        r.condition("A")
    assert message in info.value.message
    assert info.value.line is not None


def test_references() -> None:
    t = load_template(TEMPLATES / "basic.yaml")
    bucket = t.resources["Bucket"]
    assert references(bucket.properties, t) == {"Key"}  # Env, AWS::* are not resources
    assert references(t.resources["Queue"].properties, t) == {"Bucket"}
    assert references({"Fn::Sub": ["${X}-${Y.Arn}-${!Z}", {"X": {"Ref": "W"}}]}) == {"Y", "W"}
    assert references({"Fn::GetAtt": "A.B.C"}) == {"A"}
    assert references({"Ref": "AWS::Region"}) == set()
    assert references({"Condition": {"StringEquals": {"a": "b"}}}) == set()  # IAM policy condition
    assert resource_dependencies(t.resources["Logs"], t) == {"Bucket"}
