"""PhotoEditor presign: create jobs (single or batch) and return presigned PUT URLs to the temp bucket."""

from __future__ import annotations

import base64
import json
import os
import re
import time
import uuid
from typing import Any

import boto3
from botocore.config import Config

_CLIENTS: dict[str, Any] = {}
ALLOWED_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/heic", "image/webp"})
MAX_BATCH = 20


def client(service: str) -> Any:
    """A boto3 client, created once per container (S3 signs with SigV4, required for SSE-KMS)."""
    if service not in _CLIENTS:
        config = Config(signature_version="s3v4") if service == "s3" else None
        _CLIENTS[service] = boto3.client(service, config=config)
    return _CLIENTS[service]


def response(status: int, body: Any) -> dict[str, Any]:
    """An HTTP API (payload 2.0) JSON response."""
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def object_key(user_id: str, job_id: str, file_name: str) -> str:
    """The temp-bucket key of an upload, ``uploads/<user>/<job>/<safe file name>`` (pure)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(file_name))[:128] or "upload"
    return f"uploads/{user_id}/{job_id}/{safe}"


def validate_files(body: dict[str, Any]) -> list[dict[str, str]]:
    """The files requested, single (`fileName`) or batch (`files`); raises ValueError when invalid (pure)."""
    files = body.get("files") if "files" in body else [body]
    if not isinstance(files, list) or not files:
        raise ValueError("files must be a non-empty list")
    if len(files) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} files per batch")
    out = []
    for item in files:
        if not isinstance(item, dict) or not item.get("fileName"):
            raise ValueError("each file needs a fileName")
        content_type = str(item.get("contentType", "image/jpeg"))
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise ValueError(f"unsupported content type {content_type}")
        out.append({"fileName": str(item["fileName"]), "contentType": content_type})
    return out


def user_of(event: dict[str, Any], body: dict[str, Any]) -> str:
    """The caller: the JWT subject when an authorizer is configured, else the body's userId."""
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    user = claims.get("sub") or body.get("userId") or "anonymous"
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(user))[:64]


def _create_job(user_id: str, spec: dict[str, str], batch_id: str | None, now: int) -> dict[str, Any]:
    job_id = str(uuid.uuid4())
    key = object_key(user_id, job_id, spec["fileName"])
    ttl_days = int(os.environ.get("JOB_TTL_DAYS", "90"))
    item = {
        "jobId": {"S": job_id},
        "userId": {"S": user_id},
        "status": {"S": "QUEUED"},
        "tempKey": {"S": key},
        "contentType": {"S": spec["contentType"]},
        "createdAt": {"N": str(now)},
        "expiresAt": {"N": str(now + ttl_days * 86400)},
    }
    if batch_id:
        item["batchJobId"] = {"S": batch_id}
    client("dynamodb").put_item(TableName=os.environ["JOBS_TABLE"], Item=item)
    url = client("s3").generate_presigned_url(
        "put_object",
        Params={"Bucket": os.environ["TEMP_BUCKET"], "Key": key, "ContentType": spec["contentType"]},
        ExpiresIn=int(os.environ.get("UPLOAD_URL_TTL_SECONDS", "900")),
    )
    return {"jobId": job_id, "key": key, "uploadUrl": url, "contentType": spec["contentType"]}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """POST /v1/upload/presign with ``{fileName, contentType}`` or ``{files: [...]}``."""
    raw = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    try:
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        files = validate_files(body)
    except (ValueError, json.JSONDecodeError) as exc:
        return response(400, {"message": str(exc)})
    user_id = user_of(event, body)
    now = int(time.time())
    batch_id = str(uuid.uuid4()) if "files" in body else None
    jobs = [_create_job(user_id, spec, batch_id, now) for spec in files]
    if batch_id is None:
        return response(201, jobs[0])
    client("dynamodb").put_item(
        TableName=os.environ["BATCH_TABLE"],
        Item={
            "batchJobId": {"S": batch_id},
            "userId": {"S": user_id},
            "status": {"S": "QUEUED"},
            "totalCount": {"N": str(len(jobs))},
            "completedCount": {"N": "0"},
            "createdAt": {"N": str(now)},
            "expiresAt": {"N": str(now + int(os.environ.get("JOB_TTL_DAYS", "90")) * 86400)},
        },
    )
    return response(201, {"batchJobId": batch_id, "jobs": jobs})
