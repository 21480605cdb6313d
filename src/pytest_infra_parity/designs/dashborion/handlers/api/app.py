"""Dashborion HTTP API: health, cached snapshots and user preferences (payload format 2.0)."""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

import boto3

_CLIENTS: dict[str, Any] = {}


def client(service: str) -> Any:
    """A boto3 client, created once per container."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service)
    return _CLIENTS[service]


def response(status: int, body: Any) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(body, default=str),
    }


def resolve_route(method: str, path: str) -> tuple[str, dict[str, str]]:
    """Map a method and path under /api to an action name and its parameters (pure)."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"]:
        parts = parts[1:]
    if method == "GET" and parts == ["health"]:
        return "health", {}
    if len(parts) == 2 and parts[0] == "snapshots" and method == "GET":
        return "get_snapshot", {"name": parts[1]}
    if len(parts) == 2 and parts[0] == "preferences":
        if method == "GET":
            return "get_preferences", {"userId": parts[1]}
        if method == "PUT":
            return "put_preferences", {"userId": parts[1]}
    return "not_found", {}


def _from_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    """Flatten a low-level DynamoDB item holding only S and N attributes."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if "S" in value:
            out[key] = value["S"]
        elif "N" in value:
            out[key] = int(value["N"]) if value["N"].lstrip("-").isdigit() else float(value["N"])
    return out


def _health() -> dict[str, Any]:
    return response(200, {"status": "ok", "stage": os.environ.get("STAGE", "dev"), "time": int(time.time())})


def _get_snapshot(name: str) -> dict[str, Any]:
    got = client("dynamodb").get_item(
        TableName=os.environ["CACHE_TABLE"], Key={"pk": {"S": f"snapshot#{name}"}, "sk": {"S": "latest"}}
    )
    item = got.get("Item")
    if not item:
        return response(404, {"message": f"no snapshot named {name}"})
    data = _from_dynamodb(item)
    return response(200, {"name": name, "takenAt": data.get("takenAt"), "data": json.loads(data["payload"])})


def _get_preferences(user_id: str) -> dict[str, Any]:
    got = client("dynamodb").get_item(
        TableName=os.environ["PREFERENCES_TABLE"], Key={"userId": {"S": user_id}}
    )
    item = got.get("Item")
    prefs = json.loads(_from_dynamodb(item)["preferences"]) if item else {}
    return response(200, {"userId": user_id, "preferences": prefs})


def _put_preferences(user_id: str, raw_body: str | None) -> dict[str, Any]:
    try:
        prefs = json.loads(raw_body or "{}")
    except json.JSONDecodeError:
        return response(400, {"message": "body must be JSON"})
    if not isinstance(prefs, dict):
        return response(400, {"message": "preferences must be a JSON object"})
    client("dynamodb").put_item(
        TableName=os.environ["PREFERENCES_TABLE"],
        Item={
            "userId": {"S": user_id},
            "preferences": {"S": json.dumps(prefs, sort_keys=True)},
            "updatedAt": {"N": str(int(time.time()))},
        },
    )
    return response(200, {"userId": user_id, "preferences": prefs})


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point for the HTTP API routes GET /api/health, GET /api/{proxy+}, PUT /api/preferences."""
    http = event.get("requestContext", {}).get("http", {})
    method = http.get("method", "GET")
    action, params = resolve_route(method, event.get("rawPath") or http.get("path", "/"))
    body = event.get("body")
    if body and event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    if action == "health":
        return _health()
    if action == "get_snapshot":
        return _get_snapshot(params["name"])
    if action == "get_preferences":
        return _get_preferences(params["userId"])
    if action == "put_preferences":
        return _put_preferences(params["userId"], body)
    return response(404, {"message": f"no route for {method} {event.get('rawPath')}"})
