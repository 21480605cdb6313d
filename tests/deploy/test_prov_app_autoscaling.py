"""Application Auto Scaling provisioners (scalable target, step and target tracking policies) on moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ResourceMissing

from ._support import Deployed, assert_all_in_sync, tear_down

TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"
DIMENSION = "ecs:service:DesiredCount"
LABEL = "app/shop-alb/50dc6c495c0c9188/targetgroup/shop-web/943f017f100becff"


@pytest.fixture
def service_id(clients: Any, request: pytest.FixtureRequest) -> str:
    """``service/<cluster>/<service>`` of an ECS service (moto checks that a scaled service exists)."""
    ecs, name = clients("ecs"), f"aas-{request.node.name[-20:]}".replace("_", "-")
    ecs.create_cluster(clusterName=name)
    container = {"name": "c", "image": "x", "memory": 64}
    task = ecs.register_task_definition(family=name, containerDefinitions=[container])["taskDefinition"]
    arn = task["taskDefinitionArn"]
    ecs.create_service(cluster=name, serviceName="web", desiredCount=1, taskDefinition=arn)
    return f"service/{name}/web"


def policies(clients: Any, service_id: str) -> dict[str, dict[str, Any]]:
    answer = clients("application-autoscaling").describe_scaling_policies(ServiceNamespace="ecs",
                                                                         ResourceId=service_id)
    return {p["PolicyName"]: p for p in answer["ScalingPolicies"]}


def deploy_scaling(deploy: Callable[..., Deployed], service_id: str) -> list[Deployed]:
    """A target with min 0 and a scheduled action; a step policy, two target tracking policies."""
    suspended = {"DynamicScalingInSuspended": "false", "DynamicScalingOutSuspended": False,
                 "ScheduledScalingSuspended": False}
    nightly = {"ScheduledActionName": "nightly-off", "Schedule": "cron(0 22 * * ? *)", "Timezone": "UTC",
               "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": "0"}}
    target = deploy("ScalableTarget", TARGET, {
        "ServiceNamespace": "ecs", "ResourceId": service_id, "ScalableDimension": DIMENSION,
        "MinCapacity": "0", "MaxCapacity": 4, "RoleARN": "arn:aws:iam::123456789012:role/scaling",
        "SuspendedState": suspended, "ScheduledActions": [nightly],
    })
    steps = [{"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": "10", "ScalingAdjustment": 1},
             {"MetricIntervalLowerBound": "10", "ScalingAdjustment": "2"}]
    step = deploy("StepOut", POLICY, {
        "PolicyName": "step-out", "PolicyType": "StepScaling", "ScalingTargetId": target[2].physical_id,
        "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity", "Cooldown": "60",
                                           "MetricAggregationType": "Average", "MinAdjustmentMagnitude": 1,
                                           "StepAdjustments": steps},
    })
    per_target = {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": LABEL}
    tracking = deploy("RequestsPerTarget", POLICY, {
        "PolicyName": "requests-per-target", "PolicyType": "TargetTrackingScaling",
        "ServiceNamespace": "ecs", "ResourceId": service_id, "ScalableDimension": DIMENSION,
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": "100", "ScaleInCooldown": 120, "ScaleOutCooldown": "30", "DisableScaleIn": "false",
            "PredefinedMetricSpecification": per_target},
    })
    metric = {"MetricName": "CPUUtilization", "Namespace": "AWS/ECS", "Statistic": "Average",
              "Unit": "Percent", "Dimensions": [{"Name": "ServiceName", "Value": "web"}]}
    cpu = deploy("Cpu", POLICY, {
        "PolicyName": "cpu", "PolicyType": "TargetTrackingScaling", "ScalingTargetId": target[2].physical_id,
        "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.5,
                                                     "CustomizedMetricSpecification": metric},
    })
    return [target, step, tracking, cpu]


def check_read_back(clients: Any, service_id: str) -> None:
    scaling = clients("application-autoscaling")
    live = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[service_id])
    live = live["ScalableTargets"]
    assert (live[0]["MinCapacity"], live[0]["MaxCapacity"]) == (0, 4)
    actions = scaling.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=service_id)
    assert [(a["ScheduledActionName"], a["ScalableTargetAction"]) for a in actions["ScheduledActions"]] == [
        ("nightly-off", {"MinCapacity": 0, "MaxCapacity": 0})]
    by_name = policies(clients, service_id)
    steps = by_name["step-out"]["StepScalingPolicyConfiguration"]["StepAdjustments"]
    assert [s["ScalingAdjustment"] for s in steps] == [1, 2]
    tracked = by_name["requests-per-target"]["TargetTrackingScalingPolicyConfiguration"]
    assert tracked["PredefinedMetricSpecification"]["ResourceLabel"] == LABEL
    assert tracked["TargetValue"] == 100
    # Target tracking creates the managed AlarmHigh / AlarmLow pair (moto: always on CPUUtilization).
    managed = [a["AlarmName"] for a in by_name["requests-per-target"]["Alarms"]]
    assert len(managed) == 2 and {n.split("-")[-6] for n in managed} == {"AlarmHigh", "AlarmLow"}
    assert all(n.startswith(f"TargetTracking-{service_id}-") for n in managed)
    alarms = clients("cloudwatch").describe_alarms(AlarmNamePrefix=f"TargetTracking-{service_id}-")
    assert len(alarms["MetricAlarms"]) == 4  # two per target tracking policy


def check_drift_is_reported(clients: Any, service_id: str, deployed: list[Deployed]) -> None:
    scaling, (target, _, tracking, cpu) = clients("application-autoscaling"), deployed
    key = {"ServiceNamespace": "ecs", "ResourceId": service_id, "ScalableDimension": DIMENSION}
    scaling.register_scalable_target(**key, MinCapacity=1, MaxCapacity=10)
    assert target[0].verify(target[1], target[2]) == [
        "MinCapacity is 1, declared 0", "MaxCapacity is 10, declared 4"]
    tracked = policies(clients, service_id)["requests-per-target"]["TargetTrackingScalingPolicyConfiguration"]
    scaling.put_scaling_policy(**key, PolicyName="requests-per-target", PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration={**tracked, "TargetValue": 500.0,
                                                                         "ScaleOutCooldown": 300})
    changed = [p.split(" is ")[0] for p in tracking[0].verify(tracking[1], tracking[2])]
    assert "TargetTrackingScalingPolicyConfiguration.TargetValue" in changed
    assert "TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown" in changed
    cpu_alarm = policies(clients, service_id)["cpu"]["Alarms"][0]["AlarmName"]
    clients("cloudwatch").delete_alarms(AlarmNames=[cpu_alarm])
    assert cpu[0].verify(cpu[1], cpu[2]) == [f"managed alarm {cpu_alarm!r} is missing"]
    scaling.delete_scheduled_action(**key, ScheduledActionName="nightly-off")
    assert "scheduled action 'nightly-off' is missing" in target[0].verify(target[1], target[2])


def test_scalable_target_with_step_and_target_tracking_policies(
    deploy: Callable[..., Deployed], clients: Any, service_id: str
) -> None:
    deployed = deploy_scaling(deploy, service_id)
    assert_all_in_sync(deployed)
    target = deployed[0]
    assert target[2].physical_id == f"{service_id}|{DIMENSION}|ecs"
    assert target[2].attributes == {"Id": target[2].physical_id}
    for _, _, result in deployed[1:]:
        assert result.physical_id == result.attributes["Arn"] and ":scalingPolicy:" in result.physical_id
    check_read_back(clients, service_id)
    check_drift_is_reported(clients, service_id, deployed)

    # Delete in reverse order; then gone (with their managed alarms); again a no-op. moto leaves the alarms
    # of a policy replaced by put_scaling_policy (done above): only those the policies hold now must go.
    held = [a["AlarmName"] for p in policies(clients, service_id).values() for a in p["Alarms"]]
    assert len(held) == 4
    tear_down(deployed)
    assert policies(clients, service_id) == {}
    assert clients("cloudwatch").describe_alarms(AlarmNames=held)["MetricAlarms"] == []


def test_deleting_the_target_removes_its_policies_and_scheduled_actions(
    deploy: Callable[..., Deployed], clients: Any, service_id: str
) -> None:
    once = {"ScheduledActionName": "once", "Schedule": "at(2030-01-01T00:00:00)",
            "StartTime": "2029-12-31T00:00:00Z", "ScalableTargetAction": {"MaxCapacity": 3}}
    target = deploy("Target", TARGET, {
        "ServiceNamespace": "ecs", "ResourceId": service_id, "ScalableDimension": DIMENSION,
        "MinCapacity": 1, "MaxCapacity": 2, "ScheduledActions": [once],
    })
    cpu = {"TargetValue": 50, "PredefinedMetricSpecification": {
        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}
    policy = deploy("Policy", POLICY, {
        "PolicyName": "p", "PolicyType": "TargetTrackingScaling", "ScalingTargetId": target[2].physical_id,
        "TargetTrackingScalingPolicyConfiguration": cpu,
    })
    assert target[0].verify(target[1], target[2]) == [] and policy[0].verify(policy[1], policy[2]) == []
    target[0].delete(target[1], target[2])  # as AWS does, the policies and actions go with the target
    with pytest.raises(ResourceMissing):
        policy[0].verify(policy[1], policy[2])
    actions = clients("application-autoscaling").describe_scheduled_actions(ServiceNamespace="ecs",
                                                                            ResourceId=service_id)
    assert actions["ScheduledActions"] == []
    policy[0].delete(policy[1], policy[2])
    alarms = clients("cloudwatch").describe_alarms(AlarmNamePrefix=f"TargetTracking-{service_id}-")
    assert alarms["MetricAlarms"] == []
