"""Payload format 2.0: the event API Gateway sends a Lambda integration, and how it reads the answer.

From "Create AWS Lambda proxy integrations for HTTP APIs" (API Gateway developer guide): the event has
``version`` "2.0", ``routeKey``, ``rawPath``, ``rawQueryString``, ``cookies`` (every cookie of the
``Cookie`` headers, which then leave ``headers``), ``headers`` (lower-cased names, duplicates joined with
commas), ``queryStringParameters`` (duplicates joined with commas), ``requestContext`` (``accountId``,
``apiId``, ``authorizer.jwt`` claims and scopes, ``domainName``, ``domainPrefix``, ``http`` method,
path, protocol, sourceIp and userAgent, ``requestId``, ``routeKey``, ``stage``, ``time`` and
``timeEpoch``), ``body`` (base64 with ``isBase64Encoded`` for a binary body), ``pathParameters`` and
``stageVariables``; empty optional fields are left out. The answer: a JSON object with ``statusCode``
gives the status, ``headers``, ``cookies`` (each a ``Set-Cookie`` header), ``body`` and
``isBase64Encoded``; any other valid JSON (the format's shorthand) means status 200, ``content-type:
application/json`` and the function's output as the body (a JSON string is sent as the string itself).
A malformed answer is a 500 ``{"message":"Internal Server Error"}``.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["GatewayResponse", "RequestData", "build_event", "map_response"]

TEXT_TYPES = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded", "yaml")


@dataclass(frozen=True)
class RequestData:
    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"


@dataclass
class GatewayResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def _joined(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = f"{out[name]},{value}" if name in out else value
    return out


def _text(content_type: str) -> bool:
    return any(marker in content_type.lower() for marker in TEXT_TYPES)


def build_event(request: RequestData, *, api_id: str, account_id: str, domain: str, stage: str, route_key: str,
                path_parameters: dict[str, str], stage_variables: dict[str, str], request_id: str,
                authorizer: dict[str, Any] | None = None, now: float | None = None) -> dict[str, Any]:
    """The payload 2.0 event of a request."""
    moment = time.time() if now is None else now
    lowered = [(n.lower(), v) for n, v in request.headers]
    cookies = [c.strip() for n, v in lowered if n == "cookie" for c in v.split(";") if c.strip()]
    headers = _joined([(n, v) for n, v in lowered if n != "cookie"])
    event: dict[str, Any] = {"version": "2.0", "routeKey": route_key, "rawPath": request.raw_path,
                             "rawQueryString": request.raw_query}
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _joined(parse_qsl(request.raw_query, keep_blank_values=True))
    if query:
        event["queryStringParameters"] = query
    context: dict[str, Any] = {
        "accountId": account_id, "apiId": api_id, "domainName": domain, "domainPrefix": domain.split(".")[0],
        "http": {"method": request.method, "path": request.raw_path, "protocol": request.protocol,
                 "sourceIp": request.source_ip, "userAgent": headers.get("user-agent", "")},
        "requestId": request_id, "routeKey": route_key, "stage": stage,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(moment)), "timeEpoch": int(moment * 1000)}
    if authorizer is not None:
        context["authorizer"] = authorizer
    event["requestContext"] = context
    if request.body:
        if _text(headers.get("content-type", "")):
            event["body"], event["isBase64Encoded"] = request.body.decode("utf-8", "replace"), False
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(request.body).decode(), True
    else:
        event["isBase64Encoded"] = False
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    return event


def internal_error() -> GatewayResponse:
    return GatewayResponse(500, [("content-type", "application/json")], b'{"message":"Internal Server Error"}')


def map_response(payload: bytes) -> GatewayResponse:
    """The HTTP response API Gateway sends for a function's output (payload format 2.0)."""
    try:
        output = json.loads(payload or b"null")
    except ValueError:
        return internal_error()
    if not isinstance(output, dict) or "statusCode" not in output:
        text = output if isinstance(output, str) else json.dumps(output)
        return GatewayResponse(200, [("content-type", "application/json")], text.encode())
    status = output.get("statusCode")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return internal_error()
    headers = [(str(k), str(v)) for k, v in (output.get("headers") or {}).items()]
    headers += [("set-cookie", str(c)) for c in output.get("cookies") or []]
    body: Any = output.get("body")
    raw = b"" if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
    if output.get("isBase64Encoded") and raw:
        try:
            raw = base64.b64decode(raw, validate=True)
        except ValueError:
            return internal_error()
    return GatewayResponse(status, headers, raw)
