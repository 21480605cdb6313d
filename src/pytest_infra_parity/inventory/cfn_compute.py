"""Template mappers of compute, API, container, observability and database kinds.

Property names and defaults are those of the CloudFormation resource reference of each type
(``AWS::Lambda::Function``: ``MemorySize`` 128, ``Timeout`` 3, ``Architectures`` ``[x86_64]``,
``TracingConfig.Mode`` ``PassThrough``; ``AWS::CloudWatch::Alarm``: ``TreatMissingData`` ``missing``;
``AWS::ElasticLoadBalancingV2::LoadBalancer``: ``Scheme`` ``internet-facing``, ``Type``
``application``...). HTTP APIs have no X-Ray tracing (API Gateway Developer Guide, "Tracing user
requests to REST APIs using X-Ray": REST APIs only), so their ``tracing`` stays ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.inventory import encryption
from pytest_infra_parity.inventory.model import UNKNOWN, Resource
from pytest_infra_parity.inventory.values import as_bool, as_int, as_number, as_text, default, dig

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.template import Declared

Mapper = Callable[[Resource, "Declared"], None]


def function_name_of(value: Any) -> Any:
    """A function name from a name, a partial ARN or an ARN (``arn:...:function:name[:qualifier]``)."""
    if not isinstance(value, str):
        return value
    if ":function:" in value:
        return value.split(":function:", 1)[1].split(":", 1)[0]
    return value


def _list(value: Any) -> Any:
    """A list as given, UNKNOWN as is, ``[]`` when absent."""
    if value is UNKNOWN:
        return UNKNOWN
    return list(value) if isinstance(value, (list, tuple)) else [] if value is None else [value]


def function(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.encryption = encryption.optional_kms(props.get("KmsKeyArn"), default=encryption.LAMBDA_DEFAULT)
    architectures = props.get("Architectures")
    resource.settings.update({
        "runtime": as_text(props.get("Runtime")),
        "memory": default(as_int(props.get("MemorySize")), 128),
        "timeout": default(as_int(props.get("Timeout")), 3),
        "reserved_concurrency": as_int(props.get("ReservedConcurrentExecutions")),
        "architectures": _list(default(architectures, ["x86_64"])),
        "dlq": dig(props, "DeadLetterConfig", "TargetArn"),
    })
    log_group_name = dig(props, "LoggingConfig", "LogGroup")
    if log_group_name is not None:
        resource.settings["log_group_name"] = log_group_name
    mode = dig(props, "TracingConfig", "Mode")
    resource.observability.tracing = UNKNOWN if mode is UNKNOWN else mode == "Active"


def alias(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({"function": function_name_of(props.get("FunctionName")),
                              "version": as_text(props.get("FunctionVersion"))})


def dimensions(entries: Any, references: Mapping[str, str], prefix: str) -> tuple[Any, dict[str, str]]:
    """``{Name: Value}`` of a ``Dimensions`` list, and the references of its unknown values."""
    if entries is UNKNOWN:
        return UNKNOWN, {}
    found: dict[str, Any] = {}
    refs: dict[str, str] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        name = dig(entry, "Name")
        if not isinstance(name, str):
            continue
        found[name] = dig(entry, "Value")
        ref = references.get(f"{prefix}[{index}].Value")
        if found[name] is UNKNOWN and ref:
            refs[name] = ref
    return found, refs


def _metric_entry(entry: Any, index: int, references: Mapping[str, str]) -> dict[str, Any]:
    stat = dig(entry, "MetricStat")
    out: dict[str, Any] = {"id": as_text(dig(entry, "Id")), "expression": as_text(dig(entry, "Expression"))}
    if stat is not None:
        prefix = f"Metrics[{index}].MetricStat.Metric.Dimensions"
        dims, refs = dimensions(dig(stat, "Metric", "Dimensions"), references, prefix)
        out.update({"namespace": as_text(dig(stat, "Metric", "Namespace")),
                    "metric": as_text(dig(stat, "Metric", "MetricName")), "dimensions": dims,
                    "stat": as_text(dig(stat, "Stat"))})
        if refs:
            out["dimension_refs"] = refs
    return out


def alarm(resource: Resource, item: Declared) -> None:
    props = item.properties
    dims, refs = dimensions(props.get("Dimensions"), item.references, "Dimensions")
    metrics = props.get("Metrics")
    entries = [_metric_entry(e, i, item.references) for i, e in enumerate(metrics)] \
        if isinstance(metrics, list) else []
    names = [e["metric"] for e in entries if isinstance(e.get("metric"), str)]
    resource.settings.update({
        "namespace": as_text(props.get("Namespace")),
        "metric": as_text(props.get("MetricName")) if not entries else ",".join(names),
        "dimensions": dims,
        "statistic": as_text(default(props.get("Statistic"), props.get("ExtendedStatistic"))),
        "threshold": as_number(props.get("Threshold")),
        "comparison": as_text(props.get("ComparisonOperator")),
        "period": as_int(props.get("Period")),
        "evaluation_periods": as_int(props.get("EvaluationPeriods")),
        "datapoints_to_alarm": as_int(props.get("DatapointsToAlarm")),
        "treat_missing_data": default(as_text(props.get("TreatMissingData")), "missing"),
        "actions": _list(props.get("AlarmActions")),
    })
    if entries:
        resource.settings["metrics"] = entries
    if refs:
        resource.settings["dimension_refs"] = refs


def http_api(resource: Resource, item: Declared) -> None:
    resource.settings["protocol"] = as_text(item.properties.get("ProtocolType"))


def api_stage(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({"api": props.get("ApiId"), "stage": as_text(props.get("StageName")),
                              "auto_deploy": as_bool(props.get("AutoDeploy"), False)})


def service(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({
        "desired_count": as_int(props.get("DesiredCount")),
        "launch_type": as_text(props.get("LaunchType")),
        "cluster": props.get("Cluster"),
    })


def task_definition(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({"cpu": as_text(props.get("Cpu")), "memory": as_text(props.get("Memory"))})


def load_balancer(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({"scheme": default(as_text(props.get("Scheme")), "internet-facing"),
                              "type": default(as_text(props.get("Type")), "application")})


def target_group(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({"protocol": as_text(props.get("Protocol")), "port": as_int(props.get("Port")),
                              "target_type": default(as_text(props.get("TargetType")), "instance")})


def scalable_target(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({
        "service_namespace": as_text(props.get("ServiceNamespace")),
        "resource_id": as_text(props.get("ResourceId")),
        "scalable_dimension": as_text(props.get("ScalableDimension")),
        "min_capacity": as_int(props.get("MinCapacity")),
        "max_capacity": as_int(props.get("MaxCapacity")),
    })


def event_source_mapping(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({"batch_size": default(as_int(props.get("BatchSize")), 10),
                              "enabled": as_bool(props.get("Enabled"), True)})


def event_rule(resource: Resource, item: Declared) -> None:
    props = item.properties
    resource.settings.update({"schedule": as_text(props.get("ScheduleExpression")),
                              "state": default(as_text(props.get("State")), "ENABLED")})


def role(resource: Resource, item: Declared) -> None:
    resource.settings["path"] = default(as_text(item.properties.get("Path")), "/")


def _storage(enabled: str, key: str, *, aws_managed: bool = True, block: str | None = None) -> Mapper:
    def mapper(resource: Resource, item: Declared) -> None:
        props = item.properties.get(block) if block else item.properties
        resource.encryption = encryption.storage(dig(props, enabled), dig(props, key), aws_managed=aws_managed)
    return mapper


def _not_encrypted(resource: Resource, item: Declared) -> None:
    resource.encryption = encryption.NOT_ENCRYPTED


MAPPERS: dict[str, Mapper] = {
    "AWS::Lambda::Function": function,
    "AWS::Lambda::Alias": alias,
    "AWS::CloudWatch::Alarm": alarm,
    "AWS::ApiGatewayV2::Api": http_api,
    "AWS::ApiGatewayV2::Stage": api_stage,
    "AWS::ECS::Service": service,
    "AWS::ECS::TaskDefinition": task_definition,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": load_balancer,
    "AWS::ElasticLoadBalancingV2::TargetGroup": target_group,
    "AWS::ApplicationAutoScaling::ScalableTarget": scalable_target,
    "AWS::IAM::Role": role,
    "AWS::Lambda::EventSourceMapping": event_source_mapping,
    "AWS::Events::Rule": event_rule,
    "AWS::RDS::DBInstance": _storage("StorageEncrypted", "KmsKeyId"),
    "AWS::RDS::DBCluster": _storage("StorageEncrypted", "KmsKeyId"),
    "AWS::OpenSearchService::Domain": _storage("Enabled", "KmsKeyId", block="EncryptionAtRestOptions"),
    "AWS::ElastiCache::ReplicationGroup": _storage("AtRestEncryptionEnabled", "KmsKeyId", aws_managed=False),
    "AWS::ElastiCache::CacheCluster": _not_encrypted,
}
