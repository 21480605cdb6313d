"""The runtime's HTTP data plane on 127.0.0.1: Lambda's Invoke API and AppConfig Data.

Lambda ``Invoke`` (Lambda API reference): ``POST /2015-03-31/functions/{FunctionName}/invocations``
with ``?Qualifier=``, ``X-Amz-Invocation-Type`` (``RequestResponse``, ``Event``: 202 and run in the
background, ``DryRun``: 204) and ``X-Amz-Log-Type: Tail`` (the last 4 KB of the log, base64, in
``X-Amz-Log-Result``); the answer carries ``X-Amz-Executed-Version`` and, for a function error,
``X-Amz-Function-Error: Unhandled``. A throttled invocation answers 429 with ``x-amzn-ErrorType:
TooManyRequestsException``, an unknown function 404 ``ResourceNotFoundException``. Handlers that
invoke another function (boto3 with ``AWS_ENDPOINT_URL_LAMBDA``) and Locust's ``lambda_invoke``
profile come here. AppConfig Data is in :mod:`.appconfigdata` (moto does not serve it).
"""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pytest_infra_parity.errors import DeployError
from pytest_infra_parity.runtime.appconfigdata import AppConfigData
from pytest_infra_parity.runtime.lambda_runtime import LambdaRuntime

__all__ = ["DataPlane"]

INVOKE_PREFIX = "/2015-03-31/functions/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without it, delayed ACKs add 40 ms
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self) -> None:
        self._guarded(self._post)

    def do_GET(self) -> None:
        self._guarded(self._get)

    def _guarded(self, action: Any) -> None:
        """Run the operation; an unexpected error is answered 500 and kept for the report, never dropped."""
        try:
            action()
        except Exception as exc:  # the caller gets a 500 with the error; the data plane keeps serving
            self.server.errors.append(f"{self.command} {self.path}: {type(exc).__name__}: {exc}")
            self._send(500, json.dumps({"Type": "Service", "message": f"{type(exc).__name__}: {exc}"}).encode(),
                       {"x-amzn-ErrorType": "ServiceException"})

    def _post(self) -> None:
        path = urlsplit(self.path)
        if path.path.startswith(INVOKE_PREFIX) and path.path.endswith("/invocations"):
            name = unquote(path.path[len(INVOKE_PREFIX):-len("/invocations")])
            qualifier = (parse_qs(path.query).get("Qualifier") or [""])[0] or None
            self._invoke(name, qualifier, self._body())
            return
        if path.path == "/configurationsessions":
            status, body, headers = self.server.appconfig.start_session(self._body())
            self._send(status, body, headers)
            return
        self._send(404, b'{"message":"unknown operation"}')

    def _get(self) -> None:
        path = urlsplit(self.path)
        if path.path == "/configuration":
            token = (parse_qs(path.query).get("configuration_token") or [""])[0]
            status, body, headers = self.server.appconfig.latest(token)
            self._send(status, body, headers)
            return
        self._send(404, b'{"message":"unknown operation"}')

    def _invoke(self, name: str, qualifier: str | None, body: bytes) -> None:
        runtime = self.server.runtime
        kind = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
        if kind == "DryRun":
            self._send(204, b"")
            return
        if kind == "Event":
            self.server.background.submit(runtime.invoke, name, body or b"{}", qualifier)
            self._send(202, b"")
            return
        try:
            result = runtime.invoke(name, body or b"{}", qualifier)
        except DeployError as exc:
            self._send(404, json.dumps({"Type": "User", "Message": exc.message}).encode(),
                       {"x-amzn-ErrorType": "ResourceNotFoundException"})
            return
        headers: dict[str, str] = {}
        if result.error_code:
            headers["x-amzn-ErrorType"] = result.error_code
        if result.executed_version:
            headers["X-Amz-Executed-Version"] = result.executed_version
        if result.function_error:
            headers["X-Amz-Function-Error"] = result.function_error
        if (self.headers.get("X-Amz-Log-Type") or "").lower() == "tail":
            headers["X-Amz-Log-Result"] = base64.b64encode(result.log.encode()[-4096:]).decode()
        self._send(result.status, result.payload, headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is not an error of the server."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
    request_queue_size = 256

    def __init__(self, runtime: LambdaRuntime, appconfig: AppConfigData) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.runtime = runtime
        self.appconfig = appconfig
        self.errors: list[str] = []
        self.background = ThreadPoolExecutor(max_workers=8, thread_name_prefix="infra-parity-event")


class DataPlane:
    """Serves the runtime's data plane on a loopback port; sets the runtime's ``data_plane_url``."""

    def __init__(self, runtime: LambdaRuntime) -> None:
        self.runtime = runtime
        self.appconfig = AppConfigData(runtime.clients)
        self._server = _Server(runtime, self.appconfig)
        self._thread = threading.Thread(target=self._server.serve_forever, name="infra-parity-data-plane",
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> DataPlane:
        self._thread.start()
        self.runtime.data_plane_url = self.url
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.background.shutdown(wait=True, cancel_futures=True)
