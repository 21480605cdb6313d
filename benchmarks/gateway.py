"""Local gateway + runtime throughput: a trivial Python handler behind the HTTP API, warm workers.

Prints requests/s and latency percentiles through the gateway (keep-alive HTTP clients in threads),
through the runtime alone (``LambdaRuntime.invoke``), and the overhead per request compared with calling
the handler function directly in-process. Target: above 1,000 requests/s on 2 cores.

    python benchmarks/gateway.py [--seconds 5] [--clients 16]
"""

from __future__ import annotations

import argparse
import http.client
import io
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

HANDLER = '''
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": '{"ok": true}'}
'''


def _clients(url: str) -> Any:
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    cache: dict[str, Any] = {}

    def factory(service: str) -> Any:
        if service not in cache:
            cache[service] = session.client(service, endpoint_url=url)
        return cache[service]

    return factory


def _deploy(clients: Any, folder: Path) -> tuple[str, str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    role = clients("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    arn = clients("lambda").create_function(FunctionName="bench", Runtime="python3.12", Role=role,
                                            Handler="app.handler", Code={"ZipFile": buffer.getvalue()},
                                            Timeout=5)["FunctionArn"]
    api = clients("apigatewayv2")
    api_id = api.create_api(Name="bench", ProtocolType="HTTP")["ApiId"]
    integration = api.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn,
                                         PayloadFormatVersion="2.0")["IntegrationId"]
    api.create_route(ApiId=api_id, RouteKey="GET /ping", Target=f"integrations/{integration}")
    api.create_stage(ApiId=api_id, StageName="$default")
    (folder / "app.py").write_text(HANDLER)
    return arn, api_id


def _load(port: int, seconds: float, clients: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", "/ping")
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    from pytest_infra_parity.runtime.gateway import LocalHttpApi
    from pytest_infra_parity.runtime.gateway_config import load_http_api
    from pytest_infra_parity.runtime.served import LocalServing

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    clients = _clients(f"http://{host}:{port}")
    folder = Path(tempfile.mkdtemp(prefix="bench-fn-"))
    _, api_id = _deploy(clients, folder)
    serving = LocalServing(clients, region="us-east-1", account_id="123456789012", endpoint_url=f"http://{host}:{port}",
                           flush_seconds=2.0)
    serving.runtime.code.register("bench", folder)
    api = LocalHttpApi(load_http_api(clients, api_id, "us-east-1", "123456789012"), serving.runtime,
                       serving.jwks_for).start()
    gateway_port = int(api.url.rsplit(":", 1)[1])
    _load(gateway_port, 1.0, args.clients)  # warm the workers
    latencies = _load(gateway_port, args.seconds, args.clients)
    rps = len(latencies) / args.seconds
    print(f"gateway + runtime: {rps:,.0f} requests/s with {args.clients} keep-alive clients on "
          f"{api.public_url} -> {api.url}")
    print(f"  latency p50 {_pct(latencies, 50):.2f} ms, p95 {_pct(latencies, 95):.2f} ms, "
          f"p99 {_pct(latencies, 99):.2f} ms; workers started {serving.runtime.pool.started}")
    event = {"rawPath": "/ping"}
    started = time.perf_counter()
    count = 2000
    for _ in range(count):
        serving.runtime.invoke("bench", event)
    runtime_ms = (time.perf_counter() - started) * 1000 / count
    namespace: dict[str, Any] = {}
    exec(HANDLER, namespace)  # the handler called in-process, for the baseline
    started = time.perf_counter()
    for _ in range(count):
        namespace["handler"](event, None)
    direct_ms = (time.perf_counter() - started) * 1000 / count
    print(f"runtime.invoke (warm worker, sequential): {runtime_ms:.3f} ms per call; handler called directly: "
          f"{direct_ms * 1000:.2f} us; overhead per request {runtime_ms - direct_ms:.3f} ms (runtime), "
          f"{_pct(latencies, 50) - direct_ms:.3f} ms at p50 through the gateway under load")
    print(f"metrics: {serving.runtime.sink.calls} PutMetricData calls for {len(latencies) + count} invocations")
    api.close()
    serving.close()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
