"""PhotoEditor status: GET /v1/jobs/{jobId} and GET /v1/batches/{batchJobId}."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

_CLIENTS: dict[str, Any] = {}
PUBLIC_JOB_FIELDS = ("jobId", "batchJobId", "status", "contentType", "createdAt", "updatedAt", "error")


def client(service: str) -> Any:
    """A boto3 client, created once per container."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service)
    return _CLIENTS[service]


def response(status: int, body: Any) -> dict[str, Any]:
    """An HTTP API (payload 2.0) JSON response."""
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """A low-level DynamoDB item (S/N/BOOL attributes) as plain JSON values (pure)."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if "S" in value:
            out[key] = value["S"]
        elif "N" in value:
            number = value["N"]
            out[key] = int(number) if number.lstrip("-").isdigit() else float(number)
        elif "BOOL" in value:
            out[key] = value["BOOL"]
    return out


def job_view(item: dict[str, Any]) -> dict[str, Any]:
    """What a client may see of a job: no bucket keys, no TTL (pure)."""
    data = plain(item)
    view = {k: data[k] for k in PUBLIC_JOB_FIELDS if k in data}
    view["downloadReady"] = data.get("status") == "COMPLETED"
    return view


def batch_view(item: dict[str, Any]) -> dict[str, Any]:
    """A batch with its progress in percent (pure)."""
    data = plain(item)
    total = int(data.get("totalCount", 0))
    done = int(data.get("completedCount", 0))
    return {
        "batchJobId": data.get("batchJobId"),
        "status": "COMPLETED" if total and done >= total else data.get("status", "QUEUED"),
        "totalCount": total,
        "completedCount": done,
        "progress": round(100 * done / total) if total else 0,
    }


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Route on the path parameter present: jobId or batchJobId."""
    params = event.get("pathParameters") or {}
    dynamodb = client("dynamodb")
    if "batchJobId" in params:
        got = dynamodb.get_item(
            TableName=os.environ["BATCH_TABLE"], Key={"batchJobId": {"S": params["batchJobId"]}}
        )
        if "Item" not in got:
            return response(404, {"message": "batch not found"})
        return response(200, batch_view(got["Item"]))
    if "jobId" in params:
        got = dynamodb.get_item(TableName=os.environ["JOBS_TABLE"], Key={"jobId": {"S": params["jobId"]}})
        if "Item" not in got:
            return response(404, {"message": "job not found"})
        return response(200, job_view(got["Item"]))
    return response(400, {"message": "jobId or batchJobId required"})
