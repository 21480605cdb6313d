"""PhotoEditor download: GET /v1/jobs/{jobId}/download returns a presigned URL of the processed image."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.config import Config

_CLIENTS: dict[str, Any] = {}


def client(service: str) -> Any:
    """A boto3 client, created once per container (S3 signs with SigV4, required for SSE-KMS)."""
    if service not in _CLIENTS:
        config = Config(signature_version="s3v4") if service == "s3" else None
        _CLIENTS[service] = boto3.client(service, config=config)
    return _CLIENTS[service]


def response(status: int, body: Any) -> dict[str, Any]:
    """An HTTP API (payload 2.0) JSON response."""
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def download_decision(item: dict[str, Any] | None) -> tuple[int, str | None, str]:
    """(status code, final key or None, message) for a job item in low-level format (pure)."""
    if not item:
        return 404, None, "job not found"
    status = item.get("status", {}).get("S", "UNKNOWN")
    final_key = item.get("finalKey", {}).get("S")
    if status == "FAILED":
        return 410, None, "processing failed"
    if status != "COMPLETED" or not final_key:
        return 409, None, f"job is {status}, not ready for download"
    return 200, final_key, "ok"


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Presign a GET on the final bucket once the job is COMPLETED."""
    job_id = (event.get("pathParameters") or {}).get("jobId")
    if not job_id:
        return response(400, {"message": "jobId required"})
    got = client("dynamodb").get_item(TableName=os.environ["JOBS_TABLE"], Key={"jobId": {"S": job_id}})
    status, key, message = download_decision(got.get("Item"))
    if key is None:
        return response(status, {"jobId": job_id, "message": message})
    ttl = int(os.environ.get("DOWNLOAD_URL_TTL_SECONDS", "300"))
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": os.environ["FINAL_BUCKET"], "Key": key}, ExpiresIn=ttl
    )
    return response(200, {"jobId": job_id, "downloadUrl": url, "expiresIn": ttl})
