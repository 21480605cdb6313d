"""Gallery images: ANY /api/images and ANY /api/images/{id} (JWT); uploads go straight to S3 (presigned)."""

from __future__ import annotations

import os
import re
import uuid
from typing import Any

import boto3
import common
import crud
from botocore.config import Config

_CLIENTS: dict[str, Any] = {}
ALLOWED_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def s3() -> Any:
    """The S3 client (SigV4 presigning)."""
    if "s3" not in _CLIENTS:
        _CLIENTS["s3"] = boto3.client("s3", config=Config(signature_version="s3v4"))
    return _CLIENTS["s3"]


def upload_key(user: str, image_id: str, file_name: str) -> str:
    """``uploads/<user>/images/<id>/<safe name>`` (pure)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(file_name))[:128] or "image"
    return f"uploads/{user}/images/{image_id}/{safe}"


def with_download_url(item: dict[str, Any]) -> dict[str, Any]:
    """Add a short-lived GET URL for the image."""
    key = item.get("s3Key")
    if key:
        item["url"] = s3().generate_presigned_url(
            "get_object", Params={"Bucket": os.environ["UPLOADS_BUCKET"], "Key": key}, ExpiresIn=900
        )
    return item


IMAGES = crud.Resource(
    name="images",
    table="gallery_images",
    fields={
        "title": crud.Field("title", str, required=True),
        "description": crud.Field("description", str),
        "tags": crud.Field("tags", list),
        "s3Key": crud.Field("s3_key", str, writable=False),
    },
    search_index="gallery-images",
    decorate=with_download_url,
)


def _create(event: dict[str, Any]) -> dict[str, Any]:
    user = common.user_id(event)
    body = common.json_body(event)
    content_type = str(body.pop("contentType", "image/jpeg"))
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise common.HttpError(400, f"unsupported content type {content_type}")
    key = upload_key(user, str(uuid.uuid4()), str(body.pop("fileName", "image")))
    item = crud.create_item(IMAGES, user, body, extra={"s3_key": key})
    item["uploadUrl"] = s3().generate_presigned_url(
        "put_object",
        Params={"Bucket": os.environ["UPLOADS_BUCKET"], "Key": key, "ContentType": content_type},
        ExpiresIn=900,
    )
    return common.response(201, item)


def _route(event: dict[str, Any]) -> dict[str, Any]:
    if common.method_of(event) == "POST" and common.path_id(event) is None:
        return _create(event)
    return crud.dispatch(IMAGES, event)


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point of the gallery function."""
    return common.run(event, "gallery", _route)
