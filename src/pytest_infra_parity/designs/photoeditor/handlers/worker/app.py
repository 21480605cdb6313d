"""PhotoEditor worker: consume S3 upload events from SQS, write the final image, update the job, notify."""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from typing import Any

import boto3
from botocore.exceptions import ClientError

_CLIENTS: dict[str, Any] = {}


def client(service: str) -> Any:
    """A boto3 client, created once per container."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service)
    return _CLIENTS[service]


def parse_upload_key(key: str) -> tuple[str, str, str]:
    """``uploads/<user>/<job>/<file>`` (URL-encoded as in S3 events) -> (user, job, file) (pure)."""
    parts = urllib.parse.unquote_plus(key).split("/")
    if len(parts) != 4 or parts[0] != "uploads" or not all(parts[1:]):
        raise ValueError(f"not an upload key: {key}")
    return parts[1], parts[2], parts[3]


def uploads_in(body: str) -> list[tuple[str, str]]:
    """(bucket, key) of every ObjectCreated record in an S3 event notification; [] for s3:TestEvent (pure)."""
    event = json.loads(body)
    found = []
    for record in event.get("Records", []):
        if str(record.get("eventName", "")).startswith("ObjectCreated") and "s3" in record:
            found.append((record["s3"]["bucket"]["name"], record["s3"]["object"]["key"]))
    return found


def _set_status(job_id: str, status: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    names = {"#s": "status"}
    values: dict[str, Any] = {":s": {"S": status}, ":u": {"N": str(int(time.time()))}}
    expression = "SET #s = :s, updatedAt = :u"
    for index, (field, value) in enumerate((extra or {}).items()):
        expression += f", #f{index} = :v{index}"
        names[f"#f{index}"] = field
        values[f":v{index}"] = {"S": value}
    updated = client("dynamodb").update_item(
        TableName=os.environ["JOBS_TABLE"],
        Key={"jobId": {"S": job_id}},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ConditionExpression="attribute_exists(jobId)",
        ReturnValues="ALL_NEW",
    )
    return dict(updated.get("Attributes", {}))


def _device_tokens(user_id: str) -> list[str]:
    got = client("dynamodb").query(
        TableName=os.environ["DEVICE_TOKENS_TABLE"],
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": {"S": user_id}},
    )
    return [item["token"]["S"] for item in got.get("Items", []) if "token" in item]


def process_upload(bucket: str, key: str) -> dict[str, Any]:
    """Copy the upload to the final bucket (KMS), mark the job COMPLETED, bump its batch, notify."""
    user_id, job_id, file_name = parse_upload_key(key)
    _set_status(job_id, "PROCESSING")
    final_key = f"processed/{user_id}/{job_id}/{file_name}"
    client("s3").copy_object(
        Bucket=os.environ["FINAL_BUCKET"],
        Key=final_key,
        CopySource={"Bucket": bucket, "Key": urllib.parse.unquote_plus(key)},
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=os.environ["KMS_KEY_ARN"],
    )
    job = _set_status(job_id, "COMPLETED", {"finalKey": final_key})
    batch_id = job.get("batchJobId", {}).get("S")
    if batch_id:
        client("dynamodb").update_item(
            TableName=os.environ["BATCH_TABLE"],
            Key={"batchJobId": {"S": batch_id}},
            UpdateExpression="ADD completedCount :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    message = {"jobId": job_id, "userId": user_id, "status": "COMPLETED", "batchJobId": batch_id}
    client("sns").publish(
        TopicArn=os.environ["NOTIFICATIONS_TOPIC_ARN"],
        Message=json.dumps({**message, "deviceTokens": _device_tokens(user_id)}),
        MessageAttributes={"event": {"DataType": "String", "StringValue": "job.completed"}},
    )
    return message


def last_attempt(record: dict[str, Any]) -> bool:
    """True when this delivery is the last before the DLQ (maxReceiveCount 3 on the queue) (pure)."""
    received = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    return received >= int(os.environ.get("MAX_RECEIVE_COUNT", "3"))


def _mark_failed(body: str, error: str) -> None:
    try:
        uploads = uploads_in(body)
    except ValueError:
        return  # not JSON: nothing to mark, the message goes to the DLQ as it is
    for _bucket, key in uploads:
        try:
            _set_status(parse_upload_key(key)[1], "FAILED", {"error": error[:500]})
        except ValueError:
            continue  # not an upload key
        except ClientError as exc:
            print(json.dumps({"message": "could not mark job failed", "key": key, "error": str(exc)}))


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """SQS batch handler: report the messages that failed so only those are retried (then DLQ after 3)."""
    failures = []
    for record in event.get("Records", []):
        try:
            for bucket, key in uploads_in(record["body"]):
                done = process_upload(bucket, key)
                print(json.dumps({"message": "processed", **done}))
        except Exception as exc:  # report the message as failed; SQS redrives it, then the DLQ gets it
            print(json.dumps({"message": "failed", "messageId": record.get("messageId"), "error": str(exc)}))
            failures.append({"itemIdentifier": record.get("messageId")})
            if last_attempt(record):
                _mark_failed(record["body"], str(exc))
    return {"batchItemFailures": failures}
