"""A local HTTP API: serves a deployed API Gateway HTTP API on 127.0.0.1, invoking the local runtime.

What API Gateway does for each request, in order (API Gateway developer guide, HTTP APIs): stage
throttling (429 ``Too Many Requests``), route selection (:mod:`.gateway_config`; 404 ``Not Found``),
CORS preflight when the API has a CORS configuration, the route's JWT authorizer (:mod:`.jwt`; 401/403),
the Lambda proxy integration with payload format 2.0 (:mod:`.gateway_events`), then the answer: the
function's response mapped, 500 ``{"message":"Internal Server Error"}`` for a function error or a
malformed response, and 503 ``{"message":"Service Unavailable"}`` when Lambda throttles the invocation
(the status users observe on HTTP APIs; the developer guide publishes none, and REST APIs answer 500 in
that case per the "API Gateway internal server error" Knowledge Center article). Every request adds to
the ``AWS/ApiGateway`` metrics ``Count``, ``4xx``, ``5xx``, ``Latency`` and ``IntegrationLatency`` with
the dimensions ``ApiId`` and ``ApiId`` + ``Stage``. Responses carry ``apigw-requestid``.

The server is a ``ThreadingHTTPServer`` (one thread per connection, keep-alive) and the runtime keeps
warm workers behind persistent pipes, so no process is started per request. ``public_url`` is the URL
API Gateway would give (``https://<api-id>.execute-api.<region>.amazonaws.com``); ``url`` is where it is
served here.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from pytest_infra_parity.errors import DeployError
from pytest_infra_parity.runtime.gateway_config import HttpApiConfig, Route, match_route
from pytest_infra_parity.runtime.gateway_events import GatewayResponse, RequestData, build_event, map_response
from pytest_infra_parity.runtime.jwt import JwtAuthorizer
from pytest_infra_parity.runtime.lambda_runtime import LambdaRuntime
from pytest_infra_parity.runtime.metrics import API_NAMESPACE
from pytest_infra_parity.runtime.throttle import TokenBucket

__all__ = ["LocalHttpApi"]

JwksFor = Callable[[str], Mapping[str, Any] | None]


def _message(status: int, message: str) -> GatewayResponse:
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return GatewayResponse(status, [("content-type", "application/json")], body)


class LocalHttpApi:
    """One HTTP API served locally; :meth:`start` binds a loopback port."""

    def __init__(self, config: HttpApiConfig, runtime: LambdaRuntime, jwks_for: JwksFor, *, port: int = 0) -> None:
        self.config = config
        self.runtime = runtime
        self._jwks_for = jwks_for
        self.statuses: Counter[int] = Counter()
        self.auth_failures: list[str] = []
        self._lock = threading.Lock()
        stage = config.stage
        self._buckets: dict[str, TokenBucket] = {}
        if stage.rate is not None and stage.burst is not None:
            self._buckets["*"] = TokenBucket(stage.rate, stage.burst)
        for key, (burst, rate) in stage.route_limits.items():
            if rate is not None and burst is not None:
                self._buckets[key] = TokenBucket(rate, burst)
        self._server = _Server(self, port)
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"infra-parity-api-{config.api_id}",
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        prefix = "" if self.config.stage.name == "$default" else f"/{self.config.stage.name}"
        return f"http://{host!s}:{port}{prefix}"

    @property
    def public_url(self) -> str:
        return self.config.public_url

    def start(self) -> LocalHttpApi:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- one request ----------------------------------------------------------------------------

    def _stage_path(self, raw_path: str) -> str | None:
        stage = self.config.stage.name
        if stage == "$default":
            return raw_path
        prefix = f"/{stage}"
        if raw_path == prefix or raw_path.startswith(prefix + "/"):
            return raw_path[len(prefix):] or "/"
        return None

    def _throttled(self, route: Route | None) -> bool:
        bucket = self._buckets.get(route.route_key) if route is not None else None
        bucket = bucket or self._buckets.get("*")
        return bucket is not None and not bucket.take()

    def _cors(self, request: RequestData) -> GatewayResponse | None:
        cors = self.config.cors
        headers = {n.lower(): v for n, v in request.headers}
        if not cors or request.method != "OPTIONS" or "access-control-request-method" not in headers:
            return None
        origin = headers.get("origin", "")
        allowed = cors.get("AllowOrigins") or []
        if origin not in allowed and "*" not in allowed:
            return GatewayResponse(204, [])
        out = [("access-control-allow-origin", origin),
               ("access-control-allow-methods", ",".join(cors.get("AllowMethods") or ["*"])),
               ("access-control-allow-headers", ",".join(cors.get("AllowHeaders") or []))]
        if cors.get("AllowCredentials"):
            out.append(("access-control-allow-credentials", "true"))
        if cors.get("MaxAge") is not None:
            out.append(("access-control-max-age", str(cors["MaxAge"])))
        return GatewayResponse(204, out)

    def _authorize(self, route: Route, request: RequestData) -> tuple[GatewayResponse | None, dict[str, Any] | None]:
        if route.authorization != "JWT":
            return None, None
        definition = self.config.authorizers.get(str(route.authorizer_id)) or {}
        jwt = definition.get("JwtConfiguration") or {}
        source = str((definition.get("IdentitySource") or ["$request.header.Authorization"])[0])
        issuer = str(jwt.get("Issuer") or "")
        keys = self._jwks_for(issuer) or {"keys": []}
        authorizer = JwtAuthorizer(issuer, list(jwt.get("Audience") or []), keys,
                                   header=source.rsplit(".", 1)[-1].lower())
        result = authorizer.authorize({n.lower(): v for n, v in request.headers}, route.scopes)
        if result.status != 200:
            with self._lock:
                self.auth_failures.append(result.reason)
            return _message(result.status, "Unauthorized" if result.status == 401 else "Forbidden"), None
        return None, {"jwt": {"claims": result.claims, "scopes": result.scopes}}

    def _integrate(self, route: Route, params: dict[str, str], request: RequestData, rid: str,
                   authorizer: dict[str, Any] | None) -> tuple[GatewayResponse, float]:
        integration = self.config.integrations.get(str(route.integration_id))
        if integration is None or integration.payload_format != "2.0":
            return _message(500, "Internal Server Error"), 0.0
        cfg = self.config
        event = build_event(request, api_id=cfg.api_id, account_id=cfg.account_id, domain=cfg.domain,
                            stage=cfg.stage.name, route_key=route.route_key, path_parameters=params,
                            stage_variables=cfg.stage.variables, request_id=rid, authorizer=authorizer)
        started = time.monotonic()
        try:
            result = self.runtime.invoke(integration.function, event)
        except DeployError:
            return _message(500, "Internal Server Error"), (time.monotonic() - started) * 1000
        latency = (time.monotonic() - started) * 1000
        if result.throttled:
            return _message(503, "Service Unavailable"), latency
        if result.function_error:
            return _message(500, "Internal Server Error"), latency
        return map_response(result.payload), latency

    def handle(self, request: RequestData) -> GatewayResponse:
        """Answer one request as API Gateway would (and publish its metrics)."""
        started = time.monotonic()
        rid = secrets.token_urlsafe(12)
        integration_ms: float | None = None
        path = self._stage_path(request.raw_path)
        found = match_route(self.config.routes, request.method, path) if path is not None else None
        route = found[0] if found else None
        response = self._cors(request)
        if response is None and self._throttled(route):
            response = _message(429, "Too Many Requests")
        elif response is None and found is None:
            response = _message(404, "Not Found")
        elif response is None and route is not None and found is not None:
            response, authorizer = self._authorize(route, request)
            if response is None:
                response, integration_ms = self._integrate(route, found[1], request, rid, authorizer)
        assert response is not None
        response.headers.append(("apigw-requestid", rid))
        self._publish(response.status, (time.monotonic() - started) * 1000, integration_ms)
        return response

    def _publish(self, status: int, latency_ms: float, integration_ms: float | None) -> None:
        with self._lock:
            self.statuses[status] += 1
        at = time.time()
        sink = self.runtime.sink
        for dims in ((("ApiId", self.config.api_id),),
                     (("ApiId", self.config.api_id), ("Stage", self.config.stage.name))):
            sink.add(API_NAMESPACE, "Count", dims, 1.0, "Count", at)
            sink.add(API_NAMESPACE, "4xx", dims, 1.0 if 400 <= status < 500 else 0.0, "Count", at)
            sink.add(API_NAMESPACE, "5xx", dims, 1.0 if status >= 500 else 0.0, "Count", at)
            sink.add(API_NAMESPACE, "Latency", dims, latency_ms, "Milliseconds", at)
            if integration_ms is not None:
                sink.add(API_NAMESPACE, "IntegrationLatency", dims, integration_ms, "Milliseconds", at)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without it, delayed ACKs add 40 ms
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = RequestData(self.command, parts.path or "/", parts.query, list(self.headers.items()), body,
                              self.client_address[0], self.request_version)
        response = self.server.api.handle(request)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is not an error of the server."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
    request_queue_size = 512

    def __init__(self, api: LocalHttpApi, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.api = api
