"""SNS provisioners on the moto server: topics, subscriptions and topic policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ResourceMissing

from ._support import Build, Clients, assert_deleted, create, error_code, new_queue_arn


def _topic_gone(sns: Any, arn: str) -> bool:
    return error_code(sns.get_topic_attributes, TopicArn=arn) == "NotFound"


def test_topic_lifecycle(make_request: Build, clients: Clients) -> None:
    sns, kms = clients("sns"), clients("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    queue_arn = new_queue_arn(clients, "c1-topic-inline")
    prov, req, result = create(
        make_request,
        "Alerts",
        "AWS::SNS::Topic",
        {
            "DisplayName": "Order alerts",
            "KmsMasterKeyId": key_arn,
            "TracingConfig": "Active",
            "Subscription": [{"Protocol": "sqs", "Endpoint": queue_arn}],
            "Tags": [{"Key": "team", "Value": "orders"}],
        },
    )
    arn = result.physical_id
    assert result.attributes == {"TopicArn": arn, "TopicName": arn.split(":")[-1]}
    assert prov.verify(req, result) == []

    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Order alerts"
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("sqs", queue_arn)]

    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="renamed")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue="alias/aws/sns")
    sns.unsubscribe(SubscriptionArn=subscriptions[0]["SubscriptionArn"])
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    problems = prov.verify(req, result)
    assert "DisplayName is 'renamed', declared 'Order alerts'" in problems
    assert any(p.startswith("KmsMasterKeyId is 'alias/aws/sns'") for p in problems)
    assert f"Subscription sqs:{queue_arn} is missing" in problems
    assert any("'team' is missing" in p for p in problems)

    assert_deleted(prov, req, result, gone=lambda: _topic_gone(sns, arn))


def test_fifo_topic(make_request: Build, clients: Clients) -> None:
    sns = clients("sns")
    prov, req, result = create(
        make_request, "Ledger", "AWS::SNS::Topic", {"FifoTopic": "true", "ContentBasedDeduplication": True}
    )
    assert result.attributes["TopicName"].endswith(".fifo")
    assert prov.verify(req, result) == []
    assert sns.get_topic_attributes(TopicArn=result.physical_id)["Attributes"]["FifoTopic"] == "true"
    sns.set_topic_attributes(
        TopicArn=result.physical_id, AttributeName="ContentBasedDeduplication", AttributeValue="false"
    )
    assert prov.verify(req, result) == ["ContentBasedDeduplication is 'false', declared 'true'"]
    prov.delete(req, result)
    assert _topic_gone(sns, result.physical_id)


def test_subscription_lifecycle(make_request: Build, clients: Clients) -> None:
    sns = clients("sns")
    topic_arn = sns.create_topic(Name="c1-subscribed")["TopicArn"]
    queue_arn, dlq_arn = new_queue_arn(clients, "c1-sub-target"), new_queue_arn(clients, "c1-sub-dlq")
    prov, req, result = create(
        make_request,
        "ToQueue",
        "AWS::SNS::Subscription",
        {
            "TopicArn": topic_arn,
            "Protocol": "sqs",
            "Endpoint": queue_arn,
            "RawMessageDelivery": "true",
            "FilterPolicy": {"event": ["order_placed"]},
            "FilterPolicyScope": "MessageAttributes",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn}),
        },
    )
    arn = result.physical_id
    assert result.attributes == {"Arn": arn}
    assert arn.startswith(topic_arn + ":")
    assert prov.verify(req, result) == []
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"
    assert json.loads(attributes["FilterPolicy"]) == {"event": ["order_placed"]}

    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="false"
    )
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=json.dumps({"event": ["other"]})
    )
    problems = prov.verify(req, result)
    assert "RawMessageDelivery is 'false', declared 'true'" in problems
    assert any(p.startswith("FilterPolicy is") for p in problems)

    prov.delete(req, result)
    assert arn not in {
        s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    }
    with pytest.raises(ResourceMissing):
        prov.verify(req, result)
    prov.delete(req, result)
    sns.delete_topic(TopicArn=topic_arn)


def test_topic_policy(make_request: Build, clients: Clients) -> None:
    sns = clients("sns")
    topic_arn = sns.create_topic(Name="c1-policied")["TopicArn"]
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "events",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
            }
        ],
    }
    prov, req, result = create(
        make_request,
        "AlertsPolicy", "AWS::SNS::TopicPolicy", {"Topics": [topic_arn], "PolicyDocument": policy}
    )
    assert result.attributes["Id"] == result.physical_id
    assert prov.verify(req, result) == []
    live = json.loads(sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"])
    assert live["Statement"][0]["Sid"] == "events"

    other = {
        **policy,
        "Statement": [{**policy["Statement"][0], "Principal": {"Service": "s3.amazonaws.com"}}],
    }
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(other))
    assert any(p.startswith("PolicyDocument of") for p in prov.verify(req, result))

    prov.delete(req, result)
    live = json.loads(sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"])
    assert live["Id"] == "__default_policy_ID"
    with pytest.raises(ResourceMissing):
        prov.verify(req, result)
    sns.delete_topic(TopicArn=topic_arn)
    prov.delete(req, result)
