"""ECS provisioners: clusters, task definitions and services.

CloudFormation spells ECS properties in PascalCase, the API in camelCase: :func:`to_api` converts a
declared structure recursively (``ContainerDefinitions[].PortMappings[].ContainerPort`` ->
``containerDefinitions[].portMappings[].containerPort``), keeping user maps (``DockerLabels``, log
``Options``...) verbatim and renaming the few keys that differ by more than the first letter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError, WaiterError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing
from pytest_infra_parity.deploy.provisioners._shapes import api_call, coerced, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    error_code,
    is_not_found,
    tag_differences,
    tag_list,
    tag_map,
)

_RENAMED = {
    "EFSVolumeConfiguration": "efsVolumeConfiguration",
    "FSxWindowsFileServerVolumeConfiguration": "fsxWindowsFileServerVolumeConfiguration",
    "FilesystemId": "fileSystemId",
    "IAM": "iam",
    "ProxyConfigurationProperties": "properties",
    "PlacementStrategies": "placementStrategy",
    "ClusterSettings": "settings",
}
_VERBATIM = frozenset({"DockerLabels", "Options", "DriverOpts", "Labels"})


def to_api(value: Any) -> Any:
    """A CloudFormation (PascalCase) ECS structure in the API's camelCase, recursively."""
    if isinstance(value, Mapping):
        converted = {}
        for key, item in value.items():
            name = _RENAMED.get(key, key[:1].lower() + key[1:])
            converted[name] = dict(item) if key in _VERBATIM and isinstance(item, Mapping) else to_api(item)
        return converted
    if isinstance(value, list):
        return [to_api(item) for item in value]
    return value


def ecs_tags(request: ProvisionRequest) -> list[dict[str, str]] | None:
    return [{"key": t["Key"], "value": t["Value"]} for t in tag_list(request)] or None


def ecs_tag_differences(request: ProvisionRequest, live: Mapping[str, Any]) -> list[str]:
    return tag_differences(tag_map(request), {t["key"]: t["value"] for t in live.get("tags") or []})


def payload(request: ProvisionRequest, method: str, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The declared properties (but ``Tags`` and ``skip``) as ``method``'s coerced camelCase parameters."""
    declared = to_api({k: v for k, v in request.properties.items() if k not in skip and k != "Tags"})
    return coerced(request.client("ecs"), method, declared)


@register
class ClusterProvisioner:
    """AWS::ECS::Cluster. Identifier: the cluster name. Ref: the cluster name. GetAtt: Arn."""

    resource_type: ClassVar[str] = "AWS::ECS::Cluster"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "ClusterName",
            "ClusterSettings",
            "CapacityProviders",
            "DefaultCapacityProviderStrategy",
            "Configuration",
            "ServiceConnectDefaults",
            "Tags",
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        params = payload(request, "create_cluster")
        params["clusterName"] = request.prop("ClusterName") or default_name(request, 255)
        cluster = api_call(request.client("ecs"), "create_cluster", tags=ecs_tags(request), **params)[
            "cluster"
        ]
        return ProvisionResult(cluster["clusterName"], {"Arn": cluster["clusterArn"]})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        clusters = request.client("ecs").describe_clusters(
            clusters=[result.physical_id], include=["SETTINGS", "CONFIGURATIONS", "TAGS"]
        )["clusters"]
        if not clusters or clusters[0].get("status") != "ACTIVE":
            raise ResourceMissing(f"{request.logical_id} (cluster {result.physical_id}) does not exist")
        live = dict(clusters[0])
        declared = payload(request, "create_cluster", frozenset({"ClusterName"}))
        if "capacityProviders" in declared:
            declared["capacityProviders"] = sorted(declared["capacityProviders"])
            live["capacityProviders"] = sorted(live.get("capacityProviders") or [])
        return subset_differences("", declared, live) + ecs_tag_differences(request, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("ecs").delete_cluster, cluster=result.physical_id)


def _units(value: Any, unit: str) -> Any:
    """``"1 vCPU"`` -> ``"1024"``, ``"2 GB"`` -> ``"2048"``: the form ECS stores (and returns)."""
    match = re.fullmatch(rf"\s*([0-9.]+)\s*{unit}\s*", str(value), flags=re.IGNORECASE)
    return str(int(float(match.group(1)) * 1024)) if match else value


def _unknown_task_definition(exc: ClientError) -> bool:
    """ECS answers a plain ``ClientException`` ("Unable to describe task definition") for an unknown ARN."""
    return is_not_found(exc) or error_code(exc) == "ClientException"


@register
class TaskDefinitionProvisioner:
    """AWS::ECS::TaskDefinition. Identifier: the task definition ARN (``family:revision``). Ref: the ARN.
    GetAtt: TaskDefinitionArn."""

    resource_type: ClassVar[str] = "AWS::ECS::TaskDefinition"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "Family",
            "Cpu",
            "Memory",
            "NetworkMode",
            "RequiresCompatibilities",
            "ContainerDefinitions",
            "ExecutionRoleArn",
            "TaskRoleArn",
            "RuntimePlatform",
            "EphemeralStorage",
            "Volumes",
            "PlacementConstraints",
            "ProxyConfiguration",
            "PidMode",
            "IpcMode",
            "Tags",
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        params = self._declared(request)
        definition = request.client("ecs").register_task_definition(tags=ecs_tags(request) or [], **params)
        arn = definition["taskDefinition"]["taskDefinitionArn"]
        return ProvisionResult(arn, {"TaskDefinitionArn": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            answer = request.client("ecs").describe_task_definition(
                taskDefinition=result.physical_id, include=["TAGS"]
            )
        except ClientError as exc:
            if _unknown_task_definition(exc):
                raise ResourceMissing(f"{request.logical_id} ({result.physical_id}) does not exist") from exc
            raise
        live = answer["taskDefinition"]
        if live.get("status") != "ACTIVE":
            raise ResourceMissing(f"{request.logical_id} ({result.physical_id}) is {live.get('status')}")
        tags = ecs_tag_differences(request, {"tags": answer.get("tags")})
        return subset_differences("", self._declared(request), live) + tags

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ecs = request.client("ecs")
        try:
            live = ecs.describe_task_definition(taskDefinition=result.physical_id)["taskDefinition"]
        except ClientError as exc:
            if _unknown_task_definition(exc):
                return
            raise
        if live.get("status") == "ACTIVE":
            ecs.deregister_task_definition(taskDefinition=result.physical_id)

    @staticmethod
    def _declared(request: ProvisionRequest) -> dict[str, Any]:
        params = payload(request, "register_task_definition")
        params["family"] = request.prop("Family") or default_name(request, 255)
        if "cpu" in params:
            params["cpu"] = _units(params["cpu"], "vcpu")
        if "memory" in params:
            params["memory"] = _units(params["memory"], "gb")
        return params


# update_service accepts these; a target that drops one on create_service gets it again that way.
_REAPPLIED = (
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "enableExecuteCommand",
    "placementConstraints",
    "placementStrategy",
    "serviceRegistries",
)


@register
class ServiceProvisioner:
    """AWS::ECS::Service. Identifier: the service ARN. Ref: the service ARN. GetAtt: Name, ServiceArn."""

    resource_type: ClassVar[str] = "AWS::ECS::Service"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "ServiceName",
            "Cluster",
            "TaskDefinition",
            "DesiredCount",
            "LaunchType",
            "CapacityProviderStrategy",
            "PlatformVersion",
            "NetworkConfiguration",
            "LoadBalancers",
            "DeploymentConfiguration",
            "DeploymentController",
            "HealthCheckGracePeriodSeconds",
            "EnableExecuteCommand",
            "EnableECSManagedTags",
            "PropagateTags",
            "SchedulingStrategy",
            "PlacementConstraints",
            "PlacementStrategies",
            "ServiceRegistries",
            "Role",
            "Tags",
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        ecs, cluster = request.client("ecs"), request.prop("Cluster", "default")
        params = self._declared(request)
        params["serviceName"] = request.prop("ServiceName") or default_name(request, 255)
        service = ecs.create_service(tags=ecs_tags(request) or [], **params)["service"]
        # moto: create_service drops capacityProviderStrategy, deploymentConfiguration,
        # healthCheckGracePeriodSeconds, enableExecuteCommand and placement settings (AWS stores them);
        # UpdateService stores them on both, so what the create answer lacks is applied again that way.
        dropped = {key: params[key] for key in _REAPPLIED if key in params and key not in service}
        if dropped:
            ecs.update_service(cluster=cluster, service=service["serviceArn"], **dropped)
        return ProvisionResult(
            service["serviceArn"], {"Name": service["serviceName"], "ServiceArn": service["serviceArn"]}
        )

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = self._live(request, result)
        if live is None:
            raise ResourceMissing(f"{request.logical_id} ({result.physical_id}) is not an active service")
        declared = self._declared(request)
        problems = self._cluster_and_task(request, live)
        for key in ("cluster", "taskDefinition", "role"):
            declared.pop(key, None)
        self._sort_network(declared)
        self._sort_network(live)
        return problems + subset_differences("", declared, live) + ecs_tag_differences(request, live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ecs, cluster = request.client("ecs"), request.prop("Cluster", "default")
        live = self._live(request, result)
        if live is None:
            return
        if live.get("schedulingStrategy") != "DAEMON":
            ignore_missing(ecs.update_service, cluster=cluster, service=result.physical_id, desiredCount=0)
        ignore_missing(ecs.delete_service, cluster=cluster, service=result.physical_id, force=True)
        try:
            ecs.get_waiter("services_inactive").wait(
                cluster=cluster, services=[result.physical_id], WaiterConfig={"Delay": 5, "MaxAttempts": 120}
            )
        except WaiterError as exc:
            raise ProvisionError(f"{request.logical_id}: service {result.physical_id} did not drain") from exc

    @staticmethod
    def _declared(request: ProvisionRequest) -> dict[str, Any]:
        params = payload(request, "create_service", frozenset({"ServiceName"}))
        params.setdefault("cluster", "default")
        if "desiredCount" not in params and params.get("schedulingStrategy") != "DAEMON":
            params["desiredCount"] = 1  # CloudFormation's default for a new replica service
        return params

    @staticmethod
    def _live(request: ProvisionRequest, result: ProvisionResult) -> dict[str, Any] | None:
        try:
            services = request.client("ecs").describe_services(
                cluster=request.prop("Cluster", "default"), services=[result.physical_id], include=["TAGS"]
            )["services"]
        except ClientError as exc:
            if is_not_found(exc):
                return None
            raise
        if not services or services[0].get("status") != "ACTIVE":
            return None
        return dict(services[0])

    @staticmethod
    def _cluster_and_task(request: ProvisionRequest, live: Mapping[str, Any]) -> list[str]:
        problems = []
        cluster, live_cluster = str(request.prop("Cluster", "default")), str(live.get("clusterArn"))
        if not (cluster == live_cluster or live_cluster.endswith(f":cluster/{cluster}")):
            problems.append(f"Cluster is {live_cluster!r}, declared {cluster!r}")
        task, live_task = request.prop("TaskDefinition"), str(live.get("taskDefinition"))
        if task is not None:
            family = live_task.rsplit("/", 1)[-1]
            if task not in (live_task, family, family.split(":")[0]):
                problems += differs("TaskDefinition", task, live_task)
        return problems

    @staticmethod
    def _sort_network(service: dict[str, Any]) -> None:
        vpc = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration")
        if isinstance(vpc, dict):
            for key in ("subnets", "securityGroups"):
                if key in vpc:
                    vpc[key] = sorted(vpc[key])
