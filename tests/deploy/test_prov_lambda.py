"""Lambda provisioners on the moto server: functions, versions, aliases, permissions, mappings, layers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.deploy.packaging import code_sha256, zip_files
from pytest_infra_parity.deploy.provisioners import ProvisionError, ResourceMissing
from pytest_infra_parity.deploy.provisioners._emulated import parameter_name

from ._support import Build, Clients, assert_deleted, create, error_code, new_queue_arn, provisioner_for

ASSUME = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
TRUST = {"Version": "2012-10-17", "Statement": [ASSUME]}


@pytest.fixture
def role(clients: Clients, request: pytest.FixtureRequest) -> str:
    name = ("lambda-" + request.node.name)[:64]
    iam = clients("iam")
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"])


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    return folder


def _gone(call: Callable[..., Any], **params: Any) -> bool:
    return error_code(call, **params) in ("ResourceNotFoundException", "ParameterNotFound")


def _function(make_request: Build, role: str, code_dir: Path, logical_id: str = "Fn", **extra: Any) -> Any:
    props = {"Runtime": "python3.12", "Handler": "app.handler", "Role": role}
    props["Code"] = {"LocalPath": str(code_dir)}
    prov, req, result = create(make_request, logical_id, "AWS::Lambda::Function", {**props, **extra})
    return req, prov, result


def test_function_lifecycle(make_request: Build, clients: Clients, role: str, code_dir: Path) -> None:
    lam, ssm = clients("lambda"), clients("ssm")
    req, prov, result = _function(
        make_request, role, code_dir,
        MemorySize="256", Timeout=15, Description="orders API", Architectures=["arm64"],
        Environment={"Variables": {"TABLE": "orders", "DEBUG": True}}, TracingConfig={"Mode": "Active"},
        EphemeralStorage={"Size": 1024}, ReservedConcurrentExecutions=5,
        DeadLetterConfig={"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"},
        KmsKeyArn="arn:aws:kms:us-east-1:123456789012:key/1234", LoggingConfig={"LogFormat": "JSON"},
        Tags=[{"Key": "team", "Value": "orders"}],
    )  # fmt: skip
    name = result.physical_id
    assert name.startswith(f"{req.stack_name}-Fn-") and len(name) <= 64
    assert result.attributes["Arn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert prov.verify(req, result) == []

    live = lam.get_function(FunctionName=name)
    config = live["Configuration"]
    assert (config["Runtime"], config["Handler"], config["MemorySize"], config["Timeout"]) == (
        "python3.12", "app.handler", 256, 15,
    )  # fmt: skip
    assert config["Environment"]["Variables"] == {"TABLE": "orders", "DEBUG": "true"}
    assert config["TracingConfig"]["Mode"] == "Active" and config["Architectures"] == ["arm64"]
    assert config["CodeSha256"] == code_sha256({"LocalPath": str(code_dir)}, None, "Fn")
    assert live["Concurrency"]["ReservedConcurrentExecutions"] == 5
    assert live["Tags"]["team"] == "orders" and live["Tags"]["infra-parity:stack"] == req.stack_name
    # What the target does not return is kept in the companion document beside the function (moto
    # 5.2.1 dropped all three, 5.2.5 keeps the KMS key): exactly the dropped ones, no more.
    api_names = {"DeadLetterConfig": "DeadLetterConfig", "KmsKeyArn": "KMSKeyArn", "LoggingConfig": "LoggingConfig"}
    dropped = {prop for prop, key in api_names.items() if key not in config}
    assert dropped, "moto now keeps all three: drop the companion-document path or this assertion"
    companion = json.loads(ssm.get_parameter(Name=parameter_name(req.stack_name, "Fn"))["Parameter"]["Value"])
    assert set(companion["attributes"]["Dropped"]) == dropped

    lam.update_function_configuration(FunctionName=name, MemorySize=512, Environment={"Variables": {}})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
    (code_dir / "app.py").write_text("def handler(event, context):\n    return None\n")
    problems = "\n".join(prov.verify(req, result))
    for expected in ("MemorySize is 512", "Environment.Variables", "ReservedConcurrentExecutions is 7"):
        assert expected in problems
    assert "Code (CodeSha256)" in problems

    prov.delete(req, result)
    assert _gone(lam.get_function, FunctionName=name)
    assert _gone(ssm.get_parameter, Name=parameter_name(req.stack_name, "Fn"))
    with pytest.raises(ResourceMissing):
        prov.verify(req, result)
    prov.delete(req, result)


def test_companion_document_is_checked(
    make_request: Build, clients: Clients, role: str, code_dir: Path
) -> None:
    # A setting moto drops (the dead-letter target) is checked through the companion document.
    dlq = {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}
    req, prov, result = _function(make_request, role, code_dir, DeadLetterConfig=dlq)
    clients("ssm").delete_parameter(Name=parameter_name(req.stack_name, "Fn"))
    assert prov.verify(req, result) == [f"DeadLetterConfig is missing (declared {dlq!r})"]
    prov.delete(req, result)


def test_inline_and_s3_code(make_request: Build, clients: Clients, role: str, code_dir: Path) -> None:
    source = "exports.handler = async () => ({statusCode: 200});"
    req, prov, inline = _function(
        make_request, role, code_dir, "Inline", Runtime="nodejs20.x", Handler="index.handler",
        Code={"ZipFile": source},
    )  # fmt: skip
    config = clients("lambda").get_function_configuration(FunctionName=inline.physical_id)
    assert config["CodeSha256"] == code_sha256({"ZipFile": source}, "nodejs20.x", "Inline")
    assert prov.verify(req, inline) == []

    s3 = clients("s3")
    s3.create_bucket(Bucket="lambda-code-bucket")
    s3.put_object(Bucket="lambda-code-bucket", Key="fn.zip", Body=zip_files({"app.py": "X = 1"}))
    s3_code = {"S3Bucket": "lambda-code-bucket", "S3Key": "fn.zip"}
    s3_req, _, from_s3 = _function(make_request, role, code_dir, "FromS3", Code=s3_code)
    location = clients("lambda").get_function(FunctionName=from_s3.physical_id)["Code"]["Location"]
    assert location.endswith("fn.zip")
    assert prov.verify(s3_req, from_s3) == []
    for r, res in ((req, inline), (s3_req, from_s3)):
        prov.delete(r, res)


def test_version_and_alias(make_request: Build, clients: Clients, role: str, code_dir: Path) -> None:
    lam = clients("lambda")
    fn_req, fn_prov, fn = _function(make_request, role, code_dir)
    version_prov, alias_prov = provisioner_for("AWS::Lambda::Version"), provisioner_for("AWS::Lambda::Alias")
    sha = lam.get_function_configuration(FunctionName=fn.physical_id)["CodeSha256"]
    v1_req = make_request("V1", "AWS::Lambda::Version", {
        "FunctionName": fn.physical_id, "Description": "first", "CodeSha256": sha,
        "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 2},
    })  # fmt: skip
    v1 = version_prov.create(v1_req)
    assert v1.physical_id == f"{fn.attributes['Arn']}:1" and v1.attributes["Version"] == "1"
    published = lam.get_function_configuration(FunctionName=fn.physical_id, Qualifier="1")
    assert published["Description"] == "first"
    assert version_prov.verify(v1_req, v1) == []
    with pytest.raises(ProvisionError, match="CodeSha256"):
        bad = {"FunctionName": fn.physical_id, "CodeSha256": "x"}
        version_prov.create(make_request("Bad", "AWS::Lambda::Version", bad))

    lam.update_function_configuration(FunctionName=fn.physical_id, MemorySize=1024)
    v2_req = make_request("V2", "AWS::Lambda::Version", {"FunctionName": fn.attributes["Arn"]})
    v2 = version_prov.create(v2_req)
    alias_req = make_request("Live", "AWS::Lambda::Alias", {
        "FunctionName": fn.physical_id, "Name": "live", "FunctionVersion": "2", "Description": "prod traffic",
        "RoutingConfig": {"AdditionalVersionWeights": [{"FunctionVersion": "1", "FunctionWeight": 0.1}]},
    })  # fmt: skip
    alias = alias_prov.create(alias_req)
    assert alias.physical_id == f"{fn.attributes['Arn']}:live" == alias.attributes["AliasArn"]
    live = lam.get_alias(FunctionName=fn.physical_id, Name="live")
    assert live["FunctionVersion"] == "2" and live["RoutingConfig"]["AdditionalVersionWeights"] == {"1": 0.1}
    assert alias_prov.verify(alias_req, alias) == []

    routing = {"AdditionalVersionWeights": {"1": 0.5}}
    lam.update_alias(FunctionName=fn.physical_id, Name="live", RoutingConfig=routing)
    assert any("AdditionalVersionWeights" in p for p in alias_prov.verify(alias_req, alias))

    alias_prov.delete(alias_req, alias)
    assert _gone(lam.get_alias, FunctionName=fn.physical_id, Name="live")
    alias_prov.delete(alias_req, alias)
    for req, res in ((v2_req, v2), (v1_req, v1)):
        version_prov.delete(req, res)
        number = res.attributes["Version"]
        assert _gone(lam.get_function_configuration, FunctionName=fn.physical_id, Qualifier=number)
        with pytest.raises(ResourceMissing):
            version_prov.verify(req, res)
        version_prov.delete(req, res)
    fn_prov.delete(fn_req, fn)


def test_permission(make_request: Build, clients: Clients, role: str, code_dir: Path) -> None:
    lam = clients("lambda")
    fn_req, fn_prov, fn = _function(make_request, role, code_dir)
    source = "arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/orders"
    props = {"Action": "lambda:InvokeFunction", "FunctionName": fn.attributes["Arn"],
             "Principal": "apigateway.amazonaws.com", "SourceArn": source,
             "SourceAccount": "123456789012"}  # fmt: skip
    prov, req, result = create(make_request, "InvokePermission", "AWS::Lambda::Permission", props)
    assert result.attributes["Id"] == result.physical_id
    policy = json.loads(lam.get_policy(FunctionName=fn.physical_id)["Policy"])
    statement = next(s for s in policy["Statement"] if s["Sid"] == result.physical_id)
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == source
    assert prov.verify(req, result) == []

    lam.remove_permission(FunctionName=fn.physical_id, StatementId=result.physical_id)
    lam.add_permission(
        FunctionName=fn.physical_id, StatementId=result.physical_id, Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com", SourceArn=source.replace("orders", "users"),
    )  # fmt: skip
    problems = prov.verify(req, result)
    assert any(p.startswith("SourceArn is") for p in problems) and any("SourceAccount" in p for p in problems)

    assert_deleted(prov, req, result)
    fn_prov.delete(fn_req, fn)


def test_event_source_mapping(make_request: Build, clients: Clients, role: str, code_dir: Path) -> None:
    lam = clients("lambda")
    fn_req, fn_prov, fn = _function(make_request, role, code_dir)
    queue_arn = new_queue_arn(clients, "esm-orders")
    prov, req, result = create(make_request, "Mapping", "AWS::Lambda::EventSourceMapping", {
        "FunctionName": fn.physical_id, "EventSourceArn": queue_arn, "BatchSize": "5", "Enabled": "true",
        "MaximumBatchingWindowInSeconds": 2, "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "FilterCriteria": {"Filters": [{"Pattern": '{"body": {"type": ["order"]}}'}]},
        "ScalingConfig": {"MaximumConcurrency": 3}, "Tags": [{"Key": "pipeline", "Value": "orders"}],
    })  # fmt: skip
    live = lam.get_event_source_mapping(UUID=result.physical_id)
    assert (live["BatchSize"], live["State"], live["FunctionArn"]) == (5, "Enabled", fn.attributes["Arn"])
    assert result.attributes["EventSourceMappingArn"].endswith(result.physical_id)
    tags = lam.list_tags(Resource=result.attributes["EventSourceMappingArn"])["Tags"]
    assert tags["pipeline"] == "orders" and tags["infra-parity:stack"] == req.stack_name
    assert prov.verify(req, result) == []

    lam.update_event_source_mapping(UUID=result.physical_id, BatchSize=9)
    lam.untag_resource(Resource=result.attributes["EventSourceMappingArn"], TagKeys=["pipeline"])
    missing_tag = "tag 'pipeline' is missing (declared 'orders')"
    assert prov.verify(req, result) == ["BatchSize is 9, declared 5", missing_tag]

    assert_deleted(
        prov, req, result, gone=lambda: _gone(lam.get_event_source_mapping, UUID=result.physical_id)
    )
    fn_prov.delete(fn_req, fn)


def test_layer_version(make_request: Build, clients: Clients, code_dir: Path) -> None:
    lam = clients("lambda")
    prov, req, result = create(make_request, "Deps", "AWS::Lambda::LayerVersion", {
        "Content": {"LocalPath": str(code_dir)}, "CompatibleRuntimes": ["python3.12", "python3.11"],
        "Description": "shared deps", "LicenseInfo": "MIT",
    })  # fmt: skip
    layer, _, version = result.physical_id.rpartition(":")
    assert f":layer:{req.stack_name}-Deps-" in layer
    live = lam.get_layer_version(LayerName=layer, VersionNumber=int(version))
    assert live["Description"] == "shared deps" and live["Content"]["CodeSha256"] == code_sha256(
        {"LocalPath": str(code_dir)}, None, "Deps"
    )
    assert prov.verify(req, result) == []

    (code_dir / "extra.py").write_text("X = 1\n")
    assert [p.split(" is")[0] for p in prov.verify(req, result)] == ["Content (CodeSha256)"]

    number = int(version)
    assert_deleted(
        prov, req, result, gone=lambda: _gone(lam.get_layer_version, LayerName=layer, VersionNumber=number)
    )
