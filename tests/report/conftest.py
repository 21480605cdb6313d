"""A realistic run for the report writers: every outcome, every section kind, every chart kind."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.report.model import (
    Band,
    Bar,
    Cell,
    Chart,
    Figure,
    Marker,
    RunRecord,
    ScenarioRecord,
    Section,
    Series,
    Span,
    Threshold,
    table,
)

RunBuilder = Callable[..., RunRecord]


def _steps(*names: str, failed_at: int | None = None) -> list[dict[str, object]]:
    keywords = ["Given", "When", "Then", "And", "And", "And"]
    steps: list[dict[str, object]] = []
    for index, name in enumerate(names):
        ran = failed_at is None or index <= failed_at
        status = "failed" if index == failed_at else ("passed" if ran else "not run")
        steps.append({"keyword": keywords[min(index, len(keywords) - 1)], "name": name, "line": 6 + index,
                      "status": status, "duration": 0.05 + 0.7 * index if ran else 0.0})
    return steps


def deploy_section() -> Section:
    stages = (Bar("template", 0.4, tone="neutral"), Bar("IAM roles", 3.1), Bar("Lambda functions", 6.7),
              Bar("API Gateway", 2.2, tone="warn"), Bar("DynamoDB", 1.4))
    chart = Chart(kind="stacked", title="Deploy time by stage", x_label="seconds", bars=stages)
    return Section(kind="deploy", title="Deployed orders-api on moto", verdict="good",
                   summary="14 resources created in 13.8 s.",
                   figures=(Figure("deploy.seconds", 13.8, "s", "deploy time"), Figure("deploy.resources", 14, "",
                                                                                           "resources")),
                   charts=(chart,))


STACK_TYPES = ("AWS::CloudWatch::Alarm", "AWS::ApplicationAutoScaling::ScalingPolicy", "AWS::EC2::SecurityGroup",
               "AWS::EC2::Subnet", "AWS::EC2::SubnetRouteTableAssociation", "AWS::IAM::Role",
               "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::EC2::InternetGateway", "AWS::EC2::Route",
               "AWS::EC2::RouteTable", "AWS::EC2::VPC", "AWS::EC2::VPCGatewayAttachment", "AWS::ECS::Cluster",
               "AWS::ECS::Service", "AWS::ECS::TaskDefinition", "AWS::ElasticLoadBalancingV2::Listener",
               "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup",
               "AWS::Logs::LogGroup")


def stack_deploy_section(design: str = "cityguided", stack: str = "ipp-cityguided-20261122075839-fba2-gw0",
                         resources: int = 28) -> Section:
    """A deploy section as a session-wide deployment records it (the same one in every scenario using it):
    resources by type, a resources table, the outputs, the parameters as printed."""
    types = [STACK_TYPES[i % len(STACK_TYPES)] for i in range(resources)]
    counts = sorted(((t, types.count(t)) for t in dict.fromkeys(types)), key=lambda item: (-item[1], item[0]))
    rows = [(Cell(f"{t.split('::')[-1]}{i}"), Cell(t), Cell(f"arn:aws:{t.split('::')[1].lower()}:us-east-1:"
                                                             f"123456789012:{design}-staging/{i:04x}d5c4336982a44d64"))
            for i, t in enumerate(types)]
    outputs = [(Cell(f"Output{i}"), Cell(f"{design}-staging/{i}/89b1cb2047cc849e")) for i in range(9)]
    return Section(kind="deploy", title=f"Deployed {design} as {stack}", verdict="good",
                   summary=f"{resources} resources of {len(counts)} types created by the applier on moto us-east-1 "
                           "(account 123456789012)",
                   figures=(Figure("deploy.resources", resources, "", "resources created"),),
                   tables=(table("Resources", ("Logical id", "Type", "Physical id"), rows),
                           table("Outputs", ("Output", "Value"), outputs)),
                   charts=(Chart(kind="bars", title="Resources by type", x_label="resources",
                                 bars=tuple(Bar(t, float(n)) for t, n in counts)),),
                   text="parameters: ImageTag=latest, MonthlyCostThresholdUsd=30, Project=cityguided, Stage=staging")


def parity_section() -> Section:
    rows = [
        (Cell("OrdersTable"), Cell("BillingMode"), Cell("PAY_PER_REQUEST"), Cell("PROVISIONED", "bad")),
        (Cell("OrdersTable"), Cell("SSESpecification.SSEEnabled"), Cell("true"), Cell("true")),
        (Cell("OrdersTable"), Cell("PointInTimeRecovery"), Cell("true"), Cell("unknown", "warn")),
        (Cell("OrdersFunction"), Cell("Runtime"), Cell("python3.12"), Cell("python3.12")),
        (Cell("OrdersFunction"), Cell("MemorySize"), Cell("512"), Cell("256", "bad")),
        (Cell("OrdersQueue"), Cell("VisibilityTimeout"), Cell("60"), Cell("60")),
    ]
    return Section(kind="parity", title="Staging matches the design", verdict="bad",
                   summary="2 differences on 2 resources, 1 value unknown on the target.",
                   figures=(Figure("parity.differences", 2, "", "differences", "bad"),
                            Figure("parity.unknown", 1, "", "unknown values", "warn")),
                   tables=(table("Properties compared", ("Resource", "Property", "Design", "Target"), rows,
                                 group_by=0, note="Values the target does not report are shown as unknown."),))


def policies_section(count: int = 230) -> Section:
    rows = [(Cell(f"Bucket{i // 5:03d}"), Cell(f"S3.{i % 5 + 1}"), Cell("Bucket allows public read", "bad"))
            for i in range(count)]
    return Section(kind="policies", title="Security policies", verdict="bad",
                   summary=f"{count} violations on {math.ceil(count / 5)} resources.",
                   figures=(Figure("policies.violations", count, "", "violations", "bad"),),
                   tables=(table("Violations by resource", ("Resource", "Rule", "Finding"), rows, group_by=0),))


def cost_section() -> Section:
    bars = (Bar("Lambda", 12.4, "compute"), Bar("Fargate", 61.0, "compute", "warn"), Bar("DynamoDB", 8.9, "data"),
            Bar("S3", 2.3, "data"), Bar("NAT gateway", 38.5, "network", "bad"), Bar("CloudWatch", 4.1, "ops"))
    rows = [(Cell(bar.label), Cell(bar.group), Cell(f"{bar.value:.2f}", bar.tone)) for bar in bars]
    return Section(kind="cost", title="Monthly cost estimate", verdict="warn",
                   summary="127.20 EUR a month, budget 150 EUR.",
                   figures=(Figure("cost.monthly_eur", 127.2, "EUR", "monthly cost", "warn"),),
                   tables=(table("Cost by service", ("Service", "Group", "EUR / month"), rows),),
                   charts=(Chart(kind="bars", title="Cost by service", x_label="EUR / month", bars=bars),))


def canary_section(seed: int = 7) -> Section:
    rng = random.Random(seed)
    errors = tuple((t, (0.4 + rng.random() * 0.3) if t < 180 or t > 330 else 6 + rng.random() * 4)
                   for t in range(0, 600, 10))
    traffic = tuple((t, 10.0 if t < 60 else 25.0 if t < 240 else 0.0) for t in range(0, 600, 10))
    chart = Chart(kind="xy", title="Canary error rate and traffic shift", x_label="time", y_label="errors %",
                  y2_label="canary traffic %", x_is_time=True,
                  series=(Series("5xx rate", errors, tone="bad"),
                          Series("canary weight", traffic, style="step", axis="right")),
                  thresholds=(Threshold(5.0, "alarm threshold 5 %"),),
                  markers=(Marker(240, "rollback", "bad"), Marker(60, "step 25 %")),
                  bands=(Band(190, 240, "alarm in ALARM"),))
    return Section(kind="canary", title="Canary rolls back on errors", verdict="good",
                   summary="The alarm fired 10 s after errors crossed 5 %; CodeDeploy rolled back 50 s later.",
                   figures=(Figure("canary.rollback_s", 50.0, "s", "rollback after alarm", "good"),
                            Figure("canary.detect_s", 10.0, "s", "alarm after errors")),
                   charts=(chart,), text="00:00 deploy v2, 10 % canary\n01:00 step 25 %\n03:10 alarm ALARM\n"
                                         "04:00 rollback\n<script>not a script</script>")


def scaling_section() -> Section:
    tasks = ((0.0, 3.0), (120.0, 3.0), (300.0, 2.0), (600.0, 1.0), (900.0, 0.0), (1500.0, 0.0))
    chart = Chart(kind="xy", title="Running tasks after the last request", x_label="time", y_label="tasks",
                  x_is_time=True, series=(Series("running tasks", tasks, style="step", tone="good"),),
                  markers=(Marker(60, "last request"), Marker(900, "zero", "good")))
    return Section(kind="scaling", title="Service scales to zero when idle", verdict="good",
                   summary="Zero tasks 14 min after the last request (criterion: 15 min).",
                   figures=(Figure("scaling.zero_after_s", 840.0, "s", "zero after", "good"),), charts=(chart,))


def load_section(seed: int = 3) -> Section:
    rng = random.Random(seed)
    p50 = tuple((float(t), 40 + 5 * math.sin(t / 30) + rng.random() * 4) for t in range(0, 300, 5))
    p95 = tuple((t, y * 2.6 + rng.random() * 20) for t, y in p50)
    rps = tuple((float(t), min(200.0, t * 1.5)) for t in range(0, 300, 5))
    chart = Chart(kind="xy", title="Locust percentiles over time", x_label="time", y_label="ms", y2_label="req/s",
                  x_is_time=True, series=(Series("p50", p50), Series("p95", p95, tone="warn"),
                                          Series("requests/s", rps, axis="right", style="line")),
                  thresholds=(Threshold(200.0, "p95 budget 200 ms"),))
    return Section(kind="load", title="API holds 200 req/s", verdict="good",
                   summary="p95 stayed under the 200 ms budget at 200 requests per second.",
                   figures=(Figure("load.p95_ms", 142.3, "ms", "p95", "good"), Figure("load.rps", 200, "req/s",
                                                                                       "throughput")),
                   charts=(chart,))


def build_race_section() -> Section:
    spans = (Span("build 1", 0, 95, "ok", "good"), Span("build 2", 12, 140, "lock wait", "warn"),
             Span("build 3", 20, 61, "failed: state lock held", "bad"), Span("build 2", 140, 180, "apply", "good"),
             Span("kill", 60, 60, "kill -9", "bad"))
    return Section(kind="build-race", title="Concurrent builds keep the state lock", verdict="bad",
                   summary="Build 3 failed on the state lock 61 s in.",
                   figures=(Figure("build_race.failures", 1, "", "failed builds", "bad"),),
                   charts=(Chart(kind="gantt", title="Build race schedule", x_label="time", x_is_time=True,
                                 spans=spans),))


FEATURE_FILE = "features/orders.feature"
RACE_ERROR = """DeployError: BuildTable (AWS::DynamoDB::Table): ResourceInUseException
at src/pytest_infra_parity/deploy/applier.py:212

[...]
    def _create(self, resource: StackResource) -> None:
>       raise DeployError(f"{resource.logical_id} ({resource.resource_type}): {code}")
E       pytest_infra_parity.errors.DeployError: BuildTable (AWS::DynamoDB::Table): ResourceInUseException

src/pytest_infra_parity/deploy/applier.py:212: DeployError"""
"""An error as ``report.collect`` writes it: the headline, a blank line, the end of the traceback."""


def _record(test: str, title: str, outcome: str, duration: float, **fields: Any) -> ScenarioRecord:
    return ScenarioRecord(f"{FEATURE_FILE}::{test}", title, outcome, duration, feature="Orders API",
                          feature_file=FEATURE_FILE, target="moto", **fields)


def _scenarios(number: int) -> list[ScenarioRecord]:
    """A cycle of realistic scenarios (every outcome), numbered ``number``."""
    return [
        _record(f"test_canary_{number}", "Canary deployment rolls back on errors", "passed", 42.5,
                       design="orders-api", steps=_steps('the "orders-api" design is deployed',
                                                         "v2 returns errors", "the canary rolls back"),
                       sections=[deploy_section(), canary_section(number)]),
        _record(f"test_parity_{number}", "Staging matches the design", "failed", 3.2,
                       design="orders-api", message="2 properties differ from the design\n"
                       "  OrdersTable.BillingMode: PAY_PER_REQUEST != PROVISIONED\n\n"
                       "Read from the target at 02:00:05 (a pytest.fail message: shown whole)",
                       steps=_steps('the "orders-api" design is deployed', "the live resources are read",
                                    "they match the design", "no policy is violated", failed_at=2),
                       sections=[parity_section(), policies_section()]),
        _record(f"test_cost_{number}", "The design fits its budget", "passed", 0.8,
                       design="orders-api, orders-db", sections=[cost_section()],
                       steps=_steps('the "orders-api" design is priced', "it costs less than 150 EUR a month")),
        _record(f"test_scaling_{number}", "Idle service scales to zero", "xfailed", 5.0,
                       design="orders-api", message="moto does not emulate Fargate task draining",
                       sections=[scaling_section()]),
        _record(f"test_load_{number}", "API holds 200 req/s", "xpassed", 310.0,
                       design="orders-api", sections=[load_section(number)]),
        _record(f"test_race_{number}", "Concurrent builds keep the state lock", "error", 181.0,
                       design="build-farm", message=RACE_ERROR, sections=[build_race_section()]),
        _record(f"test_kill_{number}", "Killing a task keeps the API up", "skipped", 0.0,
                       design="orders-api", message="the kill scenario needs a target with ECS tasks"),
        _record(f"test_smoke_{number}", "The API answers", "passed", 0.4, design="orders-api",
                       steps=_steps('the "orders-api" design is deployed', "GET /orders answers 200")),
    ]


def _top_up(scenario: ScenarioRecord, charts: int, seed: int) -> None:
    """Add chart sections to ``scenario`` until it has ``charts`` charts."""
    extras = (scaling_section, lambda: load_section(seed), build_race_section, cost_section,
              lambda: canary_section(seed))
    index = seed
    while sum(len(section.charts) for section in scenario.sections) < charts:
        scenario.sections.append(extras[index % len(extras)]())
        index += 1


def build_run(scenarios: int = 8, *, charts_per_scenario: int = 0) -> RunRecord:
    """A run of ``scenarios`` scenarios cycling through every outcome and section kind (topped up to
    ``charts_per_scenario`` charts each when given: a chart-heavy nightly run)."""
    records: list[ScenarioRecord] = []
    number = 0
    while len(records) < scenarios:
        number += 1
        records.extend(_scenarios(number))
    for seed, scenario in enumerate(records[:scenarios]):
        _top_up(scenario, charts_per_scenario, seed)
    return RunRecord(started="2025-06-01T02:00:03+00:00", target="moto", region="eu-west-3",
                     plugin_version="0.1.0", duration=sum(s.duration for s in records[:scenarios]),
                     scenarios=records[:scenarios], notes=["Nightly staging run", "xdist: 2 workers"])


@pytest.fixture
def sample_run() -> RunRecord:
    """One scenario of each outcome, with every section kind and every chart kind."""
    return build_run(8)


@pytest.fixture
def run_builder() -> RunBuilder:
    """Builds a run of N scenarios (for size measurements)."""
    return build_run
