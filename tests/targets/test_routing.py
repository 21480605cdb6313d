"""Routing of each service on a LocalStack target: LocalStack, the moto fallback, or a clear refusal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.localstack import LocalStackTarget
from pytest_infra_parity.targets.localstack_capabilities import Capabilities, ServiceStatus
from pytest_infra_parity.targets.localstack_routing import plan, summary
from pytest_infra_parity.targets.localstack_services import check_served, services_needed, services_of_type
from pytest_infra_parity.targets.protocol import Served, served, unserved
from tests.targets.fake_localstack import FakeLocalStack, serve

SERVICES = ("sts", "s3", "sqs", "ssm", "dynamodb", "lambda", "ecs", "elbv2", "ec2")


def _caps(**served_by_service: bool) -> Capabilities:
    return Capabilities("fake", {s: ServiceStatus(s, ok, "answers" if ok else f"{s} is missing")
                                 for s, ok in served_by_service.items()})


def test_served_services_stay_and_the_others_fall_back_or_have_no_route() -> None:
    caps = _caps(s3=True, dynamodb=False, dynamodbstreams=True)
    with_fallback = plan(caps, "moto")
    assert with_fallback["s3"] == Served("s3", "localstack", "answers")
    assert with_fallback["dynamodb"].where == "moto" and with_fallback["dynamodb"].reason == "dynamodb is missing"
    assert with_fallback["dynamodbstreams"].where == "moto"  # a table's stream lives where the table is
    without = plan(caps, None)
    assert not without["dynamodb"] and without["dynamodb"].reason == "dynamodb is missing"
    assert without["s3"]


def test_ec2_follows_the_fallback_services_that_check_their_subnets_in_moto() -> None:
    routes = plan(_caps(ec2=True, elbv2=False, s3=True), "moto")
    assert routes["ec2"].where == "moto" and "kept with elbv2" in routes["ec2"].reason
    assert plan(_caps(ec2=True, elbv2=True), "moto")["ec2"].where == "localstack"
    assert plan(_caps(ec2=True, elbv2=False), None)["ec2"].where == "localstack"


def test_header_summary_groups_services_by_reason() -> None:
    routes = plan(_caps(s3=True, sqs=True, ecs=False, elbv2=False), "moto")
    routes["ecs"] = Served("ecs", "moto", "HTTP 501")
    routes["elbv2"] = Served("elbv2", "moto", "HTTP 501")
    lines = summary(routes, "moto")
    assert lines[0] == "infra-parity: on localstack: s3, sqs"
    assert lines[1] == "infra-parity: on moto (fallback): ecs, elbv2 (HTTP 501)"
    missing = summary(plan(_caps(s3=True, ecs=False), None), None)
    assert missing[1].startswith("infra-parity: not served") and "ecs (ecs is missing)" in missing[1]


def test_resource_types_map_to_the_services_their_provisioners_call() -> None:
    assert services_of_type("AWS::DynamoDB::Table") == ("dynamodb",)
    assert services_of_type("AWS::ElasticLoadBalancingV2::Listener") == ("elbv2",)
    assert services_of_type("AWS::ApplicationAutoScaling::ScalingPolicy") == ("application-autoscaling", "cloudwatch")
    assert services_of_type("AWS::CDK::Metadata") == ()
    needed = services_needed([("Table", "AWS::DynamoDB::Table"), ("Queue", "AWS::SQS::Queue")])
    assert needed["dynamodb"] == ["Table"] and "ssm" in needed and "sts" in needed


class _PartialTarget:
    name = "localstack"

    def serves(self, service: str) -> Served:
        return Served(service, "") if service in ("dynamodb", "lambda") else Served(service, "localstack")


def test_a_design_needing_unserved_services_is_refused_before_anything_is_created() -> None:
    resources = [("JobsTable", "AWS::DynamoDB::Table"), ("Worker", "AWS::Lambda::Function"),
                 ("Bucket", "AWS::S3::Bucket")]
    with pytest.raises(TargetError) as caught:
        check_served(_PartialTarget(), resources, "design photoeditor")
    message = caught.value.describe()
    assert "cannot serve 2 service(s) design photoeditor needs" in message
    assert "dynamodb:" in message and "JobsTable" in message and "lambda:" in message and "Worker" in message
    assert "--infra-fallback=moto" in message and "s3" not in message.split("needs:")[1].split("route")[0]
    assert unserved(object(), ["s3"]) == {}  # a target without serves() serves everything
    assert served(object(), "s3")


@pytest.fixture
def fake() -> Iterator[FakeLocalStack]:
    behaviours = {"dynamodb": "501", "lambda": "501", "ecs": "501", "elbv2": "501"}
    with serve(FakeLocalStack(behaviours=behaviours, account="000000000000")) as running:
        yield running


def test_fallback_sends_unserved_services_to_moto_in_the_same_account(fake: FakeLocalStack) -> None:
    target = LocalStackTarget("us-east-1", fake.url, fallback="moto", services=SERVICES)
    try:
        target.start()
        assert target.serves("s3").where == "localstack" and target.serves("dynamodb").where == "moto"
        ddb = target.client("dynamodb")
        assert not ddb.meta.endpoint_url.startswith(fake.url)
        ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        arn = ddb.describe_table(TableName="t")["Table"]["TableArn"]
        assert ":000000000000:" in arn  # moto acts in LocalStack's account: ARNs agree on both sides
        assert target.client("s3").meta.endpoint_url == fake.url
        assert target.identity().account_id == "000000000000"
        assert any("on moto (fallback)" in line and "dynamodb" in line for line in target.header_lines())
    finally:
        target.stop()


def test_without_fallback_an_unserved_client_is_a_clear_error(fake: FakeLocalStack) -> None:
    target = LocalStackTarget("us-east-1", fake.url, services=SERVICES)
    try:
        assert not target.serves("dynamodb")
        with pytest.raises(TargetError, match=r"does not serve dynamodb: HTTP 501.*--infra-fallback=moto"):
            target.client("dynamodb")
        assert target.serves("firehose").reason == "not listed by /_localstack/health and no probe known"
        assert "no fallback" in target.describe()
    finally:
        target.stop()
