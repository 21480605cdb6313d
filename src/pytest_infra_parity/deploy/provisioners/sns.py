"""SNS topics, subscriptions and topic policies."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import ignore_missing, key_differences, read_or_missing
from pytest_infra_parity.deploy.provisioners._shapes import (
    as_bool,
    bool_text,
    canonical_policy,
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
    tag_list,
    tag_map,
)

_TOPIC_BOOLS = ("FifoTopic", "ContentBasedDeduplication")
_TOPIC_STRINGS = ("DisplayName", "TracingConfig", "SignatureVersion")
_SUBSCRIPTION_JSON = ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy")


def _topic_attributes(request: ProvisionRequest) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for name in _TOPIC_BOOLS:
        if request.prop(name) is not None:
            attributes[name] = bool_text(request.prop(name))
    for name in (*_TOPIC_STRINGS, "KmsMasterKeyId"):
        if request.prop(name) is not None:
            attributes[name] = str(request.prop(name))
    return attributes


def _get_topic(request: ProvisionRequest, arn: str) -> dict[str, str]:
    what = f"topic {arn} ({request.logical_id})"
    return dict(read_or_missing(what, request.client("sns").get_topic_attributes, TopicArn=arn)["Attributes"])


def _default_topic_policy(arn: str) -> str:
    """The policy SNS gives a new topic, which deleting an ``AWS::SNS::TopicPolicy`` restores."""
    account = arn.split(":")[4]
    actions = [
        "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes",
        "SNS:AddPermission",
        "SNS:RemovePermission",
        "SNS:DeleteTopic",
        "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic",
        "SNS:Publish",
    ]
    statement = {
        "Sid": "__default_statement_ID",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": actions,
        "Resource": arn,
        "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
    }
    return json.dumps({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [statement]})


@register
class TopicProvisioner:
    """``AWS::SNS::Topic``: primary identifier ``TopicArn``; ``Ref`` returns the topic ARN.

    ``Fn::GetAtt``: ``TopicArn``, ``TopicName``. Inline ``Subscription`` entries (``Endpoint``,
    ``Protocol``) are subscribed after the topic is created.
    """

    resource_type: ClassVar[str] = "AWS::SNS::Topic"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"TopicName", "KmsMasterKeyId", "Subscription", "Tags", *_TOPIC_BOOLS, *_TOPIC_STRINGS}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        sns = request.client("sns")
        name = request.prop("TopicName")
        if not name:
            fifo = as_bool(request.prop("FifoTopic", False))
            name = (
                default_name(request, max_length=251) + ".fifo"
                if fifo
                else default_name(request, max_length=256)
            )
        arn = sns.create_topic(Name=name, Attributes=_topic_attributes(request), Tags=tag_list(request))[
            "TopicArn"
        ]
        for subscription in request.prop("Subscription") or []:
            sns.subscribe(TopicArn=arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"])
        return ProvisionResult(physical_id=arn, attributes={"TopicArn": arn, "TopicName": name})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        sns = request.client("sns")
        arn = result.physical_id
        live = _get_topic(request, arn)
        problems: list[str] = []
        for name, value in _topic_attributes(request).items():
            if name == "KmsMasterKeyId":
                problems += key_differences(request, name, value, live.get(name))
            elif name == "TracingConfig" and name not in live:
                # moto: TracingConfig is stored but never returned by GetTopicAttributes; compared only
                # when the target reports it.
                continue
            elif name in _TOPIC_BOOLS:
                problems += differs(name, value, str(live.get(name, "false")).lower())
            else:
                problems += differs(name, value, live.get(name))
        subscribed = set()
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn):
            subscribed |= {(s["Protocol"], s["Endpoint"]) for s in page.get("Subscriptions", [])}
        for subscription in request.prop("Subscription") or []:
            if (subscription["Protocol"], subscription["Endpoint"]) not in subscribed:
                problems.append(
                    f"Subscription {subscription['Protocol']}:{subscription['Endpoint']} is missing"
                )
        live_tags = sns.list_tags_for_resource(ResourceArn=arn).get("Tags", [])
        problems += tag_differences(tag_map(request), {t["Key"]: t["Value"] for t in live_tags})
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        sns = request.client("sns")
        try:
            _get_topic(request, result.physical_id)
        except ResourceMissing:
            return
        sns.delete_topic(TopicArn=result.physical_id)


def _subscription_attributes(request: ProvisionRequest) -> dict[str, str]:
    attributes: dict[str, str] = {}
    if request.prop("RawMessageDelivery") is not None:
        attributes["RawMessageDelivery"] = bool_text(request.prop("RawMessageDelivery"))
    for name in _SUBSCRIPTION_JSON:
        if request.prop(name) is not None:
            attributes[name] = json_text(request.prop(name))
    for name in ("FilterPolicyScope", "SubscriptionRoleArn"):
        if request.prop(name) is not None:
            attributes[name] = str(request.prop(name))
    return attributes


@register
class SubscriptionProvisioner:
    """``AWS::SNS::Subscription``: primary identifier ``Arn``; ``Ref`` returns the subscription ARN.

    ``Fn::GetAtt``: ``Arn``. ``FilterPolicy``, ``RedrivePolicy`` and ``DeliveryPolicy`` may be
    objects or JSON text.
    """

    resource_type: ClassVar[str] = "AWS::SNS::Subscription"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {
            "TopicArn",
            "Protocol",
            "Endpoint",
            "RawMessageDelivery",
            "FilterPolicyScope",
            "SubscriptionRoleArn",
            *_SUBSCRIPTION_JSON,
        }
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        params: dict[str, Any] = {
            "TopicArn": request.prop("TopicArn"),
            "Protocol": request.prop("Protocol"),
            "ReturnSubscriptionArn": True,
        }
        if request.prop("Endpoint") is not None:
            params["Endpoint"] = request.prop("Endpoint")
        attributes = _subscription_attributes(request)
        if attributes:
            params["Attributes"] = attributes
        arn = request.client("sns").subscribe(**params)["SubscriptionArn"]
        return ProvisionResult(physical_id=arn, attributes={"Arn": arn})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        what = f"subscription {result.physical_id} ({request.logical_id})"
        call = request.client("sns").get_subscription_attributes
        live = read_or_missing(what, call, SubscriptionArn=result.physical_id)
        attributes = dict(live.get("Attributes", {}))
        problems = differs("TopicArn", request.prop("TopicArn"), attributes.get("TopicArn"))
        problems += differs("Protocol", request.prop("Protocol"), attributes.get("Protocol"))
        if request.prop("Endpoint") is not None:
            problems += differs("Endpoint", request.prop("Endpoint"), attributes.get("Endpoint"))
        for name, value in _subscription_attributes(request).items():
            if name in _SUBSCRIPTION_JSON:
                live_value = attributes.get(name)
                if live_value is None or json.loads(value) != json.loads(live_value):
                    problems.append(f"{name} is {live_value}, declared {value}")
            elif name == "RawMessageDelivery":
                problems += differs(name, value, str(attributes.get(name, "false")).lower())
            else:
                problems += differs(name, value, attributes.get(name))
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        ignore_missing(request.client("sns").unsubscribe, SubscriptionArn=result.physical_id)


@register
class TopicPolicyProvisioner:
    """``AWS::SNS::TopicPolicy``: primary identifier ``Id``; ``Ref`` returns that generated id.

    ``Fn::GetAtt``: ``Id``. Deleting gives each topic back SNS's default policy.
    """

    resource_type: ClassVar[str] = "AWS::SNS::TopicPolicy"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"Topics", "PolicyDocument"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        sns = request.client("sns")
        document = json_text(request.prop("PolicyDocument"))
        for arn in request.prop("Topics") or []:
            sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=document)
        physical_id = default_name(request)
        return ProvisionResult(physical_id=physical_id, attributes={"Id": physical_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        problems: list[str] = []
        topics = list(request.prop("Topics") or [])
        defaults = 0
        for arn in topics:
            live = _get_topic(request, arn).get("Policy")
            if not live or canonical_policy(json_document(live)) == canonical_policy(
                json_document(_default_topic_policy(arn))
            ):
                defaults += 1
            problems += policy_differences(f"PolicyDocument of {arn}", request.prop("PolicyDocument"), live)
        if topics and defaults == len(topics):
            raise ResourceMissing(f"every topic of {request.logical_id} has the default policy")
        return problems

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        sns = request.client("sns")
        for arn in request.prop("Topics") or []:
            ignore_missing(
                sns.set_topic_attributes,
                TopicArn=arn,
                AttributeName="Policy",
                AttributeValue=_default_topic_policy(arn),
            )
