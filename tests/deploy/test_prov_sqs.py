"""SQS provisioners on the moto server: queues (standard, FIFO, DLQ redrive, KMS) and queue policies."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ResourceMissing

from ._support import Build, Clients, assert_deleted, create, error_code, new_key, provisioner_for


def _gone(sqs: Any, url: str) -> bool:
    code = error_code(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["All"])
    return code is not None and "NonExistentQueue" in code


def test_queue_with_dead_letter_queue(make_request: Build, clients: Clients) -> None:
    sqs, kms = clients("sqs"), clients("kms")
    prov, dlq_req, dlq = create(
        make_request, "OrdersDlq", "AWS::SQS::Queue", {"MessageRetentionPeriod": 1209600}
    )
    key_arn = new_key(kms, "alias/c1-queue")["Arn"]
    props = {
        "VisibilityTimeout": 60,
        "MessageRetentionPeriod": "86400",
        "DelaySeconds": 5,
        "ReceiveMessageWaitTimeSeconds": 20,
        "MaximumMessageSize": 65536,
        "KmsMasterKeyId": "alias/c1-queue",
        "KmsDataKeyReusePeriodSeconds": 600,
        "RedrivePolicy": {"deadLetterTargetArn": dlq.attributes["Arn"], "maxReceiveCount": 3},
        "RedriveAllowPolicy": {"redrivePermission": "allowAll"},
        "Tags": [{"Key": "team", "Value": "orders"}],
    }
    req = make_request("Orders", "AWS::SQS::Queue", props)
    result = prov.create(req)
    url = result.physical_id
    assert result.attributes["QueueUrl"] == url
    assert result.attributes["QueueName"].startswith(f"{req.stack_name}-Orders-")
    assert result.attributes["Arn"].endswith(":" + result.attributes["QueueName"])
    assert prov.verify(req, result) == []

    live = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert json.loads(live["RedrivePolicy"])["deadLetterTargetArn"] == dlq.attributes["Arn"]
    assert live["VisibilityTimeout"] == "60"
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"]["team"] == "orders"

    # the same key under another name is not a difference
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": key_arn})
    assert prov.verify(req, result) == []

    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "VisibilityTimeout": "30",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq.attributes["Arn"], "maxReceiveCount": 10}
            ),
            "KmsMasterKeyId": "alias/aws/sqs",
        },
    )
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    problems = prov.verify(req, result)
    assert "VisibilityTimeout is '30', declared '60'" in problems
    assert "RedrivePolicy.maxReceiveCount is 10, declared 3" in problems
    assert any(p.startswith("KmsMasterKeyId is 'alias/aws/sqs'") for p in problems)
    assert any("'team' is missing" in p for p in problems)

    for queue_req, queue in ((req, result), (dlq_req, dlq)):
        assert_deleted(prov, queue_req, queue, gone=partial(_gone, sqs, queue.physical_id))
    kms.delete_alias(AliasName="alias/c1-queue")


def test_fifo_queue(make_request: Build, clients: Clients) -> None:
    sqs = clients("sqs")
    prov, req, result = create(
        make_request,
        "Events",
        "AWS::SQS::Queue",
        {
            "FifoQueue": True,
            "ContentBasedDeduplication": "true",
            "SqsManagedSseEnabled": True,
        },
    )
    assert result.attributes["QueueName"].endswith(".fifo")
    assert len(result.attributes["QueueName"]) <= 80
    assert prov.verify(req, result) == []
    live = sqs.get_queue_attributes(QueueUrl=result.physical_id, AttributeNames=["All"])["Attributes"]
    assert (live["FifoQueue"], live["ContentBasedDeduplication"]) == ("true", "true")
    sqs.set_queue_attributes(QueueUrl=result.physical_id, Attributes={"ContentBasedDeduplication": "false"})
    assert prov.verify(req, result) == ["ContentBasedDeduplication is 'false', declared 'true'"]
    prov.delete(req, result)
    assert _gone(sqs, result.physical_id)


def test_queue_policy(make_request: Build, clients: Clients) -> None:
    sqs = clients("sqs")
    queue_prov, prov = provisioner_for("AWS::SQS::Queue"), provisioner_for("AWS::SQS::QueuePolicy")
    queue_req = make_request("Inbox", "AWS::SQS::Queue", {"QueueName": "c1-inbox"})
    queue = queue_prov.create(queue_req)
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "from-sns",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue.attributes["Arn"],
            }
        ],
    }
    req = make_request(
        "InboxPolicy", "AWS::SQS::QueuePolicy", {"Queues": [queue.physical_id], "PolicyDocument": policy}
    )
    result = prov.create(req)
    assert result.attributes["Id"] == result.physical_id
    assert prov.verify(req, result) == []
    live = sqs.get_queue_attributes(QueueUrl=queue.physical_id, AttributeNames=["Policy"])["Attributes"][
        "Policy"
    ]
    assert json.loads(live)["Statement"][0]["Sid"] == "from-sns"

    other = {**policy, "Statement": [{**policy["Statement"][0], "Action": "sqs:*"}]}
    sqs.set_queue_attributes(QueueUrl=queue.physical_id, Attributes={"Policy": json.dumps(other)})
    assert any(p.startswith("PolicyDocument of") for p in prov.verify(req, result))

    prov.delete(req, result)
    assert (
        "Policy"
        not in sqs.get_queue_attributes(QueueUrl=queue.physical_id, AttributeNames=["All"])["Attributes"]
    )
    with pytest.raises(ResourceMissing):
        prov.verify(req, result)
    prov.delete(req, result)
    queue_prov.delete(queue_req, queue)
    prov.delete(req, result)  # the queue itself is gone: still a no-op
