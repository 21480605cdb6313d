"""Lambda and Fargate pricing pinned against hand-computed figures from the catalog (lambda.yaml,
fargate.yaml, vpc.yaml, xray.yaml, cloudwatch.yaml)."""

from __future__ import annotations

import pytest

from pytest_infra_parity.cost.usage import DAYS_PER_MONTH
from pytest_infra_parity.inventory.model import Observability

from .conftest import Price, line, resource, usd

FUNCTION = "AWS::Lambda::Function"


def _function(name: str = "Fn", memory: int = 512, arch: str = "x86_64", tracing: bool | None = False,
              log_group: str | None = "/aws/lambda/fn") -> object:
    found = resource(name, FUNCTION, memory=memory, architectures=[arch])
    found.observability = Observability(tracing=tracing, log_group=log_group)
    return found


def test_lambda_requests_and_x86_duration(price: Price) -> None:
    result = price([_function()], {"requests_per_day": 1000, "average_duration_ms": 200},
                   {"resources": {"Fn": {"per_request": 2}}})
    invocations = 2 * 1000 * DAYS_PER_MONTH  # 60,833.3
    # requests: 60,833.3 x 0.0000002 USD (lambda-request, us-east-1) = 0.012167 USD
    assert usd(result, "lambda-request") == pytest.approx(invocations * 0.0000002)
    # duration: 60,833.3 x 0.2 s x 0.5 GB = 6,083.3 GB-s x 0.0000166667 USD = 0.101389 USD
    assert line(result, "lambda-gb-second-x86").quantity == pytest.approx(invocations * 0.2 * 0.5)
    assert usd(result, "lambda-gb-second-x86") == pytest.approx(6083.333 * 0.0000166667, rel=1e-5)


def test_lambda_on_arm_in_paris(price: Price) -> None:
    result = price([_function(arch="arm64", memory=1024)], None,
                   {"resources": {"Fn": {"invocations_per_month": 1_000_000, "average_duration_ms": 100}}},
                   region="eu-west-3")
    # 1,000,000 x 0.1 s x 1 GB = 100,000 GB-s x 0.0000133334 (lambda-gb-second-arm, eu-west-3) = 1.33334 USD
    assert usd(result, "lambda-gb-second-arm") == pytest.approx(1.33334)
    assert usd(result, "lambda-request") == pytest.approx(0.2)  # 1,000,000 x 0.0000002


def test_lambda_provisioned_concurrency(price: Price) -> None:
    result = price([_function(memory=1024)], None, {"resources": {"Fn": {
        "invocations_per_month": 100_000, "average_duration_ms": 1000, "provisioned_concurrency": 2}}})
    # configured: 2 x 1 GB x 730 h x 3600 s = 5,256,000 GB-s x 0.0000041667 USD = 21.90 USD
    assert usd(result, "lambda-provisioned-gb-second") == pytest.approx(5_256_000 * 0.0000041667)
    # invocations: 100,000 x 1 s x 1 GB = 100,000 GB-s x 0.0000097222 USD = 0.97222 USD
    assert usd(result, "lambda-provisioned-duration-gb-second") == pytest.approx(0.97222)
    assert not [x for x in result.lines if x.price_id == "lambda-gb-second-x86"]


def test_lambda_without_duration_is_unpriced_not_zero(price: Price) -> None:
    result = price([_function()], None, {"resources": {"Fn": {"invocations_per_day": 10}}})
    assert [(u.resource, u.what) for u in result.unpriced] == [("Fn", "Lambda duration")]
    assert not result.complete


def test_lambda_tracing_and_implicit_log_group(price: Price) -> None:
    fn = _function(tracing=True, log_group=None)
    result = price([fn], {"average_duration_ms": 100, "log_gb_per_month": 0.3},
                   {"resources": {"Fn": {"invocations_per_month": 60_000}}})
    # 60,000 invocations a month is far below 1 a second: every one is a trace, x 0.000005 USD = 0.30 USD
    assert usd(result, "xray-trace-recorded") == pytest.approx(0.30)
    # no log group of its own: /aws/lambda/Fn ingests the design's 0.3 GB (x 0.50) and keeps 12 months (x 0.03)
    assert usd(result, "cw-logs-ingestion-gb") == pytest.approx(0.15)
    assert usd(result, "cw-logs-storage-gb-month") == pytest.approx(0.3 * 12 * 0.03)


def test_xray_sampling_above_one_request_a_second(price: Price) -> None:
    seconds = 730 * 3600
    result = price([_function(tracing=True)], {"average_duration_ms": 10},
                   {"resources": {"Fn": {"invocations_per_month": 3 * seconds}}})
    # 1 a second (the reservoir) + 5% of the other 2 per second: 2,628,000 + 0.05 x 5,256,000 = 2,890,800
    assert line(result, "xray-trace-recorded").quantity == pytest.approx(seconds + 0.05 * 2 * seconds)


def _fargate(**service: object) -> list[object]:
    settings = {"launch_type": "FARGATE", "desired_count": 1, **service}
    return [resource("Service", "AWS::ECS::Service", **settings),
            resource("TaskDefinition", "AWS::ECS::TaskDefinition", cpu="1024", memory="2048")]


def test_fargate_always_on_in_paris(price: Price) -> None:
    result = price(_fargate(), region="eu-west-3",
                   props={"Service": {"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "ENABLED"}}}})
    # 1 task x 730 h: 730 vCPU-h x 0.0486 = 35.478 USD; 1,460 GB-h x 0.0053 = 7.738 USD (fargate.yaml, eu-west-3)
    assert usd(result, "fargate-vcpu-hour-x86") == pytest.approx(35.478)
    assert usd(result, "fargate-gb-hour-x86") == pytest.approx(7.738)
    # a public IPv4 address while the task runs: 730 h x 0.005 = 3.65 USD
    assert usd(result, "public-ipv4-hour") == pytest.approx(3.65)


def test_fargate_scale_to_zero_from_active_hours(price: Price) -> None:
    inventory = [*_fargate(), resource("Target", "AWS::ApplicationAutoScaling::ScalableTarget",
                                       service_namespace="ecs", min_capacity=0, max_capacity=10)]
    result = price(inventory, {"active_hours_per_day": 2, "idle_minutes_before_scale_in": 5})
    hours = (2 + 7 / 60) * DAYS_PER_MONTH  # 64.382 task-hours
    # 64.382 x (1 x 0.04048 + 2 x 0.004445) = 64.382 x 0.04937 = 3.1785 USD (us-east-1)
    assert usd(result, "fargate-vcpu-hour-x86") + usd(result, "fargate-gb-hour-x86") == pytest.approx(hours * 0.04937)
    assert any("derived from the design's active hours" in a for a in result.assumptions)


def test_fargate_task_hours_given_by_the_emulation(price: Price) -> None:
    result = price(_fargate(), None, {"resources": {"Service": {"task_hours_per_month": 79.39}}})
    assert line(result, "fargate-vcpu-hour-x86").quantity == pytest.approx(79.39)
    assert line(result, "fargate-gb-hour-x86").quantity == pytest.approx(2 * 79.39)


def test_fargate_arm_where_the_catalog_has_no_figure_is_unpriced(price: Price) -> None:
    result = price(_fargate(), region="eu-west-3",
                   props={"TaskDefinition": {"RuntimePlatform": {"CpuArchitecture": "ARM64"}}})
    assert {u.what for u in result.unpriced} == {"Fargate Linux/ARM (Graviton) vCPU-hour",
                                                 "Fargate Linux/ARM (Graviton) memory GB-hour"}
    assert "no published Linux/ARM figure for eu-west-3" in result.unpriced[0].reason


def test_ecs_on_ec2_and_unknown_task_size_are_unpriced(price: Price) -> None:
    ec2 = price(_fargate(launch_type="EC2"))
    assert ec2.unpriced[0].reason == "only the Fargate launch type is priced"
    unsized = price([resource("Service", "AWS::ECS::Service", launch_type="FARGATE")])
    assert "task size unknown" in unsized.unpriced[0].reason
