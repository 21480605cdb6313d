"""Live readers of functions, aliases, HTTP APIs and stages, ECS, load balancing and scaling targets.

APIs read: Lambda ``GetFunction`` (configuration, tags and reserved concurrency in one answer),
``GetAlias``; CloudWatch Logs ``DescribeLogGroups`` for the function's log group (``LoggingConfig``
or ``/aws/lambda/<name>``); API Gateway v2 ``GetApi``, ``GetStage``; ECS ``DescribeClusters``,
``DescribeServices``, ``DescribeTaskDefinition`` (``include=TAGS``); ELBv2 ``DescribeLoadBalancers``,
``DescribeTargetGroups``, ``DescribeTags``; Application Auto Scaling ``DescribeScalableTargets``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_infra_parity.inventory import encryption
from pytest_infra_parity.inventory.live_common import Context, Missing, Target, set_tags, tag_list
from pytest_infra_parity.inventory.live_storage import find_log_group
from pytest_infra_parity.inventory.model import UNKNOWN, Resource
from pytest_infra_parity.inventory.values import as_int, dig


def function(ctx: Context, target: Target) -> Resource:
    answer = ctx.fetch(target, "function", ctx.clients("lambda").get_function, main=True, FunctionName=target.ident)
    config = answer["Configuration"]
    name = config["FunctionName"]
    resource = ctx.resource(target, physical_id=name, arn=config.get("FunctionArn"))
    key = config.get("KMSKeyArn")
    resource.encryption = ctx.key_encryption(key) if key else encryption.LAMBDA_DEFAULT
    resource.settings.update({
        "runtime": config.get("Runtime"), "memory": config.get("MemorySize", 128), "timeout": config.get("Timeout", 3),
        "reserved_concurrency": as_int(dig(answer, "Concurrency", "ReservedConcurrentExecutions")),
        "architectures": list(config.get("Architectures") or ["x86_64"]),
        "dlq": dig(config, "DeadLetterConfig", "TargetArn"),
    })
    group = dig(config, "LoggingConfig", "LogGroup") or f"/aws/lambda/{name}"
    if group != f"/aws/lambda/{name}":
        resource.settings["log_group_name"] = group
    resource.observability.tracing = dig(config, "TracingConfig", "Mode") == "Active"
    found = find_log_group(ctx, target, group)
    if found is UNKNOWN:
        resource.observability.log_group = resource.observability.log_retention_days = UNKNOWN
    elif found is not None:
        resource.observability.log_group = group
        resource.observability.log_retention_days = as_int(found.get("retentionInDays"))
    set_tags(resource, target, lambda: answer.get("Tags") or {})
    return resource


def alias(ctx: Context, target: Target) -> Resource:
    function_name, _, alias_name = target.ident.split(":function:", 1)[-1].partition(":")
    found = ctx.fetch(target, "alias", ctx.clients("lambda").get_alias, main=True, FunctionName=function_name,
                      Name=alias_name)
    resource = ctx.resource(target, physical_id=found.get("AliasArn", target.ident), arn=found.get("AliasArn"))
    resource.settings.update({"function": function_name, "version": found.get("FunctionVersion")})
    return resource


def http_api(ctx: Context, target: Target) -> Resource:
    found = ctx.fetch(target, "API", ctx.clients("apigatewayv2").get_api, main=True, ApiId=target.ident)
    resource = ctx.resource(target, arn=f"arn:aws:apigateway:{ctx.region}::/apis/{target.ident}")
    resource.settings["protocol"] = found.get("ProtocolType")
    if not target.logical:
        resource.name = str(found.get("Name") or target.name)
    set_tags(resource, target, lambda: found.get("Tags") or {})
    return resource


def api_stage(ctx: Context, target: Target) -> Resource:
    api_id = target.extra.get("ApiId")
    if not api_id and target.arn and "/apis/" in target.arn:
        api_id = target.arn.split("/apis/", 1)[1].split("/", 1)[0]
    if not api_id:
        raise Missing(f"{target.describe()}: its API id is not known")
    found = ctx.fetch(target, "stage", ctx.clients("apigatewayv2").get_stage, main=True, ApiId=str(api_id),
                      StageName=target.ident)
    arn = f"arn:aws:apigateway:{ctx.region}::/apis/{api_id}/stages/{target.ident}"
    resource = ctx.resource(target, arn=arn)
    resource.settings.update({"api": str(api_id), "stage": target.ident, "auto_deploy": bool(found.get("AutoDeploy"))})
    set_tags(resource, target, lambda: found.get("Tags") or {})
    return resource


def _ecs_one(ctx: Context, target: Target, answer: Any, key: str) -> Any:
    items = [i for i in answer.get(key, []) if i.get("status") != "INACTIVE"]
    if not items:
        raise Missing(f"{target.describe()}: does not exist ({answer.get('failures') or 'inactive'})")
    return items[0]


def cluster(ctx: Context, target: Target) -> Resource:
    answer = ctx.fetch(target, "cluster", ctx.clients("ecs").describe_clusters, main=True,
                       clusters=[target.ident], include=["TAGS"])
    found = _ecs_one(ctx, target, answer, "clusters")
    resource = ctx.resource(target, physical_id=found["clusterName"], arn=found.get("clusterArn"))
    set_tags(resource, target, lambda: tag_list(found.get("tags"), "key", "value"))
    return resource


def service(ctx: Context, target: Target) -> Resource:
    parts = target.ident.split(":", 5)[-1].split("/")
    cluster_name = str(target.extra.get("Cluster") or (parts[1] if len(parts) == 3 else "default"))
    cluster_name = cluster_name.rsplit("/", 1)[-1]
    answer = ctx.fetch(target, "service", ctx.clients("ecs").describe_services, main=True, cluster=cluster_name,
                       services=[target.ident], include=["TAGS"])
    found = _ecs_one(ctx, target, answer, "services")
    resource = ctx.resource(target, arn=found.get("serviceArn"))
    resource.settings.update({"desired_count": found.get("desiredCount"), "launch_type": found.get("launchType"),
                              "cluster": cluster_name})
    set_tags(resource, target, lambda: tag_list(found.get("tags"), "key", "value"))
    return resource


def task_definition(ctx: Context, target: Target) -> Resource:
    answer = ctx.fetch(target, "task definition", ctx.clients("ecs").describe_task_definition, main=True,
                       taskDefinition=target.ident, include=["TAGS"])
    found = answer["taskDefinition"]
    if found.get("status") == "INACTIVE":
        raise Missing(f"{target.describe()}: is deregistered")
    resource = ctx.resource(target, arn=found.get("taskDefinitionArn"))
    resource.settings.update({"cpu": found.get("cpu"), "memory": found.get("memory")})
    set_tags(resource, target, lambda: tag_list(answer.get("tags"), "key", "value"))
    return resource


def _elb_tags(ctx: Context, target: Target, arn: str) -> Any:
    answer = ctx.fetch(target, "tags", ctx.clients("elbv2").describe_tags, ResourceArns=[arn])
    if answer is UNKNOWN:
        return UNKNOWN
    return tag_list(dig(answer, "TagDescriptions", 0, "Tags"))


def load_balancer(ctx: Context, target: Target) -> Resource:
    answer = ctx.fetch(target, "load balancer", ctx.clients("elbv2").describe_load_balancers, main=True,
                       LoadBalancerArns=[target.ident])
    found = answer["LoadBalancers"][0]
    resource = ctx.resource(target, arn=found.get("LoadBalancerArn"))
    resource.settings.update({"scheme": found.get("Scheme"), "type": found.get("Type")})
    set_tags(resource, target, lambda: _elb_tags(ctx, target, target.ident))
    return resource


def target_group(ctx: Context, target: Target) -> Resource:
    answer = ctx.fetch(target, "target group", ctx.clients("elbv2").describe_target_groups, main=True,
                       TargetGroupArns=[target.ident])
    found = answer["TargetGroups"][0]
    resource = ctx.resource(target, arn=found.get("TargetGroupArn"))
    resource.settings.update({"protocol": found.get("Protocol"), "port": found.get("Port"),
                              "target_type": found.get("TargetType")})
    set_tags(resource, target, lambda: _elb_tags(ctx, target, target.ident))
    return resource


def scalable_target(ctx: Context, target: Target) -> Resource:
    resource_id, dimension, namespace = [*target.ident.split("|"), "", "", ""][:3]
    answer = ctx.fetch(target, "scalable target", ctx.clients("application-autoscaling").describe_scalable_targets,
                       main=True, ServiceNamespace=namespace, ResourceIds=[resource_id], ScalableDimension=dimension)
    found = next(iter(answer.get("ScalableTargets", [])), None)
    if found is None:
        raise Missing(f"{target.describe()}: does not exist")
    resource = ctx.resource(target, arn=found.get("ScalableTargetARN"))
    resource.settings.update({
        "service_namespace": namespace, "resource_id": resource_id, "scalable_dimension": dimension,
        "min_capacity": found.get("MinCapacity"), "max_capacity": found.get("MaxCapacity"),
    })
    return resource


READERS: dict[str, Callable[[Context, Target], Resource]] = {
    "AWS::Lambda::Function": function,
    "AWS::Lambda::Alias": alias,
    "AWS::ApiGatewayV2::Api": http_api,
    "AWS::ApiGatewayV2::Stage": api_stage,
    "AWS::ECS::Cluster": cluster,
    "AWS::ECS::Service": service,
    "AWS::ECS::TaskDefinition": task_definition,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": load_balancer,
    "AWS::ElasticLoadBalancingV2::TargetGroup": target_group,
    "AWS::ApplicationAutoScaling::ScalableTarget": scalable_target,
}
