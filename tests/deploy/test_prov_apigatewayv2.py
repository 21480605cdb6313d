"""API Gateway v2 provisioners on the moto server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ProvisionError, ProvisionRequest, ProvisionResult
from pytest_infra_parity.deploy.provisioners._emulated import parameter_name

from ._support import Build, Clients, assert_deleted, create, error_code

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"
AUTHORIZER_URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations"


def _create(make_request: Build, logical_id: str, kind: str, props: dict[str, Any]) -> Any:
    prov, req, result = create(make_request, logical_id, f"AWS::ApiGatewayV2::{kind}", props)
    return req, prov, result


def _gone(call: Callable[..., Any], **params: Any) -> bool:
    return error_code(call, **params) in ("NotFoundException", "ParameterNotFound")


def _http_api(make_request: Build) -> tuple[ProvisionRequest, Any, ProvisionResult]:
    return _create(make_request, "HttpApi", "Api", {  # type: ignore[no-any-return]
        "Name": "orders-api", "ProtocolType": "HTTP", "Description": "orders", "Version": "1.0",
        "DisableExecuteApiEndpoint": "false",
        "CorsConfiguration": {"AllowOrigins": ["https://example.com"], "AllowMethods": ["POST", "GET"],
                              "MaxAge": "600", "AllowCredentials": True},
        "Tags": {"team": "orders"},
    })  # fmt: skip


def test_api(make_request: Build, clients: Clients) -> None:
    gw = clients("apigatewayv2")
    req, prov, result = _http_api(make_request)
    api_id = result.physical_id
    assert result.attributes["ApiEndpoint"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com"
    live = gw.get_api(ApiId=api_id)
    assert live["Name"] == "orders-api" and live["CorsConfiguration"]["MaxAge"] == 600
    assert live["Tags"] == {"team": "orders", **req.tags}
    assert prov.verify(req, result) == []

    gw.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["*"]}, Description="changed")
    problems = prov.verify(req, result)
    assert "Description is 'changed', declared 'orders'" in problems
    assert "CorsConfiguration.AllowOrigins[0] is '*', declared 'https://example.com'" in problems

    assert_deleted(prov, req, result, gone=lambda: _gone(gw.get_api, ApiId=api_id))


def test_default_name_and_websocket(make_request: Build, clients: Clients) -> None:
    req, prov, result = _create(make_request, "Chat", "Api", {
        "ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.action",
    })  # fmt: skip
    live = clients("apigatewayv2").get_api(ApiId=result.physical_id)
    assert live["Name"].startswith(f"{req.stack_name}-Chat-") and live["ProtocolType"] == "WEBSOCKET"
    assert prov.verify(req, result) == []
    prov.delete(req, result)


def test_integration_authorizers_route_stage_deployment(make_request: Build, clients: Clients) -> None:
    gw, ssm = clients("apigatewayv2"), clients("ssm")
    api_req, api_prov, api = _http_api(make_request)
    api_id = api.physical_id
    integ_req, integ_prov, integ = _create(make_request, "OrdersIntegration", "Integration", {
        "ApiId": api_id, "IntegrationType": "AWS_PROXY", "IntegrationUri": FUNCTION_ARN,
        "IntegrationMethod": "POST", "PayloadFormatVersion": 2.0, "TimeoutInMillis": "29000",
        "ConnectionType": "INTERNET", "Description": "orders lambda",
    })  # fmt: skip
    jwt_req, auth_prov, jwt = _create(make_request, "JwtAuth", "Authorizer", {
        "ApiId": api_id, "AuthorizerType": "JWT", "Name": "cognito",
        "IdentitySource": ["$request.header.Authorization"],
        "JwtConfiguration": {"Audience": ["client-1"], "Issuer": "https://cognito-idp.us-east-1.amazonaws.com/p"},
    })  # fmt: skip
    lambda_req, _, lambda_auth = _create(make_request, "LambdaAuth", "Authorizer", {
        "ApiId": api_id, "AuthorizerType": "REQUEST", "Name": "custom", "AuthorizerUri": AUTHORIZER_URI,
        "IdentitySource": ["$request.header.X-Token"], "AuthorizerPayloadFormatVersion": "2.0",
        "EnableSimpleResponses": True,
    })  # fmt: skip
    route_req, route_prov, route = _create(make_request, "GetOrders", "Route", {
        "ApiId": api_id, "RouteKey": "GET /orders", "Target": f"integrations/{integ.physical_id}",
        "AuthorizationType": "JWT", "AuthorizerId": jwt.physical_id, "AuthorizationScopes": ["orders/read"],
        "OperationName": "listOrders",
    })  # fmt: skip
    stage_req, stage_prov, stage = _create(make_request, "DefaultStage", "Stage", {
        "ApiId": api_id, "StageName": "$default", "AutoDeploy": True, "StageVariables": {"env": "test"},
        "AccessLogSettings": {"DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:access",
                              "Format": "$context.requestId"},
        "DefaultRouteSettings": {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50,
                                 "DetailedMetricsEnabled": True},
        "RouteSettings": {"GET /orders": {"ThrottlingBurstLimit": 10}}, "Tags": {"tier": "edge"},
    })  # fmt: skip
    dep_req, dep_prov, dep = _create(make_request, "Deployment", "Deployment", {
        "ApiId": api_id, "StageName": "$default", "Description": "first",
    })  # fmt: skip
    pairs = [(integ_req, integ_prov, integ), (jwt_req, auth_prov, jwt), (lambda_req, auth_prov, lambda_auth),
             (route_req, route_prov, route), (stage_req, stage_prov, stage),
             (dep_req, dep_prov, dep)]  # fmt: skip
    for req, prov, result in pairs:
        assert prov.verify(req, result) == [], req.logical_id

    assert route.attributes == {"RouteId": route.physical_id} and stage.physical_id == "$default"
    live_route = gw.get_route(ApiId=api_id, RouteId=route.physical_id)
    assert live_route["AuthorizerId"] == jwt.physical_id
    assert live_route["Target"] == f"integrations/{integ.physical_id}"
    assert gw.get_integration(ApiId=api_id, IntegrationId=integ.physical_id)["PayloadFormatVersion"] == "2.0"
    live_stage = gw.get_stage(ApiId=api_id, StageName="$default")
    assert live_stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 50.0
    assert live_stage["Tags"]["tier"] == "edge" and live_stage["Tags"]["infra-parity:run"] == "test-run"
    # moto has no deployment API: the deployment is emulated in SSM, with a 6-character id.
    name = parameter_name(dep_req.stack_name, "Deployment")
    document = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    assert document["physical_id"] == dep.physical_id and len(dep.physical_id) == 6

    gw.update_route(ApiId=api_id, RouteId=route.physical_id, AuthorizationScopes=["orders/write"])
    gw.update_integration(ApiId=api_id, IntegrationId=integ.physical_id, TimeoutInMillis=1000)
    gw.update_authorizer(ApiId=api_id, AuthorizerId=jwt.physical_id, JwtConfiguration={"Audience": ["other"]})
    gw.delete_stage(ApiId=api_id, StageName="$default")
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=False)
    document["properties"]["Description"] = "tampered"
    ssm.put_parameter(Name=name, Value=json.dumps(document), Type="String", Overwrite=True)
    scopes = "AuthorizationScopes[0] is 'orders/write', declared 'orders/read'"
    assert route_prov.verify(route_req, route) == [scopes]
    assert integ_prov.verify(integ_req, integ) == ["TimeoutInMillis is 1000, declared 29000"]
    assert any(p.startswith("JwtConfiguration.Audience") for p in auth_prov.verify(jwt_req, jwt))
    stage_problems = "\n".join(stage_prov.verify(stage_req, stage))
    for expected in ("AutoDeploy is False", "StageVariables", "DefaultRouteSettings", "tag 'tier'"):
        assert expected in stage_problems
    assert dep_prov.verify(dep_req, dep) == ["Description (emulated) is 'tampered', declared 'first'"]

    for req, prov, result in reversed(pairs):
        assert_deleted(prov, req, result)
    assert _gone(gw.get_route, ApiId=api_id, RouteId=route.physical_id)
    assert _gone(ssm.get_parameter, Name=name)
    api_prov.delete(api_req, api)


def test_deployment_needs_its_api(make_request: Build) -> None:
    with pytest.raises(ProvisionError, match="API nope"):
        _create(make_request, "Deployment", "Deployment", {"ApiId": "nope"})
