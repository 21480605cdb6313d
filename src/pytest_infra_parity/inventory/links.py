"""Links between the resources of one inventory, computed the same way for every source.

:func:`link` is called by every source once its resources are read. The rules:

**Alarms -> the resources they watch.** An alarm's metric (``settings["namespace"]``,
``settings["metric"]``, ``settings["dimensions"]``), or each MetricStat of a metric-math alarm
(``settings["metrics"]``), watches the resources named by its dimensions. A dimension names resources of
one kind (:data:`DIMENSION_KINDS`: ``FunctionName`` a function, ``Resource`` (``fn:alias``) an alias,
``QueueName`` a queue, ``ApiId`` an HTTP API...). A value names a resource when it equals one of the
resource's identifiers: physical id, ARN, name, and for an ARN its resource part, the part after the
first ``/`` or ``:`` (``app/my-lb/50dc6c49`` for ``LoadBalancer``) and its last segment (CloudWatch User
Guide, "AWS services that publish CloudWatch metrics", dimension tables of each service). When a more
specific dimension is present the broader one is not a target (:data:`SHADOWED_BY`: an alarm on
``ServiceName`` + ``ClusterName`` watches the service, not the cluster; ``TargetGroup`` +
``LoadBalancer`` the target group). ``FunctionName`` + ``Resource`` watches both the alias and its
function: the alias's traffic is the function's. The link is an :class:`~.model.AlarmRef` (alarm name,
metric name, namespace) in ``observability.alarms``.

**Unknown values.** A dimension value only known after apply links through
``settings["dimension_refs"]`` (the name of the referenced resource) when the source knows it; else the
alarm is added to ``observability.possible_alarms`` of every resource of the dimension's kind, so a
policy answers "unknown" instead of "no alarm".

**Log groups -> functions.** A function logs to ``settings["log_group_name"]`` (``LoggingConfig``) or
to ``/aws/lambda/<function name>`` (Lambda Developer Guide, "Sending Lambda function logs to CloudWatch
Logs"). When that log group is in the inventory, the function gets its name and retention. When it
is not, the function keeps what its source read (live), or ``None``: the group Lambda creates on first
invocation never expires. A log group or function whose name is unknown leaves both UNKNOWN.

**Dead-letter queues.** A queue another queue of the inventory redrives to (``settings["dlq"]``, ARN,
URL or name; ``settings["dlq_ref"]`` when unknown) gets ``settings["is_dlq"] = True``; an unknown
redrive target with no reference makes every other queue's ``is_dlq`` UNKNOWN.

**TLS-only buckets.** A ``bucket policy`` resource (``settings["bucket"]``, ``settings["policy"]``)
whose policy has a ``Deny`` statement on ``aws:SecureTransport`` = ``false`` (S3 User Guide, "Enforce
encryption of data in transit": ``Bool``/``BoolIfExists`` condition) makes its bucket
``tls_only`` True. A policy on an unknown bucket, or an unknown policy, makes ``tls_only`` UNKNOWN
unless another policy settles it; a bucket no policy names keeps what its source read, else False.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pytest_infra_parity.inventory.model import UNKNOWN, AlarmRef, Inventory, Resource
from pytest_infra_parity.inventory.values import as_bool, identifiers

DIMENSION_KINDS: dict[str, tuple[str, ...]] = {
    "FunctionName": ("function",), "Resource": ("alias",), "QueueName": ("queue",),
    "TableName": ("table",), "ApiId": ("http api",), "ApiName": ("http api",), "TopicName": ("topic",),
    "LoadBalancer": ("load balancer",), "TargetGroup": ("target group",), "ServiceName": ("service",),
    "ClusterName": ("cluster",), "BucketName": ("bucket",), "LogGroupName": ("log group",),
    "DBInstanceIdentifier": ("db instance",), "DBClusterIdentifier": ("db cluster",),
    "DBProxyName": ("db proxy",), "CacheClusterId": ("cache cluster",),
    "ReplicationGroupId": ("replication group",), "DistributionId": ("distribution",),
    "DomainName": ("search domain",), "NatGatewayId": ("nat gateway",), "RuleName": ("event rule",),
    "WebACL": ("web acl",), "UserPool": ("user pool",), "KeyId": ("key",), "SecretId": ("secret",),
}
"""CloudWatch dimension -> the kinds of resource its value names."""

SHADOWED_BY: dict[str, str] = {"ClusterName": "ServiceName", "LoadBalancer": "TargetGroup"}
"""A dimension that is not a target when the more specific one is present."""


def link(inventory: Inventory) -> None:
    """Attach alarms, log groups, DLQ marks and TLS-only policies within ``inventory`` (idempotent)."""
    link_alarms(inventory.resources, inventory.of_kind("alarm"))
    _link_log_groups(inventory.of_kind("function"), inventory.of_kind("log group"))
    _mark_dlqs(inventory.of_kind("queue"))
    _mark_tls_only(inventory.of_kind("bucket"), inventory.of_kind("bucket policy"))


def resource_ids(resource: Resource) -> set[str]:
    """The identifiers a dimension, redrive target or policy may use for ``resource``."""
    found = identifiers(resource.physical_id, resource.arn, resource.name)
    if resource.kind == "alias":
        function = resource.settings.get("function")
        alias = resource.physical_id if isinstance(resource.physical_id, str) else None
        if isinstance(function, str) and alias and ":" not in alias:
            found.add(f"{function}:{alias}")
    return found


def metric_stats(settings: Mapping[str, Any]) -> list[tuple[Any, Any, Mapping[str, Any], Mapping[str, Any]]]:
    """``(namespace, metric, dimensions, dimension_refs)`` of each metric an alarm reads."""
    metrics = settings.get("metrics")
    if isinstance(metrics, list) and metrics:
        return [
            (entry.get("namespace"), entry.get("metric"), _mapping(entry.get("dimensions")),
             _mapping(entry.get("dimension_refs")))
            for entry in metrics if isinstance(entry, Mapping) and entry.get("metric") is not None
        ]
    return [(settings.get("namespace"), settings.get("metric"), _mapping(settings.get("dimensions")),
             _mapping(settings.get("dimension_refs")))]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def link_alarms(resources: Iterable[Resource], alarms: Iterable[Resource]) -> None:
    """Attach each alarm to the resources its metrics' dimensions name (see the module's rules).

    ``alarms`` need not be in ``resources``: the live source links the alarms of the region that
    watch selected resources although the alarms themselves are not selected.
    """
    by_kind: dict[str, _KindIndex] = {}
    for resource in resources:
        if resource.kind in _TARGET_KINDS:
            index = by_kind.setdefault(resource.kind, _KindIndex())
            index.resources.append(resource)
            for ident in resource_ids(resource):
                index.by_id.setdefault(ident, []).append(resource)
    for alarm in alarms:
        alarm_name = alarm.physical_id if isinstance(alarm.physical_id, str) else alarm.name
        for namespace, metric, dimensions, refs in metric_stats(alarm.settings):
            ref = AlarmRef(alarm_name, metric if isinstance(metric, str) else "",
                           namespace if isinstance(namespace, str) else "")
            _attach(ref, dimensions, refs, by_kind)


_TARGET_KINDS = frozenset(kind for kinds in DIMENSION_KINDS.values() for kind in kinds)


class _KindIndex:
    """The resources of one kind, and by each of their identifiers."""

    def __init__(self) -> None:
        self.resources: list[Resource] = []
        self.by_id: dict[str, list[Resource]] = {}


def _attach(ref: AlarmRef, dimensions: Mapping[str, Any], refs: Mapping[str, Any],
            by_kind: Mapping[str, _KindIndex]) -> None:
    for key, value in dimensions.items():
        kinds = DIMENSION_KINDS.get(key)
        if kinds is None or SHADOWED_BY.get(key) in dimensions:
            continue
        indexes = [by_kind[kind] for kind in kinds if kind in by_kind]
        if value is UNKNOWN:
            target = refs.get(key)
            if isinstance(target, str):
                _add([r for i in indexes for r in i.resources if r.name == target], ref, possible=False)
            else:
                _add([r for i in indexes for r in i.resources], ref, possible=True)
        elif isinstance(value, str):
            _add([r for i in indexes for r in i.by_id.get(value, [])], ref, possible=False)


def _add(resources: list[Resource], ref: AlarmRef, *, possible: bool) -> None:
    for resource in resources:
        refs = resource.observability.possible_alarms if possible else resource.observability.alarms
        if ref not in refs:
            refs.append(ref)


def _link_log_groups(functions: list[Resource], groups: list[Resource]) -> None:
    by_name = {g.physical_id: g for g in groups if isinstance(g.physical_id, str)}
    any_unknown = any(not isinstance(g.physical_id, str) for g in groups)
    for function in functions:
        wanted = function.settings.get("log_group_name")
        if wanted is None:
            name = function.physical_id
            wanted = f"/aws/lambda/{name}" if isinstance(name, str) else UNKNOWN
        observability = function.observability
        if isinstance(wanted, str) and wanted in by_name:
            observability.log_group = wanted
            observability.log_retention_days = by_name[wanted].observability.log_retention_days
        elif wanted is UNKNOWN and not groups:
            continue
        elif wanted is UNKNOWN or any_unknown:
            observability.log_group = UNKNOWN
            observability.log_retention_days = UNKNOWN


def _names_resource(value: Any, ids: set[str]) -> bool:
    if not isinstance(value, str):
        return False
    return bool(identifiers(value) & ids)


def _mark_dlqs(queues: list[Resource]) -> None:
    ids = {id(q): resource_ids(q) for q in queues}
    marked: set[int] = set()
    undetermined = False
    for queue in queues:
        target = queue.settings.get("dlq")
        if target is None:
            continue
        if target is UNKNOWN:
            ref = queue.settings.get("dlq_ref")
            if isinstance(ref, str):
                marked.update(id(q) for q in queues if q.name == ref)
            else:
                undetermined = True
            continue
        marked.update(id(q) for q in queues if q is not queue and _names_resource(target, ids[id(q)]))
    for queue in queues:
        current = queue.settings.get("is_dlq")
        if id(queue) in marked or current is True:
            queue.settings["is_dlq"] = True
        elif undetermined:
            queue.settings["is_dlq"] = UNKNOWN
        elif current is None:
            queue.settings["is_dlq"] = False


def denies_insecure_transport(policy: Any) -> Any:
    """True when a policy document denies requests with ``aws:SecureTransport`` false; UNKNOWN if unknown."""
    if policy is UNKNOWN:
        return UNKNOWN
    statements = policy.get("Statement") if isinstance(policy, Mapping) else None
    if isinstance(statements, Mapping):
        statements = [statements]
    if statements is UNKNOWN:
        return UNKNOWN
    verdict: Any = False
    for statement in statements if isinstance(statements, list) else []:
        found = _statement_denies_insecure(statement)
        if found is True:
            return True
        if found is UNKNOWN:
            verdict = UNKNOWN
    return verdict


def _statement_denies_insecure(statement: Any) -> Any:
    if not isinstance(statement, Mapping) or statement.get("Effect") != "Deny":
        return UNKNOWN if statement is UNKNOWN else False
    condition = statement.get("Condition")
    if condition is UNKNOWN:
        return UNKNOWN
    for operator in ("Bool", "BoolIfExists"):
        block = condition.get(operator) if isinstance(condition, Mapping) else None
        if not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            if key.lower() != "aws:securetransport":
                continue
            values = value if isinstance(value, list) else [value]
            if any(v is UNKNOWN for v in values):
                return UNKNOWN
            if any(as_bool(v) is False for v in values):
                return True
    return False


def _mark_tls_only(buckets: list[Resource], policies: list[Resource]) -> None:
    verdicts: dict[int, list[Any]] = {id(b): [] for b in buckets}
    ids = {id(b): resource_ids(b) for b in buckets}
    for policy in policies:
        verdict = denies_insecure_transport(policy.settings.get("policy"))
        target = policy.settings.get("bucket")
        ref = policy.settings.get("bucket_ref")
        for bucket in buckets:
            if target is UNKNOWN and not isinstance(ref, str):
                if verdict is not False:
                    verdicts[id(bucket)].append(UNKNOWN)
            elif (target is UNKNOWN and bucket.name == ref) or _names_resource(target, ids[id(bucket)]):
                verdicts[id(bucket)].append(verdict)
    for bucket in buckets:
        found = verdicts[id(bucket)]
        if True in found or bucket.settings.get("tls_only") is True:
            bucket.settings["tls_only"] = True
        elif any(v is UNKNOWN for v in found):
            bucket.settings["tls_only"] = UNKNOWN
        elif "tls_only" not in bucket.settings:
            bucket.settings["tls_only"] = False
