"""Cross-service references between LocalStack and the moto fallback, kept valid by mirroring.

moto checks some references in its own backends, which on a split target hold only the fallback
services: a Lambda function's role must exist in moto's IAM ("The role defined for the function
cannot be assumed by Lambda"), and an SQS event source mapping's queue in moto's SQS ("Invalid
EventSourceArn"). When Lambda is on moto while IAM or SQS stay on LocalStack, the bridge creates a
placeholder of the same name (so the same ARN: both sides act in one account and region) on moto
just before the call. Application Auto Scaling creates the alarms of a target-tracking policy in the
account's CloudWatch (Application Auto Scaling user guide, "Target tracking scaling policies": the
policy "creates and manages the CloudWatch alarms"): moto creates them in its own CloudWatch, so the
bridge copies them to LocalStack's when CloudWatch stays there, and deletes them with the policy.

Consequences (docs/targets.md): a placeholder carries no behaviour. Messages sent to the LocalStack
queue never reach the function on moto (neither side runs Lambda code offline anyway), and IAM
policies are not evaluated on either side.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Where = Callable[[str], str]
ClientOf = Callable[[str, str, str | None], Any]
"""``(where, service, region) -> boto3 client`` on that side."""

LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


KEY_READS = ("DescribeKey", "ListAliases", "GetKeyRotationStatus", "ListResourceTags", "GetKeyPolicy")
"""KMS reads that may name a key the fallback created."""


class _Answered:
    """The HTTP side of a response the bridge gives instead of LocalStack (botocore reads ``status_code``)."""

    status_code = 200
    headers: dict[str, str] = {}


def _code(exc: BaseException) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


class Bridge:
    """Registers the mirroring hooks on the clients a routed target hands out."""

    def __init__(self, where: Where, client_of: ClientOf, fallback: str, endpoint: str) -> None:
        self.where = where
        self.client_of = client_of
        self.fallback = fallback
        self.endpoint = endpoint
        self._plain: Callable[[str], Any] | None = None
        """Hook-free clients on LocalStack, to ask it without re-entering the hooks."""
        self.mirrored: list[str] = []
        """What was mirrored, for the report (``iam role x``, ``sqs queue y``)."""

    def attach(self, where: str, service: str, client: Any) -> None:
        """Hook ``client`` (on side ``where``) if its service needs references from the other side."""
        if where != self.fallback:
            if service == "kms":
                self._attach_key_lookup(client)
            return
        events = client.meta.events
        region = client.meta.region_name
        service_id = client.meta.service_model.service_id.hyphenize()
        if service == "lambda":
            for operation in ("CreateFunction", "UpdateFunctionConfiguration"):
                events.register(f"before-parameter-build.{service_id}.{operation}",
                                lambda params, **_: self._mirror_role(params.get("Role"), region))
            events.register(f"before-parameter-build.{service_id}.CreateEventSourceMapping",
                            lambda params, **_: self._mirror_queue(params.get("EventSourceArn"), region))
        if service == "application-autoscaling":
            events.register(f"after-call.{service_id}.PutScalingPolicy",
                            lambda parsed, **_: self._copy_alarms(parsed, region))
            events.register(f"before-parameter-build.{service_id}.DeleteScalingPolicy",
                            lambda params, **_: self._delete_alarms(params, region))

    def _attach_key_lookup(self, client: Any) -> None:
        """KMS reads of a key LocalStack does not know are answered by moto's KMS when moto has it.

        A fallback service may create a key itself: moto's DynamoDB creates the AWS managed key
        ``alias/aws/dynamodb`` in moto's KMS for ``SSEEnabled`` without a key id, and readers ask KMS
        who manages that key (``DescribeKey``'s ``KeyManager``, ``ListAliases`` with ``KeyId``). Each of
        these operations takes a key id, key ARN, alias name or alias ARN (AWS KMS API reference).
        """
        from botocore import xform_name

        service_id = client.meta.service_model.service_id.hyphenize()
        region = client.meta.region_name

        def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["infra_parity_params"] = dict(params)

        def answer(model: Any, context: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
            params = context.get("infra_parity_params") or {}
            key = params.get("KeyId")
            if not key or self._local_key_exists(str(key), region):
                return None
            moto_kms = self.client_of(self.fallback, "kms", region)
            try:
                found = getattr(moto_kms, xform_name(model.name))(**params)
            except Exception as exc:  # moto does not know it either: LocalStack's own answer stands
                if _code(exc) != "NotFoundException":
                    raise
                return None
            return _Answered(), found

        for operation in KEY_READS:
            client.meta.events.register(f"before-parameter-build.{service_id}.{operation}", remember)
            client.meta.events.register(f"before-call.{service_id}.{operation}", answer)

    def _local_key_exists(self, key: str, region: str) -> bool:
        from pytest_infra_parity.targets.localstack_capabilities import probe_clients

        if self._plain is None:
            self._plain = probe_clients(self.endpoint, region, 30.0)
        try:
            self._plain("kms").describe_key(KeyId=key)
        except Exception as exc:  # only "not found" sends the question to moto
            if _code(exc) != "NotFoundException":
                raise
            return False
        return True

    def _mirror_role(self, role_arn: object, region: str) -> None:
        if not isinstance(role_arn, str) or ":role/" not in role_arn or self.where("iam") == self.fallback:
            return
        path_and_name = role_arn.split(":role/", 1)[1]
        path, _, name = path_and_name.rpartition("/")
        iam = self.client_of(self.fallback, "iam", region)
        try:
            iam.create_role(RoleName=name, Path=f"/{path}/" if path else "/", AssumeRolePolicyDocument=LAMBDA_TRUST,
                            Description="infra-parity placeholder of a LocalStack role (Lambda is on moto)")
        except Exception as exc:  # only "already there" is expected; anything else surfaces with the call
            if _code(exc) != "EntityAlreadyExists":
                raise
            return
        self.mirrored.append(f"iam role {name}")

    def _mirror_queue(self, source_arn: object, region: str) -> None:
        if not isinstance(source_arn, str) or not source_arn.startswith("arn:aws:sqs:"):
            return
        if self.where("sqs") == self.fallback:
            return
        name = source_arn.rsplit(":", 1)[1]
        attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
        self.client_of(self.fallback, "sqs", source_arn.split(":")[3] or region).create_queue(
            QueueName=name, Attributes=attributes)
        self.mirrored.append(f"sqs queue {name}")

    def _copy_alarms(self, parsed: dict[str, Any], region: str) -> None:
        if self.where("cloudwatch") == self.fallback:
            return
        names = [alarm["AlarmName"] for alarm in parsed.get("Alarms", []) if alarm.get("AlarmName")]
        if not names:
            return
        found = self.client_of(self.fallback, "cloudwatch", region).describe_alarms(AlarmNames=names)
        target = self.client_of(self.where("cloudwatch"), "cloudwatch", region)
        for alarm in found.get("MetricAlarms", []):
            target.put_metric_alarm(**_alarm_definition(alarm))
        self.mirrored.extend(f"cloudwatch alarm {name}" for name in names)

    def _delete_alarms(self, params: dict[str, Any], region: str) -> None:
        if self.where("cloudwatch") == self.fallback:
            return
        keys = ("ServiceNamespace", "ResourceId", "ScalableDimension", "PolicyName")
        if not all(params.get(key) for key in keys):
            return  # botocore's own validation reports the missing parameter
        autoscaling = self.client_of(self.fallback, "application-autoscaling", region)
        policies = autoscaling.describe_scaling_policies(
            ServiceNamespace=params["ServiceNamespace"], ResourceId=params["ResourceId"],
            ScalableDimension=params["ScalableDimension"], PolicyNames=[params["PolicyName"]])
        names = [a["AlarmName"] for p in policies.get("ScalingPolicies", []) for a in p.get("Alarms", [])]
        if names:
            self.client_of(self.where("cloudwatch"), "cloudwatch", region).delete_alarms(AlarmNames=names)


_ALARM_KEYS = ("AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
               "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
               "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
               "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics",
               "ThresholdMetricId")


def _alarm_definition(alarm: dict[str, Any]) -> dict[str, Any]:
    """``describe_alarms`` output -> ``put_metric_alarm`` input (the settable fields only)."""
    return {key: alarm[key] for key in _ALARM_KEYS if alarm.get(key) not in (None, [], "")}
