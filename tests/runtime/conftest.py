"""A moto server with small Lambda functions and an HTTP API, and a local runtime serving them."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HANDLERS = '''
import os, time

STATE = {"calls": 0}


def handler(event, context):
    STATE["calls"] += 1
    if event.get("fail"):
        raise ValueError("boom " + str(event["fail"]))
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("unserializable"):
        return {"value": object()}
    print("[CALLED]", STATE["calls"])
    return {"calls": STATE["calls"], "greeting": os.environ.get("GREETING"), "request": context.aws_request_id,
            "version": context.function_version, "remaining": context.get_remaining_time_in_millis(),
            "region": os.environ.get("AWS_REGION"), "redis": os.environ.get("REDIS_HOST")}


def http(event, context):
    kind = (event.get("queryStringParameters") or {}).get("kind")
    if kind == "string":
        return "plain text"
    if kind == "object":
        return {"hello": "world"}
    if kind == "error":
        raise RuntimeError("handler failed")
    if kind == "bad":
        return {"statusCode": "not a number"}
    body = __import__("json").dumps(event)
    return {"statusCode": 201, "headers": {"x-echo": "yes"}, "cookies": ["a=1", "b=2"], "body": body}
'''


@pytest.fixture(scope="session")
def code_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fn")
    (folder / "app.py").write_text(HANDLERS)
    return folder


@pytest.fixture(scope="session")
def lambdas(clients: Callable[[str], Any], code_dir: Path) -> dict[str, str]:
    """Functions ``rt-plain`` (reserved 2, timeout 1 s), ``rt-alias`` (versions 1, 2, alias ``live``), ``rt-http``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(code_dir / "app.py", "app.py")
    role = clients("iam").create_role(RoleName="rt-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = clients("lambda")
    arns = {}
    for name, handler, env in (("rt-plain", "app.handler", {"GREETING": "hello", "REDIS_HOST": "cache.internal",
                                                              "REDIS_PORT": "6379"}),
                               ("rt-alias", "app.handler", {}), ("rt-http", "app.http", {})):
        arns[name] = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler=handler,
                                         Code={"ZipFile": buffer.getvalue()}, Timeout=1,
                                         Environment={"Variables": env})["FunctionArn"]
    lam.put_function_concurrency(FunctionName="rt-plain", ReservedConcurrentExecutions=2)
    lam.publish_version(FunctionName="rt-alias")
    lam.update_function_configuration(FunctionName="rt-alias", Description="v2")
    lam.publish_version(FunctionName="rt-alias")
    lam.create_alias(FunctionName="rt-alias", Name="live", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}})
    return arns


@pytest.fixture
def runtime(clients: Callable[[str], Any], lambdas: dict[str, str], code_dir: Path,
            moto_endpoint: str) -> Iterator[Any]:
    from pytest_infra_parity.runtime.lambda_runtime import LambdaRuntime

    rt = LambdaRuntime(clients, region="us-east-1", endpoint_url=moto_endpoint, seed=7, idle_seconds=60,
                       flush_seconds=60).start()
    for name in lambdas:
        rt.code.register(name, code_dir)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def clients(moto_endpoint: str) -> Callable[[str], Any]:
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    cache: dict[str, Any] = {}

    def factory(service: str) -> Any:
        if service not in cache:
            cache[service] = session.client(service, endpoint_url=moto_endpoint)
        return cache[service]

    return factory
