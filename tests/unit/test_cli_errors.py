"""An endpoint that answers with something other than AWS's protocol is one error line, not a traceback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pytest_infra_parity.cli import main

IDENTITY = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId>
<Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"""


class _HtmlErrorPage(BaseHTTPRequestHandler):
    """STS answers (the account check passes); every other service gets a proxy's HTML page, status 200."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = self.rfile.read(length)
        if b"Action=GetCallerIdentity" in request:
            self._send(200, "text/xml", IDENTITY)
            return
        self._send(200, "text/html", b"<html><body><h1>Proxy login required</h1><p>proxy broke</body></html>")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def html_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlErrorPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield url
    server.shutdown()


def test_sweep_against_an_html_error_page_is_one_line(html_endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "--target", "aws", "--region", "eu-west-3", "--allowed-account", "123456789012",
                 "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("infra-parity: error:")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
