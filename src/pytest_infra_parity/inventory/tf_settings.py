"""Terraform AWS provider attributes mapped onto the model's settings and observability, by type.

Defaults are the provider's and AWS's where the attribute is absent (Terraform Registry, hashicorp/aws
resources): ``aws_lambda_function`` memory 128 MB, timeout 3 s, ``reserved_concurrent_executions`` -1
(unreserved), ``tracing_config.mode`` PassThrough (no active X-Ray tracing); ``aws_dynamodb_table``
``billing_mode`` PROVISIONED, PITR and TTL off, no stream; ``aws_sqs_queue`` standard (not FIFO);
``aws_kms_key`` rotation off, ``SYMMETRIC_DEFAULT``; ``aws_cloudwatch_log_group.retention_in_days`` 0 =
never expire; ``aws_cloudwatch_metric_alarm.treat_missing_data`` ``missing``. The queue's redrive
policy is the JSON ``{"deadLetterTargetArn", "maxReceiveCount"}`` of SQS ``RedrivePolicy`` (SQS
Developer Guide, "Using dead-letter queues").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pytest_infra_parity.inventory.model import UNKNOWN, Observability
from pytest_infra_parity.inventory.tf_values import Partial, Ref, block, blocks, identity, known, plain
from pytest_infra_parity.inventory.values import as_bool, as_int, as_number, as_text

Settings = dict[str, Any]


def _value(values: Mapping[str, Any], name: str, default: Any = None) -> Any:
    value = known(values.get(name))
    return default if value is None else value


def _first(values: Mapping[str, Any], *names: str) -> Any:
    """The first of these attributes that is set (not absent nor empty); UNKNOWN if it is unknown."""
    for name in names:
        value = known(values.get(name))
        if value is UNKNOWN or (value is not None and value != ""):
            return value
    return None


def _unset_zero(value: Any) -> Any:
    """The provider records an unset optional number as 0 (``datapoints_to_alarm``): ``None``."""
    return None if value is not UNKNOWN and value == 0 else value


def json_document(value: Any) -> Any:
    """A policy or redrive document: JSON text, an object, or partially known (UNKNOWN leaves kept)."""
    if isinstance(value, Partial):
        return plain(value.value)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return known(value)


def _bucket(values: Mapping[str, Any]) -> Settings:
    versioning = block(values, "versioning")
    settings: Settings = {"versioning": False, "public_access_block": None, "lifecycle_rules": 0}
    if isinstance(versioning, Mapping):
        settings["versioning"] = as_bool(known(versioning.get("enabled")), False)
    rules = blocks(values, "lifecycle_rule")
    if isinstance(rules, list):
        settings["lifecycle_rules"] = len(rules)
    config = block(values, "server_side_encryption_configuration")
    rule = block(config, "rule") if isinstance(config, Mapping) else None
    settings["bucket_key"] = as_bool(known(rule.get("bucket_key_enabled")), False) if isinstance(rule, Mapping) \
        else False
    return settings


def _table(values: Mapping[str, Any]) -> Settings:
    pitr, ttl = block(values, "point_in_time_recovery"), block(values, "ttl")
    stream_enabled = as_bool(_value(values, "stream_enabled", False), False)
    return {
        "pitr": UNKNOWN if pitr is UNKNOWN else as_bool(known(pitr.get("enabled")), False) if pitr else False,
        "ttl": UNKNOWN if ttl is UNKNOWN else as_bool(known(ttl.get("enabled")), False) if ttl else False,
        "stream": UNKNOWN if stream_enabled is UNKNOWN else _first(values, "stream_view_type") if stream_enabled
        else None,
        "billing_mode": _value(values, "billing_mode", "PROVISIONED"),
    }


def redrive(value: Any) -> tuple[Any, Any, str | None]:
    """(dead-letter target, maxReceiveCount, address of the target when only known after apply)."""
    document = value.value if isinstance(value, Partial) else json_document(value)
    if document is UNKNOWN:
        return UNKNOWN, UNKNOWN, None
    if not isinstance(document, Mapping) or not document:
        return None, None, None
    target, ref = reference(document.get("deadLetterTargetArn"))
    return target, as_int(known(document.get("maxReceiveCount"))), ref


def reference(value: Any) -> tuple[Any, str | None]:
    """(value, address): a reference to another resource's id/ARN/name is UNKNOWN + that resource's name."""
    named = identity(value)
    if isinstance(value, Ref) and named is not UNKNOWN:
        return UNKNOWN, named
    return known(value), None


def _queue(values: Mapping[str, Any]) -> Settings:
    dlq, count, ref = redrive(values.get("redrive_policy"))
    settings = {"dlq": dlq, "max_receive_count": count, "fifo": as_bool(_value(values, "fifo_queue", False), False)}
    if ref:
        settings["dlq_ref"] = ref
    return settings


def _topic(values: Mapping[str, Any]) -> Settings:
    return {"fifo": as_bool(_value(values, "fifo_topic", False), False)}


def _key(values: Mapping[str, Any]) -> Settings:
    return {"rotation": as_bool(_value(values, "enable_key_rotation", False), False),
            "key_spec": _value(values, "customer_master_key_spec", "SYMMETRIC_DEFAULT")}


def _function(values: Mapping[str, Any]) -> Settings:
    reserved = as_int(_value(values, "reserved_concurrent_executions", -1))
    dead_letter = block(values, "dead_letter_config")
    logging = block(values, "logging_config")
    settings = {
        "runtime": _value(values, "runtime"),
        "memory": as_int(_value(values, "memory_size", 128)),
        "timeout": as_int(_value(values, "timeout", 3)),
        "reserved_concurrency": None if reserved == -1 else reserved,
        "architectures": _value(values, "architectures", ["x86_64"]),
        "dlq": reference(dead_letter.get("target_arn"))[0] if isinstance(dead_letter, Mapping) else None,
    }
    group = _first(logging, "log_group") if isinstance(logging, Mapping) else None
    name = known(values.get("function_name"))
    if group is not None and group != f"/aws/lambda/{name}":  # the state records Lambda's default too
        settings["log_group_name"] = group
    return settings


def _dimensions(raw: Any) -> tuple[Any, dict[str, str]]:
    if raw is None:
        return {}, {}
    if not isinstance(raw, Mapping):
        return UNKNOWN, {}
    found: dict[str, Any] = {}
    refs: dict[str, str] = {}
    for key, value in raw.items():
        found[str(key)], ref = reference(value)
        if ref:
            refs[str(key)] = ref
    return found, refs


def _metric_entry(query: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": _value(query, "id"), "expression": _value(query, "expression")}
    metric = block(query, "metric")
    if isinstance(metric, Mapping):
        dims, refs = _dimensions(metric.get("dimensions"))
        entry.update({"namespace": _value(metric, "namespace"), "metric": _value(metric, "metric_name"),
                      "dimensions": dims, "stat": _value(metric, "stat")})
        if refs:
            entry["dimension_refs"] = refs
    return entry


def _alarm(values: Mapping[str, Any]) -> Settings:
    dims, refs = _dimensions(values.get("dimensions"))
    queries = blocks(values, "metric_query")
    entries = [_metric_entry(q) for q in queries] if isinstance(queries, list) else []
    actions = values.get("alarm_actions")
    settings: Settings = {
        "namespace": _value(values, "namespace"),
        "metric": _value(values, "metric_name") if not entries
        else ",".join(str(e["metric"]) for e in entries if isinstance(e.get("metric"), str)),
        "dimensions": dims,
        "statistic": _first(values, "statistic", "extended_statistic"),
        "threshold": as_number(_value(values, "threshold")),
        "comparison": _value(values, "comparison_operator"),
        "period": as_int(_value(values, "period")),
        "evaluation_periods": as_int(_value(values, "evaluation_periods")),
        "datapoints_to_alarm": _unset_zero(as_int(_value(values, "datapoints_to_alarm"))),
        "treat_missing_data": _value(values, "treat_missing_data", "missing"),
        "actions": [known(a) for a in actions] if isinstance(actions, list) else [] if actions is None else UNKNOWN,
    }
    if entries:
        settings["metrics"] = entries
    if refs:
        settings["dimension_refs"] = refs
    return settings


def _policy(target: str, ref_key: str) -> Callable[[Mapping[str, Any]], Settings]:
    def read(values: Mapping[str, Any]) -> Settings:
        value, ref = reference(values.get(target))
        settings = {target if target != "queue_url" else "queue": value, "policy": json_document(values.get("policy"))}
        if ref:
            settings[ref_key] = ref
        return settings

    return read


def _http_api(values: Mapping[str, Any]) -> Settings:
    return {"protocol": _value(values, "protocol_type")}


def _api_stage(values: Mapping[str, Any]) -> Settings:
    return {"api": reference(values.get("api_id"))[0], "stage": _value(values, "name"),
            "auto_deploy": as_bool(_value(values, "auto_deploy", False), False)}


def _service(values: Mapping[str, Any]) -> Settings:
    return {"desired_count": as_int(_value(values, "desired_count")), "launch_type": _value(values, "launch_type"),
            "cluster": reference(values.get("cluster"))[0]}


def _task_definition(values: Mapping[str, Any]) -> Settings:
    return {"cpu": as_text(_value(values, "cpu")), "memory": as_text(_value(values, "memory"))}


def _load_balancer(values: Mapping[str, Any]) -> Settings:
    internal = as_bool(_value(values, "internal", False), False)
    return {"scheme": UNKNOWN if internal is UNKNOWN else "internal" if internal else "internet-facing",
            "type": _value(values, "load_balancer_type", "application")}


def _target_group(values: Mapping[str, Any]) -> Settings:
    return {"protocol": _value(values, "protocol"), "port": as_int(_value(values, "port")),
            "target_type": _value(values, "target_type", "instance")}


def _scalable_target(values: Mapping[str, Any]) -> Settings:
    return {"service_namespace": _value(values, "service_namespace"), "resource_id": _value(values, "resource_id"),
            "scalable_dimension": _value(values, "scalable_dimension"),
            "min_capacity": as_int(_value(values, "min_capacity")),
            "max_capacity": as_int(_value(values, "max_capacity"))}


def _role(values: Mapping[str, Any]) -> Settings:
    return {"path": _value(values, "path", "/")}


def _parameter(values: Mapping[str, Any]) -> Settings:
    return {"type": _value(values, "type")}


SETTINGS_READERS: dict[str, Callable[[Mapping[str, Any]], Settings]] = {
    "aws_s3_bucket": _bucket,
    "aws_dynamodb_table": _table,
    "aws_sqs_queue": _queue,
    "aws_sns_topic": _topic,
    "aws_kms_key": _key,
    "aws_lambda_function": _function,
    "aws_cloudwatch_metric_alarm": _alarm,
    "aws_s3_bucket_policy": _policy("bucket", "bucket_ref"),
    "aws_sqs_queue_policy": _policy("queue_url", "queue_ref"),
    "aws_sns_topic_policy": _policy("arn", "topic_ref"),
    "aws_apigatewayv2_api": _http_api,
    "aws_apigatewayv2_stage": _api_stage,
    "aws_ecs_service": _service,
    "aws_ecs_task_definition": _task_definition,
    "aws_lb": _load_balancer,
    "aws_alb": _load_balancer,
    "aws_lb_target_group": _target_group,
    "aws_alb_target_group": _target_group,
    "aws_appautoscaling_target": _scalable_target,
    "aws_iam_role": _role,
    "aws_ssm_parameter": _parameter,
}


def settings_of(tf_type: str, values: Mapping[str, Any]) -> Settings:
    reader = SETTINGS_READERS.get(tf_type)
    return reader(values) if reader is not None else {}


def observability_of(tf_type: str, values: Mapping[str, Any]) -> Observability:
    """Log retention of log groups, X-Ray tracing of functions (alarms are linked afterwards)."""
    if tf_type == "aws_cloudwatch_log_group":
        days = as_int(_value(values, "retention_in_days", 0))
        return Observability(log_group=known(values.get("name")), log_retention_days=None if days == 0 else days)
    if tf_type == "aws_lambda_function":
        tracing = block(values, "tracing_config")
        if tracing is UNKNOWN:
            return Observability(tracing=UNKNOWN)
        mode = as_text(known(tracing.get("mode"))) if isinstance(tracing, Mapping) else None
        return Observability(tracing=UNKNOWN if mode is UNKNOWN else mode == "Active")
    return Observability()
