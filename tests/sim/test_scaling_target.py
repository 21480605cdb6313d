"""Reading a deployed service's scaling configuration from a moto server, and writing the outcome back."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from pytest_infra_parity.errors import DesignError
from pytest_infra_parity.sim.ecs import ECR_IN_REGION
from pytest_infra_parity.sim.scaling_target import ResourceRef, ScalingBinding, read_scaling_config
from pytest_infra_parity.sim.scaling_wallclock import WallClock

REGION = "us-east-1"
Clients = Callable[[str], Any]


@pytest.fixture(scope="module")
def clients(moto_endpoint: str) -> Clients:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    cache: dict[str, Any] = {}

    def factory(service: str) -> Any:
        if service not in cache:
            cache[service] = session.client(service, endpoint_url=moto_endpoint)
        return cache[service]

    return factory


def _service(clients: Clients, name: str, tg_arn: str) -> str:
    ecs = clients("ecs")
    ecs.create_cluster(clusterName=name)
    ecs.register_task_definition(family=name, containerDefinitions=[
        {"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1", "memory": 512,
         "portMappings": [{"containerPort": 80}]}])
    service = ecs.create_service(cluster=name, serviceName=name, taskDefinition=name, desiredCount=2,
                                 healthCheckGracePeriodSeconds=45,
                                 loadBalancers=[{"targetGroupArn": tg_arn, "containerName": "app",
                                                 "containerPort": 80}])
    return str(service["service"]["serviceArn"])


def _scaling(clients: Clients, name: str) -> dict[str, str]:
    scaling, key = clients("application-autoscaling"), {
        "ServiceNamespace": "ecs", "ResourceId": f"service/{name}/{name}",
        "ScalableDimension": "ecs:service:DesiredCount"}
    scaling.register_scalable_target(MinCapacity=0, MaxCapacity=4, **key)
    scaling.put_scheduled_action(ScheduledActionName="warm", Schedule="cron(0 9 ? * MON-FRI *)",
                                 Timezone="Europe/Paris", ScalableTargetAction={"MinCapacity": 1}, **key)
    step = scaling.put_scaling_policy(PolicyName=f"{name}-in", PolicyType="StepScaling", **key,
                                      StepScalingPolicyConfiguration={
                                          "AdjustmentType": "ExactCapacity", "Cooldown": 60,
                                          "StepAdjustments": [{"MetricIntervalUpperBound": 0, "ScalingAdjustment": 0}]})
    scaling.put_scaling_policy(PolicyName=f"{name}-tt", PolicyType="TargetTrackingScaling", **key,
                               TargetTrackingScalingPolicyConfiguration={
                                   "TargetValue": 20, "PredefinedMetricSpecification": {
                                       "PredefinedMetricType": "ALBRequestCountPerTarget",
                                       "ResourceLabel": "app/x/y/tg/z"}})
    return {"step": str(step["PolicyARN"])}


@pytest.fixture(scope="module")
def deployed(clients: Clients) -> Iterator[tuple[list[ResourceRef], str]]:
    name = "h6-scaling-target"
    vpc = clients("ec2").create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    group = clients("elbv2").create_target_group(
        Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip", HealthCheckIntervalSeconds=10,
        HealthyThresholdCount=3, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
    clients("elbv2").modify_target_group_attributes(TargetGroupArn=group, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "45"}])
    service_arn = _service(clients, name, group)
    arns = _scaling(clients, name)
    clients("cloudwatch").put_metric_alarm(
        AlarmName=f"{name}-idle", ComparisonOperator="LessThanThreshold", Threshold=1, EvaluationPeriods=5,
        Period=60, Namespace="AWS/ApplicationELB", MetricName="RequestCount", Statistic="Sum",
        TreatMissingData="breaching", AlarmActions=[arns["step"]])
    refs = [ResourceRef("Service", "AWS::ECS::Service", service_arn, {"Cluster": name,
                                                                      "HealthCheckGracePeriodSeconds": 45}),
            ResourceRef("Idle", "AWS::CloudWatch::Alarm", f"{name}-idle")]
    yield refs, name


def test_the_configuration_is_read_from_the_target(clients: Clients, deployed: tuple[list[ResourceRef], str]) -> None:
    refs, name = deployed
    config = read_scaling_config(clients, refs, section={"runs": 4}, requests_per_second=0.5)
    assert config.service == name and config.initial_desired == 2
    assert (config.target.min_capacity, config.target.max_capacity) == (0, 4)
    assert (config.health.interval, config.health.healthy_threshold, config.health.initial_checks) == (10, 3, 1)
    assert config.deregistration_delay == 45.0
    assert config.timings.task.grace_period == 45.0 and config.timings.runs == 4
    # moto: drops healthCheckGracePeriodSeconds on CreateService; the template's value is used, with a note.
    assert any("healthCheckGracePeriodSeconds taken from the template (45)" in note for note in config.notes)
    assert config.timings.start_latency is ECR_IN_REGION  # the task's image is in ECR
    assert [p.adjustment_type for p in config.step_policies] == ["ExactCapacity"]
    assert [s.name for s in config.scheduled] == ["warm"] and config.scheduled[0].timezone == "Europe/Paris"
    names = {str(a["AlarmName"]) for a in config.alarms}
    assert f"{name}-idle" in names
    high = next(a for a in config.alarms if "AlarmHigh" in str(a["AlarmName"]))
    # moto: its managed alarms watch CPUUtilization with threshold 6; they come back rebuilt under moto's names.
    assert (high["MetricName"], high["Threshold"], high["EvaluationPeriods"]) == ("RequestCountPerTarget", 20.0, 3)
    policy = clients("application-autoscaling").describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId=f"service/{name}/{name}")["ScalingPolicies"]
    moto_names = {a["AlarmName"] for p in policy for a in p.get("Alarms") or []}
    assert str(high["AlarmName"]) in moto_names
    assert any("AlarmHigh of target tracking policy" in note for note in config.notes)


def test_outcomes_are_written_back(clients: Clients, deployed: tuple[list[ResourceRef], str]) -> None:
    refs, name = deployed
    config = read_scaling_config(clients, refs)
    binding = ScalingBinding.for_config(clients, config)
    binding.write_desired(0)
    described = clients("ecs").describe_services(cluster=name, services=[name])["services"][0]
    assert described["desiredCount"] == 0
    binding.write_alarm_state(f"{name}-idle", "ALARM", "Threshold Crossed: emulated", {"recentDatapoints": [0.0]})
    alarm = clients("cloudwatch").describe_alarms(AlarmNames=[f"{name}-idle"])["MetricAlarms"][0]
    assert (alarm["StateValue"], alarm["StateReason"]) == ("ALARM", "Threshold Crossed: emulated")
    binding.write_alarm_state("not-an-alarm-of-this-service", "OK", "ignored")
    assert binding.written == ["desiredCount=0", f"{name}-idle=ALARM"]
    binding.write_desired(2)


def test_a_stack_without_one_ecs_service_is_refused(clients: Clients) -> None:
    with pytest.raises(DesignError, match=r"needs exactly one AWS::ECS::Service.*the stack has: none"):
        read_scaling_config(clients, [ResourceRef("Queue", "AWS::SQS::Queue", "q")])
    with pytest.raises(DesignError, match=r"scaling\.service 'Web' is not an AWS::ECS::Service of the stack"):
        read_scaling_config(clients, [ResourceRef("Api", "AWS::ECS::Service", "arn")], section={"service": "Web"})


def test_wall_clock_wait_is_bounded_with_a_clear_message(clients: Clients,
                                                         deployed: tuple[list[ResourceRef], str]) -> None:
    _, name = deployed
    ticks = [0.0]
    clock = WallClock(clients, name, name, sleep=lambda s: ticks.__setitem__(0, ticks[0] + s), now=lambda: ticks[0])
    waited = clock.wait_for_tasks(0, since=0.0, timeout=60.0, interval=15.0)
    assert not waited.reached and waited.polls == 5  # at 0, 15, 30, 45 and 60 s: never past the bound
    assert waited.message.startswith(f"after 60.0 s the service {name} still has desiredCount 2")
    assert "did not reach 0 running task(s) within 60 s" in waited.message


class _Flaky(http.server.BaseHTTPRequestHandler):
    answers = [503, 503, 200]

    def do_GET(self) -> None:
        self.send_response(self.answers.pop(0) if len(self.answers) > 1 else self.answers[0])
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


def test_wall_clock_first_success_on_a_real_http_endpoint(clients: Clients) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        clock = WallClock(clients, "c", "s", sleep=lambda s: None)
        waited = clock.first_success(f"http://127.0.0.1:{server.server_port}/", rate=100.0, timeout=10.0)
        assert waited.reached and waited.polls == 3 and waited.seen[0].endswith(" 503")
        gone = clock.first_success("http://127.0.0.1:9/", rate=100.0, timeout=0.05)
        assert not gone.reached and "no successful response from http://127.0.0.1:9/ within 0.05 s" in gone.message
    finally:
        server.shutdown()
