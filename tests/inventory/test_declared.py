"""Templates declared offline (the same resolver as the applier) and deployed stacks' declared state."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_infra_parity.deploy.declared import declare, default_physical_name, from_stack
from pytest_infra_parity.deploy.stack import Stack, StackResource
from pytest_infra_parity.deploy.template import parse_template
from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.errors import TemplateError
from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.inventory.template import Declared, from_declared

ACCOUNT = "123456789012"


def declared(text: str, tmp_path: Path, **parameters: str) -> dict[str, Declared]:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    items = declare(path, parameters, stack_name="st", region="eu-west-1", account=ACCOUNT)
    return {item.logical_id: item for item in items}


def test_photoeditor_declares_names_arns_and_unknowns() -> None:
    design = builtin_designs()["photoeditor"]
    items = {i.logical_id: i for i in declare(design.template_path, design.parameters, stack_name="pe",
                                              region="us-east-1", account=ACCOUNT)}
    assert items["TempBucket"].physical_id == f"photoeditor-dev-temp-{ACCOUNT}"
    assert items["ProcessingQueue"].physical_id == \
        f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/photoeditor-dev-processing"
    assert items["ProcessingQueue"].properties["RedrivePolicy"]["deadLetterTargetArn"] == \
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:photoeditor-dev-processing-dlq"
    assert items["NotificationsTopic"].physical_id == f"arn:aws:sns:us-east-1:{ACCOUNT}:photoeditor-dev-notifications"
    assert items["Key"].physical_id is UNKNOWN and items["Key"].arn is UNKNOWN
    assert items["JobsTable"].properties["SSESpecification"]["KMSMasterKeyId"] is UNKNOWN
    assert items["JobsTable"].references == {"SSESpecification.KMSMasterKeyId": "Key"}
    assert items["Api5xxAlarm"].references == {"Dimensions[0].Value": "HttpApi"}
    assert items["DlqInflowAlarm"].properties["Dimensions"][0]["Value"] == "photoeditor-dev-processing-dlq"
    line = next(n for n, text in enumerate(design.template_path.read_text().splitlines(), 1)
                if text.startswith("  TempBucket:"))
    assert items["TempBucket"].location == f"{design.template_path}:{line}"


def test_photoeditor_template_inventory() -> None:
    design = builtin_designs()["photoeditor"]
    inventory = from_declared(declare(design.template_path, design.parameters, stack_name="pe", region="us-east-1",
                                      account=ACCOUNT), source="template", region="us-east-1", account=ACCOUNT)
    temp = inventory.by_name("TempBucket")
    assert temp.encryption is not None and temp.encryption.mode == "customer-managed"
    assert temp.tags == {"Project": "photoeditor", "Env": "dev", "Owner": "photoeditor-platform",
                         "CostCenter": "photoeditor"}
    assert temp.settings["tls_only"] is True
    assert inventory.by_name("ProcessingQueue").settings["max_receive_count"] == 3
    assert inventory.by_name("ProcessingDeadLetterQueue").settings["is_dlq"] is True
    assert inventory.by_name("HttpApi").observability.has_alarm_on("5xx") is True
    assert all(f.observability.has_alarm_on("Errors") is True for f in inventory.of_kind("function"))
    assert all(t.settings["pitr"] is True for t in inventory.of_kind("table"))
    assert inventory.warnings == []


def test_default_names_conditions_and_unknown_parts(tmp_path: Path) -> None:
    items = declared("""\
        Parameters:
          Stage: {Type: String, Default: dev}
          Secret: {Type: String}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          My_Bucket:
            Type: AWS::S3::Bucket
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              FifoQueue: true
          ProdOnly:
            Type: AWS::SNS::Topic
            Condition: IsProd
          Key:
            Type: AWS::KMS::Key
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Sub "t-${Key}-${AWS::Region}"
              DisplayName: !Ref Secret
              Tags:
                - {Key: Zone, Value: !Select [1, !GetAZs ""]}
        """, tmp_path)
    assert "ProdOnly" not in items
    assert items["My_Bucket"].physical_id == "st-mybucket"
    assert items["Queue"].physical_id.endswith("/st-Queue.fifo")
    assert items["Topic"].properties["TopicName"] is UNKNOWN  # built from the key id, known after deploy
    assert items["Topic"].physical_id is UNKNOWN
    assert items["Topic"].properties["DisplayName"] is UNKNOWN  # a parameter without default
    assert items["Topic"].properties["Tags"][0]["Value"] == "eu-west-1b"
    assert "ProdOnly" in declared("""\
        Parameters:
          Stage: {Type: String, Default: dev}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          ProdOnly:
            Type: AWS::SNS::Topic
            Condition: IsProd
        """, tmp_path, Stage="prod")


def test_default_name_respects_the_service_limit() -> None:
    name = default_physical_name("a" * 60, "LogicalIdThatIsLong", max_length=32)
    assert len(name) <= 32 and name.startswith("a") and "-Logical" in name


def test_sam_templates_go_through_the_sam_transform(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    items = declared("""\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src
              Tracing: Active
              Tags: {Project: sam}
        """, tmp_path)
    assert items["Api"].cfn_type == "AWS::Lambda::Function"
    assert items["Api"].properties["TracingConfig"] == {"Mode": "Active"}
    assert items["Api"].physical_id == "st-Api"
    inventory = from_declared(list(items.values()), source="template", region="eu-west-1", account=ACCOUNT)
    # SAM adds lambda:createdBy to the function: a real tag, live reads it too.
    assert inventory.by_name("Api").tags == {"Project": "sam", "lambda:createdBy": "SAM"}
    assert {r.kind for r in inventory} == {"function", "role"}


def test_template_errors_name_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"template.yaml:2: Topic.Properties.TopicName: Ref to .Nope."):
        declared("""\
            Resources:
              Topic:
                Type: AWS::SNS::Topic
                Properties:
                  TopicName: !Ref Nope
            """, tmp_path)


def test_from_stack_uses_the_real_identities() -> None:
    template = parse_template("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    stack = Stack("s", template, "us-east-1", ACCOUNT, "r", "applier", resources={
        "Q": StackResource("Q", "AWS::SQS::Queue", "http://localhost/1/s-Q-ABC",
                           {"Arn": "arn:aws:sqs:us-east-1:1:s-Q-ABC"}, {"KmsMasterKeyId": "alias/aws/sqs"})})
    (item,) = from_stack(stack)
    assert (item.physical_id, item.arn, item.properties) == (
        "http://localhost/1/s-Q-ABC", "arn:aws:sqs:us-east-1:1:s-Q-ABC", {"KmsMasterKeyId": "alias/aws/sqs"})
    assert item.location == "line 2"
