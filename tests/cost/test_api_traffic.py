"""Requests through an HTTP API drive the Lambda invocations of the functions it integrates."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.cost.estimate import estimate
from pytest_infra_parity.cost.usage import DAYS_PER_MONTH
from pytest_infra_parity.cost_live import open_priced

from .conftest import Price, line, resource

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"
VIA_APIGATEWAY = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{}/invocations"


def _api(*, targets: dict[str, str] | None = None) -> tuple[list[object], dict[str, dict[str, object]]]:
    """An HTTP API with two functions (``shop`` with three routes, ``health`` with one) and a JWT-only route."""
    found: list[object] = [resource("Api", "AWS::ApiGatewayV2::Api", protocol="HTTP")]
    props: dict[str, dict[str, object]] = {}
    for name, uri in (("Shop", ARN.format("shop")), ("Health", VIA_APIGATEWAY.format(ARN.format("health")))):
        fn = resource(name, "AWS::Lambda::Function", memory=512)
        fn.arn = ARN.format(name.lower())
        fn.physical_id = name.lower()
        found.append(fn)
        integration = resource(f"{name}Integration", "AWS::ApiGatewayV2::Integration")
        integration.physical_id = f"int-{name.lower()}"
        found.append(integration)
        props[f"{name}Integration"] = {"IntegrationType": "AWS_PROXY", "IntegrationUri": uri}
    for route, integration in (targets or {}).items():
        found.append(resource(route, "AWS::ApiGatewayV2::Route"))
        props[route] = {"RouteKey": f"ANY /{route.lower()}", "Target": f"integrations/{integration}"}
    return found, props


def test_api_requests_invoke_the_integrated_functions_by_route(price: Price) -> None:
    resources, props = _api(targets={"Cart": "int-shop", "Orders": "int-shop", "Items": "int-shop",
                                     "Ping": "int-health"})
    result = price(resources, {"requests_per_day": 4000, "average_duration_ms": 100}, props=props)
    monthly = 4000 * DAYS_PER_MONTH
    # 3 of the API's 4 Lambda routes go to Shop, 1 to Health: 3,000 and 1,000 invocations a day
    assert line(result, "lambda-request", "Shop").quantity == pytest.approx(monthly * 3 / 4)
    assert line(result, "lambda-request", "Health").quantity == pytest.approx(monthly / 4)
    assert line(result, "api-http-request", "Api").quantity == pytest.approx(monthly)
    assert any("Shop: 3 of the 4 Lambda routes of Api" in text for text in result.assumptions)
    assert not any("no invocations" in text for text in result.assumptions)


def test_without_route_targets_requests_are_split_over_the_integrations(price: Price) -> None:
    resources, props = _api()
    result = price(resources, {"requests_per_day": 1000, "average_duration_ms": 100}, props=props)
    for name in ("Shop", "Health"):
        assert line(result, "lambda-request", name).quantity == pytest.approx(500 * DAYS_PER_MONTH)
    assert any("split evenly over its 2 Lambda integrations" in text for text in result.assumptions)


def test_a_function_figure_wins_and_an_unintegrated_function_is_still_zero(price: Price) -> None:
    resources, props = _api()
    lonely = resource("Cron", "AWS::Lambda::Function", memory=128)
    result = price([*resources, lonely], {"requests_per_day": 1000, "average_duration_ms": 100},
                   {"resources": {"Shop": {"invocations_per_day": 7}}}, props=props)
    assert line(result, "lambda-request", "Shop").quantity == pytest.approx(7 * DAYS_PER_MONTH)
    assert line(result, "lambda-request", "Health").quantity == pytest.approx(500 * DAYS_PER_MONTH)
    assert line(result, "lambda-request", "Cron").quantity == 0
    assert any(text.startswith("Cron: no invocations in the usage profile") for text in result.assumptions)


def test_an_http_proxy_integration_invokes_no_function(price: Price) -> None:
    resources, props = _api()
    props["ShopIntegration"] = {"IntegrationType": "HTTP_PROXY", "IntegrationUri": "https://legacy.example.com"}
    result = price(resources, {"requests_per_day": 1000, "average_duration_ms": 100}, props=props)
    assert line(result, "lambda-request", "Shop").quantity == 0
    assert line(result, "lambda-request", "Health").quantity == pytest.approx(1000 * DAYS_PER_MONTH)


def test_lego_api_requests_reach_its_functions() -> None:
    priced = open_priced("lego-api", base=Path.cwd(), region=None, account="123456789012")
    from pytest_infra_parity.cost.design import of_design

    result = estimate(priced.inventory, of_design(priced.design).usage, region="us-east-1",
                      declarations=priced.declarations)
    api_requests = line(result, "api-http-request", "HttpApi").quantity
    invoked = {x.resource: x.quantity for x in result.lines if x.price_id == "lambda-request"}
    assert set(invoked) == {"HealthFunction", "MocInstructionsFunction", "GalleryFunction", "WishlistFunction",
                            "ProfileFunction"}
    assert api_requests == pytest.approx(20000 * DAYS_PER_MONTH)
    assert sum(invoked.values()) == pytest.approx(api_requests)
    assert all(quantity > 0 for quantity in invoked.values())
    assert not [u for u in result.unpriced if u.what == "Lambda duration"]


def test_the_only_integration_gets_every_request(price: Price) -> None:
    resources, props = _api()
    resources = [r for r in resources if getattr(r, "name", "") not in ("Health", "HealthIntegration")]
    result = price(resources, {"requests_per_day": 300, "average_duration_ms": 100}, props=props)
    assert line(result, "lambda-request", "Shop").quantity == pytest.approx(300 * DAYS_PER_MONTH)
    assert "Shop: every request of Api invokes it (its only Lambda integration)" in result.assumptions
