"""A fake LocalStack on loopback: its health document, STS, and one chosen behaviour per service.

The service of a request is read from its SigV4 credential scope (``.../<region>/<service>/aws4_request``).
Behaviours: ``ok`` (HTTP 400 ValidationException: the service parsed the request, so it is served),
``501`` (LocalStack's "not in your license plan"), ``500`` (a failed download), ``hang`` (no answer for
``hang_seconds``), ``lambda-failed`` (functions are accepted, then ``Failed``, as offline LocalStack does).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STS_ANSWER = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::{account}:root</Arn><UserId>{account}</UserId>
<Account>{account}</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>"""


@dataclass
class FakeLocalStack:
    """What the fake answers; ``requests`` records (service, path) of every AWS call."""

    states: dict[str, str] = field(default_factory=lambda: {"s3": "available", "sqs": "running"})
    behaviours: dict[str, str] = field(default_factory=dict)
    account: str = "000000000000"
    hang_seconds: float = 3.0
    health_status: int = 200
    requests: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""

    def health(self) -> dict[str, object]:
        return {"services": self.states, "edition": "community", "version": "0.0-fake"}


def _service(headers: Message) -> str:
    auth = str(headers.get("Authorization") or "")
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request", auth)
    return match.group(1) if match else ""


def _handler(fake: FakeLocalStack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: str, content_type: str = "application/x-amz-json-1.1") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.startswith("/_localstack/health"):
                self._send(fake.health_status, json.dumps(fake.health()), "application/json")
                return
            self._aws()

        def do_POST(self) -> None:
            self._aws()

        def do_DELETE(self) -> None:
            self._aws()

        def do_PUT(self) -> None:
            self._aws()

        def _aws(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode(errors="replace") if length else ""
            service = _service(self.headers)
            fake.requests.append((service, self.path))
            if service == "sts":
                self._send(200, STS_ANSWER.format(account=fake.account), "text/xml")
                return
            behaviour = fake.behaviours.get(service, "ok")
            if behaviour == "lambda-failed":
                self._lambda(body)
                return
            if behaviour == "hang":
                time.sleep(fake.hang_seconds)
                behaviour = "500"
            status = {"ok": 400, "501": 501, "500": 500}[behaviour]
            code = {400: "ValidationException", 501: "InternalFailure", 500: "InternalError"}[status]
            message = {400: "fake validation error", 501: f"The API for service {service} is either not "
                       "included in your current license plan", 500: "exception while calling: download failed"}
            self._send(status, json.dumps({"__type": code, "message": message[status]}))

        def _lambda(self, body: str) -> None:
            if self.command == "GET" and self.path.rstrip("/").endswith("/functions"):
                self._send(200, json.dumps({"Functions": []}), "application/json")
            elif self.command == "POST":
                name = json.loads(body or "{}").get("FunctionName", "f")
                self._send(201, json.dumps({"FunctionName": name, "State": "Pending"}), "application/json")
            elif self.command == "GET":
                self._send(200, json.dumps({"Configuration": {
                    "State": "Failed", "StateReason": "Installation of lambda-runtime failed"}}), "application/json")
            else:
                self._send(204, "", "application/json")

    return Handler


@contextmanager
def serve(fake: FakeLocalStack | None = None) -> Iterator[FakeLocalStack]:
    """Serve ``fake`` on ``127.0.0.1`` and a free port for the duration of the block."""
    fake = fake or FakeLocalStack()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":  # a standalone fake, for pytester runs in a subprocess
    import sys

    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    with serve(FakeLocalStack(**spec)) as running:
        print(running.url, flush=True)
        threading.Event().wait()
