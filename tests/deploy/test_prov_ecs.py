"""ECS provisioners (cluster, task definition, service) against the moto server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ResourceMissing
from pytest_infra_parity.deploy.provisioners.ecs import to_api

from ._support import Clients, Deployed, assert_all_in_sync, new_network, tear_down

ROLE = "arn:aws:iam::123456789012:role/"
TAGS = [{"Key": "app", "Value": "shop"}]


@pytest.fixture
def network(clients: Clients) -> dict[str, Any]:
    network = new_network(clients, "10.60", "ecs-test", "tasks")
    target_group = clients("elbv2").create_target_group(
        Name="ecs-test-web", Protocol="HTTP", Port=8080, VpcId=network["vpc"], TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    return {**network, "target_group": target_group}


def containers() -> list[dict[str, Any]]:
    """Three containers as a CloudFormation template writes them (PascalCase, some scalars as strings)."""
    options = {"awslogs-group": "/ecs/shop", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}
    check = ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"]
    web = {
        "Name": "web", "Image": "public.ecr.aws/nginx/nginx:1.27", "Essential": "true", "Cpu": "256",
        "Memory": 512, "PortMappings": [{"ContainerPort": "8080", "Protocol": "tcp", "Name": "http"}],
        "Environment": [{"Name": "STAGE", "Value": "test"}],
        "Secrets": [{"Name": "DB_PASSWORD", "ValueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}],
        "LogConfiguration": {"LogDriver": "awslogs", "Options": options},
        "HealthCheck": {"Command": check, "Interval": 30, "Timeout": 5, "Retries": "3", "StartPeriod": 10},
        "DependsOn": [{"ContainerName": "migrate", "Condition": "SUCCESS"}],
        "DockerLabels": {"Team": "shop"},
    }
    migrate = {"Name": "migrate", "Image": "busybox", "Essential": False, "Command": ["sh", "-c", "echo ok"],
               "EntryPoint": ["/bin/sh"], "MemoryReservation": "64"}
    xray = {"Name": "xray", "Image": "amazon/aws-xray-daemon", "Essential": False, "Cpu": 32,
            "MemoryReservation": 128, "PortMappings": [{"ContainerPort": 2000, "Protocol": "udp"}]}
    return [web, migrate, xray]


def deploy_stack(deploy: Callable[..., Deployed], network: dict[str, Any]) -> list[Deployed]:
    cluster = deploy("Cluster", "AWS::ECS::Cluster", {
        "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}],
        "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "DefaultCapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Weight": "1", "Base": 1}],
        "Configuration": {"ExecuteCommandConfiguration": {"Logging": "DEFAULT"}}, "Tags": TAGS,
    })
    task = deploy("Task", "AWS::ECS::TaskDefinition", {
        "Family": "shop-web", "Cpu": "0.5 vCPU", "Memory": "1 GB", "NetworkMode": "awsvpc",
        "RequiresCompatibilities": ["FARGATE"], "ExecutionRoleArn": f"{ROLE}exec",
        "TaskRoleArn": f"{ROLE}task",
        "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
        "EphemeralStorage": {"SizeInGiB": "30"}, "Volumes": [{"Name": "scratch"}],
        "ContainerDefinitions": containers(), "Tags": TAGS,
    })
    vpc = {"Subnets": network["subnets"][::-1], "SecurityGroups": [network["group"]],
           "AssignPublicIp": "DISABLED"}
    breaker = {"Enable": True, "Rollback": "true"}
    service = deploy("Service", "AWS::ECS::Service", {
        "Cluster": cluster[2].physical_id, "TaskDefinition": task[2].physical_id, "DesiredCount": "2",
        "LaunchType": "FARGATE", "PlatformVersion": "LATEST",
        "NetworkConfiguration": {"AwsvpcConfiguration": vpc},
        "LoadBalancers": [{"TargetGroupArn": network["target_group"], "ContainerName": "web",
                           "ContainerPort": "8080"}],
        "DeploymentConfiguration": {"MinimumHealthyPercent": 50, "MaximumPercent": "200",
                                    "DeploymentCircuitBreaker": breaker},
        "HealthCheckGracePeriodSeconds": 60, "EnableExecuteCommand": "true", "PropagateTags": "SERVICE",
        "SchedulingStrategy": "REPLICA", "Tags": TAGS,
    })
    return [cluster, task, service]


def check_attributes(cluster: Deployed, task: Deployed, service: Deployed) -> None:
    """Ref and GetAtt values as CloudFormation gives them."""
    name = cluster[2].physical_id
    assert name.startswith("t-") and cluster[2].attributes["Arn"].endswith(f":cluster/{name}")
    assert re.fullmatch(r"arn:aws:ecs:us-east-1:\d{12}:task-definition/shop-web:\d+", task[2].physical_id)
    assert task[2].attributes == {"TaskDefinitionArn": task[2].physical_id}
    assert service[2].attributes["ServiceArn"] == service[2].physical_id
    assert service[2].physical_id.endswith(f"/{service[2].attributes['Name']}")


def check_read_back(
    ecs: Any, cluster: Deployed, task: Deployed, service: Deployed, network: dict[str, Any]
) -> None:
    name = cluster[2].physical_id
    live_cluster = ecs.describe_clusters(clusters=[name], include=["SETTINGS"])["clusters"][0]
    assert live_cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    live_task = ecs.describe_task_definition(taskDefinition=task[2].physical_id)["taskDefinition"]
    assert (live_task["cpu"], live_task["memory"]) == ("512", "1024")
    web, migrate, xray = live_task["containerDefinitions"]
    assert (web["essential"], web["cpu"], web["portMappings"][0]["containerPort"]) == (True, 256, 8080)
    assert web["logConfiguration"]["options"]["awslogs-stream-prefix"] == "web"
    assert web["dockerLabels"] == {"Team": "shop"} and web["healthCheck"]["retries"] == 3
    assert web["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]
    assert (migrate["entryPoint"], migrate["memoryReservation"]) == (["/bin/sh"], 64)
    assert xray["portMappings"][0]["protocol"] == "udp"
    live = ecs.describe_services(cluster=name, services=[service[2].physical_id])["services"][0]
    assert live["launchType"] == "FARGATE"  # moto's CloudFormation drops it; the direct API keeps it
    assert live["desiredCount"] == 2
    wiring = {"targetGroupArn": network["target_group"], "containerName": "web", "containerPort": 8080}
    assert live["loadBalancers"] == [wiring]
    assert live["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert live["healthCheckGracePeriodSeconds"] == 60 and live["enableExecuteCommand"] is True
    subnets = live["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    assert sorted(subnets) == sorted(network["subnets"])


def check_drift_is_reported(ecs: Any, cluster: Deployed, task: Deployed, service: Deployed) -> None:
    deployment = {"minimumHealthyPercent": 100, "maximumPercent": 200}
    ecs.update_service(cluster=cluster[2].physical_id, service=service[2].physical_id, desiredCount=5,
                       deploymentConfiguration=deployment)
    problems = service[0].verify(service[1], service[2])
    assert "desiredCount is 5, declared 2" in problems
    assert "deploymentConfiguration.minimumHealthyPercent is 100, declared 50" in problems
    insights_off = [{"name": "containerInsights", "value": "disabled"}]
    ecs.update_cluster(cluster=cluster[2].physical_id, settings=insights_off)
    assert cluster[0].verify(cluster[1], cluster[2]) == [
        "settings[0].value is 'disabled', declared 'enabled'"]
    ecs.untag_resource(resourceArn=task[2].physical_id, tagKeys=["app"])
    assert task[0].verify(task[1], task[2]) == ["tag 'app' is missing (declared 'shop')"]


def test_fargate_service_with_three_containers_behind_a_target_group(
    deploy: Callable[..., Deployed], clients: Any, network: dict[str, Any]
) -> None:
    ecs = clients("ecs")
    deployed = deploy_stack(deploy, network)
    assert_all_in_sync(deployed)
    cluster, task, service = deployed
    check_attributes(cluster, task, service)
    check_read_back(ecs, cluster, task, service, network)
    check_drift_is_reported(ecs, cluster, task, service)

    tear_down(deployed)  # in reverse order (the service is scaled to 0 and deleted); then gone; again a no-op
    name, arn = cluster[2].physical_id, service[2].physical_id
    gone = ecs.describe_services(cluster=name, services=[arn])["services"]
    assert gone[0]["status"] == "INACTIVE" and gone[0]["desiredCount"] == 0
    status = ecs.describe_task_definition(taskDefinition=task[2].physical_id)["taskDefinition"]["status"]
    assert status != "ACTIVE"


def test_task_definition_deregistered_out_of_band_is_missing(
    deploy: Callable[..., Deployed], clients: Any
) -> None:
    task = deploy("Worker", "AWS::ECS::TaskDefinition", {
        "ContainerDefinitions": [{"Name": "w", "Image": "busybox", "Memory": "128"}]})
    assert task[2].physical_id.split("/")[-1].startswith("t-test-task-definition-deregis")
    assert task[0].verify(task[1], task[2]) == []
    clients("ecs").deregister_task_definition(taskDefinition=task[2].physical_id)
    with pytest.raises(ResourceMissing):
        task[0].verify(task[1], task[2])
    task[0].delete(task[1], task[2])


def test_to_api_converts_cloudformation_names() -> None:
    efs = {"FilesystemId": "fs-1", "TransitEncryption": "ENABLED", "AuthorizationConfig": {"IAM": "ENABLED"}}
    declared = {
        "Volumes": [{"Name": "data", "EFSVolumeConfiguration": efs}],
        "ContainerDefinitions": [{"DockerLabels": {"Key": "V"}, "LogConfiguration": {"Options": {"M": "x"}}}],
        "PlacementStrategies": [{"Type": "spread", "Field": "attribute:ecs.availability-zone"}],
    }
    api_efs = {"fileSystemId": "fs-1", "transitEncryption": "ENABLED",
               "authorizationConfig": {"iam": "ENABLED"}}
    assert to_api(declared) == {
        "volumes": [{"name": "data", "efsVolumeConfiguration": api_efs}],
        "containerDefinitions": [{"dockerLabels": {"Key": "V"}, "logConfiguration": {"options": {"M": "x"}}}],
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
    }
