"""Load balancer, NAT gateway, public IPv4, CloudFront, WAF, Route 53 and API Gateway pricing, pinned
against hand-computed figures from the catalog (elb.yaml, vpc.yaml, cloudfront.yaml, waf.yaml...)."""

from __future__ import annotations

import pytest

from pytest_infra_parity.cost.usage import DAYS_PER_MONTH

from .conftest import Price, line, resource, usd

ALB = "AWS::ElasticLoadBalancingV2::LoadBalancer"


def test_internet_facing_alb_in_paris(price: Price) -> None:
    lb = resource("LoadBalancer", ALB, scheme="internet-facing", type="application")
    result = price([lb], {"requests_per_day": 600, "active_hours_per_day": 2, "average_response_kb": 20},
                   region="eu-west-3", props={"LoadBalancer": {"Subnets": ["a", "b"]}})
    # 730 h x 0.02646 USD (alb-hour, eu-west-3) = 19.3158 USD
    assert usd(result, "alb-hour") == pytest.approx(19.3158)
    # two subnets, so two public IPv4 addresses: 2 x 730 h x 0.005 = 7.30 USD
    assert usd(result, "public-ipv4-hour") == pytest.approx(7.30)
    # 300 requests an hour for 2 h a day: new connections 300 / 3600 / 25 = 0.00333 LCU; processed
    # 300 x 20 KB = 0.005722 GB an hour = 0.005722 LCU (the highest) x 60.83 h x 0.0084 USD
    per_hour_gb = 300 * 20 / 1024 / 1024
    assert line(result, "alb-lcu-hour").quantity == pytest.approx(per_hour_gb * 2 * DAYS_PER_MONTH)
    assert usd(result, "alb-lcu-hour") == pytest.approx(per_hour_gb * 2 * DAYS_PER_MONTH * 0.0084)


def test_alb_new_connections_dominate_small_responses(price: Price) -> None:
    lb = resource("LoadBalancer", ALB, scheme="internet-facing", type="application")
    result = price([lb], {"requests_per_day": 24 * 3600 * 50, "average_response_kb": 1})
    # 50 requests a second, one connection each: 50 / 25 = 2 LCU around the clock = 1,460 LCU-h x 0.008
    assert usd(result, "alb-lcu-hour") == pytest.approx(2 * 730 * 0.008)
    assert any("2 subnets assumed" in a for a in result.assumptions)


def test_internal_and_ipv6_only_load_balancers_hold_no_public_ipv4(price: Price) -> None:
    internal = resource("Internal", ALB, scheme="internal", type="application")
    dual = resource("Dual", ALB, scheme="internet-facing", type="application")
    result = price([internal, dual], props={"Dual": {"IpAddressType": "dualstack-without-public-ipv4"}})
    assert not [x for x in result.lines if x.price_id == "public-ipv4-hour"]
    assert usd(result, "alb-hour", "Internal") == pytest.approx(730 * 0.0225)


def test_network_load_balancer_is_unpriced(price: Price) -> None:
    result = price([resource("Nlb", ALB, scheme="internal", type="network")])
    assert result.unpriced[0].what == "network load balancer"


def test_nat_gateway_and_its_elastic_ip(price: Price) -> None:
    result = price([resource("Nat", "AWS::EC2::NatGateway"), resource("Eip", "AWS::EC2::EIP")],
                   {"nat_gb_per_month": 10}, region="eu-west-3")
    # 730 h x 0.05 = 36.50 USD, 10 GB x 0.05 = 0.50 USD (vpc.yaml, eu-west-3), 730 h x 0.005 = 3.65 USD
    assert usd(result, "nat-gateway-hour") == pytest.approx(36.50)
    assert usd(result, "nat-gateway-gb") == pytest.approx(0.50)
    assert usd(result, "public-ipv4-hour", "Eip") == pytest.approx(3.65)


def test_nat_gateway_hours_missing_in_ireland_are_listed(price: Price) -> None:
    result = price([resource("Nat", "AWS::EC2::NatGateway")], region="eu-west-1")
    assert [u.what for u in result.unpriced] == ["NAT gateway hour (or partial hour)"]
    assert "no sourced eu-west-1 NAT gateway hourly rate" in result.unpriced[0].reason


def test_vpc_endpoints(price: Price) -> None:
    result = price([resource("S3", "AWS::EC2::VPCEndpoint"), resource("Ssm", "AWS::EC2::VPCEndpoint")],
                   props={"Ssm": {"VpcEndpointType": "Interface"}})
    assert [n.resource for n in result.no_charge] == ["S3"]
    assert [u.resource for u in result.unpriced] == ["Ssm"]


def test_cloudfront_waf_route53(price: Price) -> None:
    result = price([resource("Cdn", "AWS::CloudFront::Distribution"), resource("Acl", "AWS::WAFv2::WebACL"),
                    resource("Zone", "AWS::Route53::HostedZone")],
                   {"frontend_gb_per_month": 2, "requests_per_day": 1000},
                   {"resources": {"Acl": {"requests_per_month": 1_000_000}, "Zone": {"queries_per_month": 2_000_000}}},
                   props={"Acl": {"Rules": [{"Name": "common"}, {"Name": "rate"}]}})
    assert usd(result, "cloudfront-data-out-gb") == pytest.approx(2 * 0.085)
    assert usd(result, "cloudfront-https-request") == pytest.approx(1000 * DAYS_PER_MONTH * 0.000001)
    # WAF: 5.00 a web ACL + 2 rules x 1.00 + 1,000,000 x 0.0000006 = 7.60 USD
    assert usd(result, "waf-web-acl-month") + usd(result, "waf-rule-month") + usd(result, "waf-request") == \
        pytest.approx(7.60)
    # Route 53: 0.50 a zone + 2,000,000 x 0.0000004 = 1.30 USD
    assert usd(result, "route53-hosted-zone-month") + usd(result, "route53-query") == pytest.approx(1.30)


def test_http_and_rest_apis(price: Price) -> None:
    result = price([resource("Http", "AWS::ApiGatewayV2::Api", protocol="HTTP"),
                    resource("Rest", "AWS::ApiGateway::RestApi")], {"requests_per_day": 10_000})
    monthly = 10_000 * DAYS_PER_MONTH
    assert usd(result, "api-http-request") == pytest.approx(monthly * 0.000001)   # 1.00 USD a million
    assert usd(result, "api-rest-request") == pytest.approx(monthly * 0.0000035)  # 3.50 USD a million
    socket = price([resource("Ws", "AWS::ApiGatewayV2::Api", protocol="WEBSOCKET")])
    assert socket.unpriced[0].reason == "WebSocket APIs are not in the catalog"
