"""SQS queues and queue policies."""

from __future__ import annotations

from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, key_differences, read_or_missing
from pytest_infra_parity.deploy.provisioners._shapes import (
    as_bool,
    as_int,
    bool_text,
    json_document,
    json_text,
    policy_differences,
)
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    tag_differences,
    tag_map,
)

_BOOL_ATTRIBUTES = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
_INT_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "MaximumMessageSize",
    "KmsDataKeyReusePeriodSeconds",
)
_STRING_ATTRIBUTES = ("DeduplicationScope", "FifoThroughputLimit")


def _queue_attributes(request: ProvisionRequest) -> dict[str, str]:
    """The declared properties as ``CreateQueue`` attributes (all strings, policies as JSON text)."""
    attributes: dict[str, str] = {}
    for name in _BOOL_ATTRIBUTES:
        if request.prop(name) is not None:
            attributes[name] = bool_text(request.prop(name))
    for name in _INT_ATTRIBUTES:
        if request.prop(name) is not None:
            attributes[name] = str(as_int(request.prop(name)))
    for name in (*_STRING_ATTRIBUTES, "KmsMasterKeyId"):
        if request.prop(name) is not None:
            attributes[name] = str(request.prop(name))
    for name in ("RedrivePolicy", "RedriveAllowPolicy"):
        if request.prop(name) is not None:
            attributes[name] = json_text(request.prop(name))
    return attributes


def _redrive_differences(declared: Any, live: Any) -> list[str]:
    if live is None:
        return [f"RedrivePolicy is not set, declared {json_text(declared)}"]
    declared_doc, live_doc = json_document(declared), json_document(live)
    problems = differs(
        "RedrivePolicy.deadLetterTargetArn",
        declared_doc.get("deadLetterTargetArn"),
        live_doc.get("deadLetterTargetArn"),
    )
    problems += differs(
        "RedrivePolicy.maxReceiveCount",
        as_int(declared_doc.get("maxReceiveCount")),
        as_int(live_doc.get("maxReceiveCount")),
    )
    return problems


def _queue_name(request: ProvisionRequest) -> str:
    if request.prop("QueueName"):
        return str(request.prop("QueueName"))
    if as_bool(request.prop("FifoQueue", False)):
        return default_name(request, max_length=75) + ".fifo"
    return default_name(request, max_length=80)


@register
class QueueProvisioner:
    """``AWS::SQS::Queue``: primary identifier ``QueueUrl``; ``Ref`` returns the queue URL.

    ``Fn::GetAtt``: ``Arn``, ``QueueName``, ``QueueUrl``. ``RedrivePolicy`` and ``RedriveAllowPolicy``
    may be objects or JSON text; FIFO queues get a generated name ending in ``.fifo``.
    """

    resource_type: ClassVar[str] = "AWS::SQS::Queue"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "QueueName",
            "KmsMasterKeyId",
            "RedrivePolicy",
            "RedriveAllowPolicy",
            "Tags",
            *_BOOL_ATTRIBUTES,
            *_INT_ATTRIBUTES,
            *_STRING_ATTRIBUTES,
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        sqs = request.client("sqs")
        name = _queue_name(request)
        url = sqs.create_queue(QueueName=name, Attributes=_queue_attributes(request), tags=tag_map(request))[
            "QueueUrl"
        ]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return ProvisionResult(physical_id=url, attributes={"Arn": arn, "QueueName": name, "QueueUrl": url})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        sqs = request.client("sqs")
        live = _attributes(request, result.physical_id)
        problems: list[str] = []
        for name, value in _queue_attributes(request).items():
            if name == "KmsMasterKeyId":
                problems += key_differences(request, name, value, live.get(name))
            elif name == "RedrivePolicy":
                problems += _redrive_differences(value, live.get(name))
            elif name == "RedriveAllowPolicy":
                # moto: RedriveAllowPolicy is accepted and dropped (never returned), so it is compared
                # only when the target reports it.
                if name in live and json_document(live[name]) != json_document(value):
                    problems.append(f"RedriveAllowPolicy is {live[name]}, declared {value}")
            elif name in _BOOL_ATTRIBUTES:
                problems += differs(name, value, str(live.get(name, "false")).lower())
            else:
                problems += differs(name, value, live.get(name))
        live_tags = sqs.list_queue_tags(QueueUrl=result.physical_id).get("Tags", {})
        problems += tag_differences(tag_map(request), live_tags)
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("sqs").delete_queue, QueueUrl=result.physical_id)


def _attributes(request: ProvisionRequest, url: str) -> dict[str, str]:
    what = f"queue {url} ({request.logical_id})"
    call = request.client("sqs").get_queue_attributes
    answer = read_or_missing(what, call, QueueUrl=url, AttributeNames=["All"])
    return dict(answer.get("Attributes", {}))


@register
class QueuePolicyProvisioner:
    """``AWS::SQS::QueuePolicy``: primary identifier ``Id``; ``Ref`` returns that generated id.

    ``Fn::GetAtt``: ``Id``. ``Queues`` lists queue URLs; deleting removes the policy from each queue.
    """

    resource_type: ClassVar[str] = "AWS::SQS::QueuePolicy"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"Queues", "PolicyDocument"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        sqs = request.client("sqs")
        document = json_text(request.prop("PolicyDocument"))
        for url in request.prop("Queues") or []:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": document})
        physical_id = default_name(request)
        return ProvisionResult(physical_id=physical_id, attributes={"Id": physical_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        problems: list[str] = []
        queues = list(request.prop("Queues") or [])
        missing = 0
        for url in queues:
            live = _attributes(request, url).get("Policy")
            if not live:
                missing += 1
            problems += policy_differences(f"PolicyDocument of {url}", request.prop("PolicyDocument"), live)
        if queues and missing == len(queues):
            raise ResourceMissing(f"no queue of {request.logical_id} has a policy")
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        sqs = request.client("sqs")
        for url in request.prop("Queues") or []:
            ignore_missing(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": ""})
