"""Shared helpers of the LEGO API handlers: responses, caller identity, body parsing, EMF metrics."""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

_cold = {"start": True}


class HttpError(Exception):
    """An error to answer with a status code and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def response(status: int, body: Any = None) -> dict[str, Any]:
    """An HTTP API (payload 2.0) JSON response."""
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body, default=str) if body is not None else "",
    }


def user_id(event: dict[str, Any]) -> str:
    """The Cognito subject of the JWT the authorizer validated (HTTP API payload 2.0)."""
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    sub = claims.get("sub")
    if not sub:
        raise HttpError(401, "missing JWT subject")
    return str(sub)


def method_of(event: dict[str, Any]) -> str:
    """The HTTP method of the request."""
    return str(event.get("requestContext", {}).get("http", {}).get("method", "GET")).upper()


def path_id(event: dict[str, Any]) -> str | None:
    """The {id} path parameter, if the route has one."""
    return (event.get("pathParameters") or {}).get("id")


def json_body(event: dict[str, Any]) -> dict[str, Any]:
    """The request body as a JSON object; HttpError 400 otherwise."""
    raw = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HttpError(400, "body must be JSON") from exc
    if not isinstance(body, dict):
        raise HttpError(400, "body must be a JSON object")
    return body


def require_fields(body: dict[str, Any], spec: dict[str, type]) -> dict[str, Any]:
    """Validate required fields and their types (the Zod schemas of the Node API, in miniature) (pure)."""
    out = {}
    for name, kind in spec.items():
        value = body.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise HttpError(400, f"{name} is required")
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            raise HttpError(400, f"{name} must be {kind.__name__}")
        out[name] = value
    return out


def emit_metric(name: str, value: float = 1, unit: str = "Count", **dimensions: str) -> None:
    """Write one CloudWatch metric in Embedded Metric Format (a log line, no API call)."""
    namespace = os.environ.get("METRICS_NAMESPACE", "lego-api")
    record: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [sorted(dimensions)],
                    "Metrics": [{"Name": name, "Unit": unit}],
                }
            ],
        },
        name: value,
        **dimensions,
    }
    print(json.dumps(record))


def note_cold_start(function: str) -> None:
    """Emit ColdStart=1 once per container (the ColdStart alarm sums it)."""
    if _cold["start"]:
        _cold["start"] = False
        emit_metric("ColdStart", 1, "Count")
        emit_metric("ColdStartByFunction", 1, "Count", Function=function)


def run(event: dict[str, Any], function: str, action: Any) -> dict[str, Any]:
    """Call the handler body, turning HttpError into a response and timing the request."""
    note_cold_start(function)
    started = time.monotonic()
    try:
        result: dict[str, Any] = action(event)
        return result
    except HttpError as exc:
        return response(exc.status, {"message": str(exc)})
    finally:
        emit_metric(
            "HandlerLatency", round((time.monotonic() - started) * 1000, 1), "Milliseconds", Function=function
        )
