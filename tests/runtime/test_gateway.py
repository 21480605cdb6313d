"""The local HTTP API: routes, payload format 2.0, response mapping, JWT authorizer, errors and metrics."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_infra_parity.runtime.gateway_config import Route, match_route
from pytest_infra_parity.runtime.gateway_events import RequestData, build_event, map_response

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"


@pytest.fixture(scope="module")
def http_api(clients: Any, lambdas: dict[str, str]) -> str:
    api = clients("apigatewayv2")
    api_id = api.create_api(Name="gw-test", ProtocolType="HTTP")["ApiId"]
    integration = api.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=lambdas["rt-http"],
                                         PayloadFormatVersion="2.0")["IntegrationId"]
    plain = api.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=lambdas["rt-plain"],
                                   PayloadFormatVersion="2.0")["IntegrationId"]
    authorizer = api.create_authorizer(ApiId=api_id, AuthorizerType="JWT", Name="cognito",
                                       IdentitySource=["$request.header.Authorization"],
                                       JwtConfiguration={"Issuer": ISSUER, "Audience": ["client-1"]})["AuthorizerId"]
    api.create_route(ApiId=api_id, RouteKey="GET /items/{id}", Target=f"integrations/{integration}")
    api.create_route(ApiId=api_id, RouteKey="ANY /files/{proxy+}", Target=f"integrations/{integration}")
    api.create_route(ApiId=api_id, RouteKey="GET /slow", Target=f"integrations/{plain}")
    api.create_route(ApiId=api_id, RouteKey="GET /secure", Target=f"integrations/{integration}",
                     AuthorizationType="JWT", AuthorizerId=authorizer)
    api.create_stage(ApiId=api_id, StageName="$default", StageVariables={"env": "test"})
    return str(api_id)


@pytest.fixture
def served(clients: Any, http_api: str, code_dir: Any, moto_endpoint: str) -> Iterator[Any]:
    from pytest_infra_parity.runtime.gateway import LocalHttpApi
    from pytest_infra_parity.runtime.gateway_config import load_http_api
    from pytest_infra_parity.runtime.served import LocalServing

    serving = LocalServing(clients, region="us-east-1", account_id="123456789012", endpoint_url=moto_endpoint,
                           flush_seconds=60)
    for name in ("rt-http", "rt-plain"):
        serving.runtime.code.register(name, code_dir)
    api = LocalHttpApi(load_http_api(clients, http_api, "us-east-1", "123456789012"), serving.runtime,
                       serving.jwks_for).start()
    serving.apis[http_api] = api
    yield serving, api
    serving.close()


def _get(api: Any, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(api.url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def test_routes_prefer_the_most_specific_match() -> None:
    routes = (Route("GET /items/{id}", "a"), Route("GET /items/special", "b"), Route("ANY /items/{id}", "c"),
              Route("ANY /{proxy+}", "d"), Route("$default", "e"))
    assert match_route(routes, "GET", "/items/special")[0].integration_id == "b"
    assert match_route(routes, "GET", "/items/7") == (routes[0], {"id": "7"})
    assert match_route(routes, "DELETE", "/items/7")[0].integration_id == "c"
    assert match_route(routes, "GET", "/a/b/c") == (routes[3], {"proxy": "a/b/c"})
    assert match_route(routes[:3], "GET", "/nothing") is None
    assert match_route(routes[:1] + routes[4:], "GET", "/nothing")[0].route_key == "$default"


def test_event_is_payload_format_2() -> None:
    request = RequestData("POST", "/items/7", "a=1&a=2&b=", [("Content-Type", "application/json"),
                          ("Cookie", "s=1; t=2"), ("X-Multi", "1"), ("x-multi", "2"), ("User-Agent", "ua")],
                          b'{"k": 1}', "10.0.0.1")
    event = build_event(request, api_id="abc", account_id="123", domain="abc.execute-api.us-east-1.amazonaws.com",
                        stage="$default", route_key="POST /items/{id}", path_parameters={"id": "7"},
                        stage_variables={}, request_id="rid", now=1583348638.390)
    assert event["version"] == "2.0" and event["rawPath"] == "/items/7" and event["rawQueryString"] == "a=1&a=2&b="
    assert event["cookies"] == ["s=1", "t=2"] and "cookie" not in event["headers"]
    assert event["headers"]["x-multi"] == "1,2" and event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["body"] == '{"k": 1}' and event["isBase64Encoded"] is False
    assert event["pathParameters"] == {"id": "7"} and "stageVariables" not in event
    context = event["requestContext"]
    assert context["http"] == {"method": "POST", "path": "/items/7", "protocol": "HTTP/1.1", "sourceIp": "10.0.0.1",
                               "userAgent": "ua"}
    assert context["timeEpoch"] == 1583348638390 and context["time"] == "04/Mar/2020:19:03:58 +0000"
    assert context["domainPrefix"] == "abc" and context["stage"] == "$default"
    binary = build_event(RequestData("PUT", "/f", "", [("content-type", "image/png")], b"\x89PNG", "1.1.1.1"),
                         api_id="a", account_id="1", domain="a.x", stage="$default", route_key="$default",
                         path_parameters={}, stage_variables={}, request_id="r")
    assert binary["isBase64Encoded"] is True and binary["body"] == "iVBORw=="


def test_response_mapping_and_the_shorthand() -> None:
    assert map_response(b'"Hello from Lambda!"').body == b"Hello from Lambda!"
    shorthand = map_response(b'{"message": "hi"}')
    assert shorthand.status == 200 and json.loads(shorthand.body) == {"message": "hi"}
    assert ("content-type", "application/json") in shorthand.headers
    full = map_response(b'{"statusCode": 302, "headers": {"location": "/x"}, "cookies": ["a=1"], "body": "aGk=", '
                        b'"isBase64Encoded": true}')
    assert full.status == 302 and full.body == b"hi" and ("set-cookie", "a=1") in full.headers
    assert map_response(b'{"statusCode": "x"}').status == 500


def test_gateway_serves_routes_with_payload_2(served: Any) -> None:
    _, api = served
    status, headers, body = _get(api, "/items/42?q=1")
    event = json.loads(body)
    assert status == 201 and headers["x-echo"] == "yes" and headers.get("apigw-requestid")
    assert event["pathParameters"] == {"id": "42"} and event["routeKey"] == "GET /items/{id}"
    assert event["stageVariables"] == {"env": "test"}
    assert event["requestContext"]["domainName"] == f"{api.config.api_id}.execute-api.us-east-1.amazonaws.com"
    assert api.public_url == f"https://{api.config.api_id}.execute-api.us-east-1.amazonaws.com"
    assert json.loads(_get(api, "/files/a/b.txt")[2])["pathParameters"] == {"proxy": "a/b.txt"}
    assert _get(api, "/items/1?kind=string")[2] == b"plain text"
    assert _get(api, "/nowhere")[:3:2] == (404, b'{"message":"Not Found"}')
    assert _get(api, "/items/1?kind=error")[:3:2] == (500, b'{"message":"Internal Server Error"}')
    assert _get(api, "/items/1?kind=bad")[0] == 500


def test_jwt_authorizer(served: Any) -> None:
    serving, api = served
    assert _get(api, "/secure")[:3:2] == (401, b'{"message":"Unauthorized"}')
    good = serving.jwks.token(ISSUER, "client-1", "alice")
    status, _, body = _get(api, "/secure", {"Authorization": f"Bearer {good}"})
    claims = json.loads(body)["requestContext"]["authorizer"]["jwt"]["claims"]
    assert status == 201 and claims["sub"] == "alice" and claims["iss"] == ISSUER
    for bad in (serving.jwks.token("https://elsewhere", "client-1"), serving.jwks.token(ISSUER, "other-client"),
                serving.jwks.token(ISSUER, "client-1", lifetime=-10), good[:-4] + "AAAA"):
        assert _get(api, "/secure", {"Authorization": bad})[0] == 401
    assert len(api.auth_failures) == 5


def test_throttled_lambda_is_503_and_metrics_count_errors(served: Any, clients: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    serving, api = served
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: _get(api, "/slow")[0], range(6)))
    assert 503 in statuses and 200 in statuses  # rt-plain has 2 reserved; the rest is throttled
    assert _get(api, "/slow")[2] != b"" and api.statuses[503] == statuses.count(503)
    pending = {d["MetricName"]: d for d in serving.runtime.sink._take() if d["Namespace"] == "AWS/ApiGateway"
               and len(d["Dimensions"]) == 1}
    assert pending["5xx"]["StatisticValues"]["Sum"] == statuses.count(503)
    assert pending["Count"]["StatisticValues"]["SampleCount"] == len(statuses) + 1
    assert {"4xx", "Latency", "IntegrationLatency"} <= set(pending)
