"""Reusable checks: one resource in, one :class:`~.base.Finding` out (policy id empty).

The registered policies are built on these, and Gherkin steps call them with any arguments
("Then every <kind> has an alarm on "<metric>"" is ``every(inventory, kind, lambda r:
has_alarm_on(r, metric))``). A setting the source does not describe, or a value known only after
apply, gives ``unknown`` with the reason, never ``pass`` or ``fail``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import AlarmRef, Inventory, Resource, is_unknown, kind_of_word
from pytest_infra_parity.policies.base import Finding, finding, shown

Check = Callable[[Resource], Finding]

__all__ = [
    "encrypted_with_cmk",
    "every",
    "has_alarm_on",
    "has_dlq",
    "has_pitr",
    "has_tags",
    "has_tracing",
    "is_not_a_dlq",
    "is_taggable",
    "key_rotation_enabled",
    "log_retention_within",
    "public_access_blocked",
    "resolve_kind",
    "setting_is",
    "tag_keys",
    "tls_only",
]
"""The public checks (the policy catalogue lists them in this order)."""

CMK_EXPECTATION: Final = "encryption with a customer managed KMS key"
_SERVICE_MANAGED: Final = {
    "bucket": "SSE-S3 (AES256) encryption, not a KMS key",
    "queue": "SQS-managed encryption (SSE-SQS), not a KMS key",
    "table": "the DynamoDB AWS owned key, not a customer managed key",
    "log group": "the CloudWatch Logs default encryption, not a KMS key",
}
_AWS_MANAGED_ALIAS: Final = {
    "bucket": "alias/aws/s3", "queue": "alias/aws/sqs", "table": "alias/aws/dynamodb", "topic": "alias/aws/sns",
}


def _is_aws_managed_alias(key: str) -> bool:
    """``alias/aws/*`` is reserved for AWS managed keys (AWS KMS Developer Guide, "Create aliases")."""
    return key.startswith("alias/aws/") or ":alias/aws/" in key


def encrypted_with_cmk(resource: Resource) -> Finding:
    """Encrypted at rest with a customer managed KMS key.

    AWS KMS Developer Guide, "AWS KMS keys": customer managed keys are created and controlled by the
    account; AWS managed keys (aliases ``aws/<service>``) and AWS owned keys are not. SSE-S3,
    SSE-SQS, DynamoDB's default AWS owned key and the CloudWatch Logs default are not KMS keys at all.
    """
    encryption = resource.encryption
    if encryption is None or is_unknown(encryption):
        return finding(resource, "unknown", CMK_EXPECTATION, "the source does not describe its encryption at rest")
    mode, key = encryption.mode, encryption.key
    if is_unknown(mode) or mode == "unknown":
        return finding(resource, "unknown", CMK_EXPECTATION, "its encryption is known only after apply")
    if mode == "customer-managed":
        if isinstance(key, str) and _is_aws_managed_alias(key):
            return finding(resource, "fail", CMK_EXPECTATION, f"the AWS managed key {key}")
        which = "whose id the source does not give" if key is None else shown(key)
        return finding(resource, "pass", CMK_EXPECTATION, f"the customer managed key {which}")
    if mode == "aws-managed":
        name = key or _AWS_MANAGED_ALIAS.get(resource.kind, "alias/aws/<service>")
        return finding(resource, "fail", CMK_EXPECTATION, f"the AWS managed key {shown(name)}")
    if mode == "service-managed":
        text = _SERVICE_MANAGED.get(resource.kind, "service-managed encryption, not a KMS key")
        return finding(resource, "fail", CMK_EXPECTATION, text)
    return finding(resource, "fail", CMK_EXPECTATION, "no encryption at rest")


def tag_keys(keys: str | Iterable[str]) -> tuple[str, ...]:
    """``"Project, Env"`` or ``["Project", "Env"]`` as a tuple of keys (quotes and blanks dropped)."""
    items = keys.split(",") if isinstance(keys, str) else list(keys)
    parsed = tuple(k for k in (str(item).strip().strip("\"'").strip() for item in items) if k)
    if not parsed:
        raise ConfigError(f"no tag key in {keys!r}")
    return parsed


def _missing_text(key: str, tags: dict[str, Any]) -> str:
    near = [k for k in tags if k.lower() == key.lower() and k != key]
    return f"{key} (there is {near[0]}: tag keys are case-sensitive)" if near else key


def has_tags(resource: Resource, keys: str | Iterable[str]) -> Finding:
    """Every key is present with a non-empty value (AWS tag keys are case-sensitive).

    Only meaningful on taggable resources: select them with :func:`is_taggable`.
    """
    wanted = tag_keys(keys)
    expectation = f"tags {', '.join(wanted)}"
    tags = resource.tags
    if is_unknown(tags):
        return finding(resource, "unknown", expectation, "its tags are known only after apply")
    assert isinstance(tags, dict)
    missing = [k for k in wanted if k not in tags]
    empty = [k for k in wanted if k in tags and not is_unknown(tags[k]) and not str(tags[k]).strip()]
    pending = [k for k in wanted if k in tags and is_unknown(tags[k])]
    if missing or empty:
        parts = [f"no {', '.join(_missing_text(k, tags) for k in missing)}"] if missing else []
        parts += [f"an empty {', '.join(empty)}"] if empty else []
        return finding(resource, "fail", expectation, "; ".join(parts))
    if pending:
        return finding(resource, "unknown", expectation, f"the value of {', '.join(pending)} is known only after apply")
    return finding(resource, "pass", expectation, "all of them")


def is_taggable(resource: Resource) -> bool:
    """The resource carries tags of its own (policies, routes, aliases... do not)."""
    return resource.taggable


def is_not_a_dlq(resource: Resource) -> bool:
    """False for a queue another queue redrives to (``is_dlq`` True): it needs no DLQ of its own."""
    return resource.setting("is_dlq") is not True


def has_dlq(resource: Resource) -> Finding:
    """A dead-letter target: a queue's RedrivePolicy, a function's DeadLetterConfig.

    Amazon SQS Developer Guide, "Using dead-letter queues": the source queue's redrive policy names
    the DLQ (``deadLetterTargetArn``) and ``maxReceiveCount``. A queue without one that may itself be a
    DLQ (``is_dlq`` UNKNOWN) is ``unknown``; select queues with :func:`is_not_a_dlq`.
    """
    prop = "DeadLetterConfig" if resource.kind == "function" else "RedrivePolicy"
    expectation = f"a dead-letter queue ({prop})"
    if "dlq" not in resource.settings:
        return finding(resource, "unknown", expectation, f"the source does not describe its {prop}")
    target = resource.settings["dlq"]
    if is_unknown(target):
        return finding(resource, "unknown", expectation, "the dead-letter target is known only after apply")
    if not target:
        if is_unknown(resource.setting("is_dlq")):
            return finding(resource, "unknown", expectation,
                           "none, and whether it is itself a dead-letter queue is known only after apply")
        return finding(resource, "fail", expectation, "none")
    receives = resource.setting("max_receive_count")
    suffix = "" if receives is None else f" (maxReceiveCount {shown(receives)})"
    return finding(resource, "pass", expectation, f"{target}{suffix}")


def setting_is(resource: Resource, setting: str, expected: Any, expectation: str, *, aws_property: str,
               describe: Callable[[Any], str] | None = None) -> Finding:
    """A setting of the inventory model equals ``expected`` (same type); absent/UNKNOWN: unknown."""
    if setting not in resource.settings:
        return finding(resource, "unknown", expectation, f"the source does not describe {aws_property}")
    value = resource.settings[setting]
    if is_unknown(value):
        return finding(resource, "unknown", expectation, f"{aws_property} is known only after apply")
    text = describe(value) if describe is not None else f"{aws_property} {shown(value)}"
    ok = type(value) is type(expected) and value == expected
    return finding(resource, "pass" if ok else "fail", expectation, text)


def has_pitr(resource: Resource) -> Finding:
    """Point-in-time recovery on (DynamoDB Developer Guide, "Point-in-time recovery for DynamoDB")."""
    return setting_is(resource, "pitr", True, "point-in-time recovery (PointInTimeRecoverySpecification)",
                      aws_property="PointInTimeRecoverySpecification",
                      describe=lambda v: f"point-in-time recovery {'enabled' if v else 'disabled'}")


def tls_only(resource: Resource) -> Finding:
    """The bucket policy denies requests made without TLS (a Deny on ``aws:SecureTransport`` false).

    Amazon S3 User Guide, "Security best practices" / AWS Config rule s3-bucket-ssl-requests-only.
    """
    return setting_is(resource, "tls_only", True,
                      "a bucket policy denying requests without TLS (Deny on aws:SecureTransport false)",
                      aws_property="the bucket policy",
                      describe=lambda v: "such a Deny statement" if v else "no Deny on aws:SecureTransport false")


def key_rotation_enabled(resource: Resource) -> Finding:
    """Automatic rotation of the key material (AWS KMS API Reference, EnableKeyRotation)."""
    return setting_is(resource, "rotation", True, "automatic key rotation (EnableKeyRotation)",
                      aws_property="EnableKeyRotation",
                      describe=lambda v: f"rotation {'enabled' if v else 'disabled'}")


PUBLIC_ACCESS_FLAGS: Final = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _flag(block: dict[str, Any], name: str) -> Any:
    wanted = name.lower()
    for key, value in block.items():
        if str(key).replace("_", "").lower() == wanted:
            return value
    return False


def public_access_blocked(resource: Resource) -> Finding:
    """The four S3 Block Public Access flags are true (S3 User Guide, "Blocking public access")."""
    expectation = f"a public access block with {', '.join(PUBLIC_ACCESS_FLAGS)} all true"
    if "public_access_block" not in resource.settings:
        return finding(resource, "unknown", expectation, "the source does not describe PublicAccessBlockConfiguration")
    block = resource.settings["public_access_block"]
    if is_unknown(block):
        return finding(resource, "unknown", expectation, "PublicAccessBlockConfiguration is known only after apply")
    if not block:
        return finding(resource, "fail", expectation, "no public access block")
    values = {name: _flag(block, name) for name in PUBLIC_ACCESS_FLAGS}
    off = [name for name, value in values.items() if not is_unknown(value) and value is not True]
    pending = [name for name, value in values.items() if is_unknown(value)]
    if off:
        return finding(resource, "fail", expectation, f"{', '.join(off)} not true")
    if pending:
        return finding(resource, "unknown", expectation, f"{', '.join(pending)} known only after apply")
    return finding(resource, "pass", expectation, "all four true")


def has_tracing(resource: Resource) -> Finding:
    """X-Ray active tracing (Lambda ``TracingConfig`` ``Mode: Active``; AWS Lambda Developer Guide,
    "Visualize Lambda function invocations using AWS X-Ray"). API Gateway traces REST APIs only."""
    expectation = "X-Ray active tracing (TracingConfig Mode Active)"
    tracing = resource.observability.tracing
    if tracing is None:
        return finding(resource, "unknown", expectation, "the source does not describe its tracing")
    if is_unknown(tracing):
        return finding(resource, "unknown", expectation, "its tracing mode is known only after apply")
    return finding(resource, "pass" if tracing is True else "fail", expectation,
                   "Active" if tracing is True else "PassThrough (no active tracing)")


def _days(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def log_retention_within(resource: Resource, min_days: int, max_days: int) -> Finding:
    """A finite retention between the bounds (CloudWatch Logs API Reference, PutRetentionPolicy:
    without a retention policy, events never expire)."""
    expectation = f"a log retention between {min_days} and {max_days} days (RetentionInDays)"
    value = resource.observability.log_retention_days
    if is_unknown(value):
        return finding(resource, "unknown", expectation, "RetentionInDays is known only after apply")
    if value is None:
        return finding(resource, "fail", expectation, "logs that never expire")
    days = _days(value)
    if days is None:
        return finding(resource, "unknown", expectation, f"RetentionInDays {value!r} is not a number of days")
    inside = min_days <= days <= max_days
    return finding(resource, "pass" if inside else "fail", expectation, f"{days} days")


def _metric_unknown(ref: AlarmRef) -> bool:
    """The alarm's metric name is not known (UNKNOWN, or left empty by a source that could not read it)."""
    return is_unknown(ref.metric) or not ref.metric


def _metrics(ref: AlarmRef) -> set[str]:
    return set() if _metric_unknown(ref) else {part.strip() for part in ref.metric.split(",")}


def _watches(ref: AlarmRef, metric: str, namespace: str | None) -> bool:
    if metric not in _metrics(ref):
        return False
    return not namespace or not ref.namespace or is_unknown(ref.namespace) or ref.namespace == namespace


def _other_alarms_text(alarms: list[AlarmRef], metric: str) -> str:
    others = sorted({m for ref in alarms for m in _metrics(ref)})
    if not others:
        return "no alarm"
    text = f"alarms on {', '.join(others)} only"
    if {metric, *others} >= {"5xx", "5XXError"}:
        text += " (HTTP APIs publish 5xx, REST APIs 5XXError)"
    return text


def has_alarm_on(resource: Resource, metric: str, namespace: str | None = None) -> Finding:
    """An alarm watches ``metric`` of this resource (in ``namespace`` when given and known).

    Metric names are case-sensitive (CloudWatch User Guide, "Metrics concepts": a metric is identified
    by namespace, name and dimensions); an alarm on a metric math expression counts for every metric it
    reads. An alarm that only *may* watch the resource (``observability.possible_alarms``: a dimension
    known only after apply) or whose metric is not known gives ``unknown``.
    """
    expectation = f"an alarm on {metric}" + (f" ({namespace})" if namespace else "")
    observability = resource.observability
    alarms = observability.alarms
    if is_unknown(alarms):
        return finding(resource, "unknown", expectation, "its alarms are known only after apply")
    matching = [ref.alarm for ref in alarms if _watches(ref, metric, namespace)]
    if matching:
        more = f" and {len(matching) - 1} more" if len(matching) > 1 else ""
        return finding(resource, "pass", expectation, f"alarm {matching[0]}{more}")
    possible = [ref.alarm for ref in observability.possible_alarms
                if _watches(ref, metric, namespace) or _metric_unknown(ref)]
    if possible:
        return finding(resource, "unknown", expectation,
                       f"alarm {possible[0]} may watch it: a dimension it selects on is known only after apply")
    if any(_metric_unknown(ref) for ref in alarms):
        return finding(resource, "unknown", expectation, "an alarm on it watches a metric known only after apply")
    return finding(resource, "fail", expectation, _other_alarms_text(alarms, metric))


DLQ_KIND: Final = "dead letter queue"


def resolve_kind(word: str) -> str:
    """The kind a step means (``*`` for "resource(s)"); unknown words raise :class:`ConfigError`."""
    if word.strip().lower() in ("resource", "resources"):
        return "*"
    try:
        return kind_of_word(word)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def every(inventory: Inventory, kind_word: str, check: Check, *,
          where: Callable[[Resource], bool] | None = None) -> list[Finding]:
    """The findings of ``check`` on every resource of a kind ("resource": all of them).

    For ``dead letter queue`` the queues that are DLQs are checked, and those that may be one
    (``is_dlq`` UNKNOWN), whose failures become ``unknown``. ``where`` narrows the selection
    (:func:`is_taggable`, :func:`is_not_a_dlq`). An empty list means there is no such resource: the
    step decides whether that is a failure.
    """
    kind = resolve_kind(kind_word)
    chosen = [r for r in inventory.resources if kind == "*" or r.kind == ("queue" if kind == DLQ_KIND else kind)]
    findings: list[Finding] = []
    for resource in chosen:
        if where is not None and not where(resource):
            continue
        if kind == DLQ_KIND:
            flag = resource.setting("is_dlq")
            if not is_unknown(flag) and flag is not True:
                continue
            found = check(resource)
            if is_unknown(flag) and found.outcome == "fail":
                found = finding(resource, "unknown", found.expectation,
                                f"{found.observed}, and whether it is a dead-letter queue is known only after apply")
            findings.append(found)
        else:
            findings.append(check(resource))
    return findings
