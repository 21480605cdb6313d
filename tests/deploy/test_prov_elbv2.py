"""ELBv2 provisioners (load balancer, target group, listeners, rule) against the moto server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ResourceMissing

from ._support import Clients, Deployed, assert_all_in_sync, new_network, tear_down

LB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
TG = "AWS::ElasticLoadBalancingV2::TargetGroup"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"


@pytest.fixture
def network(clients: Clients) -> dict[str, Any]:
    return new_network(clients, "10.50", "alb-test", "alb")


def alb_properties(network: dict[str, Any]) -> dict[str, Any]:
    return {
        "Scheme": "internet-facing", "Type": "application", "IpAddressType": "ipv4",
        "Subnets": network["subnets"], "SecurityGroups": [network["group"]],
        "LoadBalancerAttributes": [
            {"Key": "idle_timeout.timeout_seconds", "Value": 120},  # CloudFormation takes non-strings too
            {"Key": "routing.http2.enabled", "Value": False},
        ],
        "Tags": [{"Key": "app", "Value": "shop"}],
    }


def target_group_properties(network: dict[str, Any]) -> dict[str, Any]:
    return {
        "Port": "8080", "Protocol": "HTTP", "ProtocolVersion": "HTTP1", "VpcId": network["vpc"],
        "TargetType": "ip",
        "HealthCheckEnabled": "true", "HealthCheckPath": "/health", "HealthCheckPort": "traffic-port",
        "HealthCheckProtocol": "HTTP", "HealthCheckIntervalSeconds": "15", "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 3, "Matcher": {"HttpCode": "200-299"},
        "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
        "Targets": [{"Id": "10.50.1.10", "Port": 8080}],
        "Tags": [{"Key": "app", "Value": "shop"}],
    }


def listeners_and_rule(deploy: Callable[..., Deployed], lb_arn: str, tg_arn: str) -> list[Deployed]:
    weighted = [{"TargetGroupArn": tg_arn, "Weight": "1"}]
    forward = {"Type": "forward", "ForwardConfig": {"TargetGroups": weighted}}
    http = deploy("Http", LISTENER, {"LoadBalancerArn": lb_arn, "Port": 80, "Protocol": "HTTP",
                                     "DefaultActions": [forward]})
    https = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    redirect = {"Type": "redirect", "RedirectConfig": https}
    other = deploy("Redirect", LISTENER, {"LoadBalancerArn": lb_arn, "Port": "8081", "Protocol": "HTTP",
                                          "DefaultActions": [redirect]})
    down = {"StatusCode": "503", "ContentType": "text/plain", "MessageBody": "down"}
    rule = deploy("Maintenance", RULE, {
        "ListenerArn": http[2].physical_id, "Priority": "10",
        "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/admin/*"]}}],
        "Actions": [{"Type": "fixed-response", "FixedResponseConfig": down}],
    })
    return [http, other, rule]


def check_attributes(alb: Deployed, group: Deployed, rule: Deployed, network: dict[str, Any]) -> None:
    """Ref and GetAtt values as CloudFormation gives them."""
    name, lb_arn = alb[2].attributes["LoadBalancerName"], alb[2].physical_id
    assert len(name) <= 32 and name.startswith("t-") and "Alb" in name and "--" not in name
    assert alb[2].attributes["LoadBalancerFullName"] == lb_arn.split(":loadbalancer/")[1]
    assert alb[2].attributes["LoadBalancerFullName"].startswith(f"app/{name}/")
    assert alb[2].attributes["DNSName"] and alb[2].attributes["CanonicalHostedZoneID"]
    assert alb[2].attributes["SecurityGroups"] == [network["group"]]
    tg_name = group[2].attributes["TargetGroupName"]
    assert len(tg_name) <= 32
    assert group[2].attributes["TargetGroupFullName"].startswith(f"targetgroup/{tg_name}/")
    assert rule[2].attributes == {"RuleArn": rule[2].physical_id, "IsDefault": False}


def check_read_back(
    elb: Any, alb: Deployed, group: Deployed, http: Deployed, network: dict[str, Any]
) -> None:
    lb_arn, tg_arn = alb[2].physical_id, group[2].physical_id
    live_lb = elb.describe_load_balancers(LoadBalancerArns=[lb_arn])["LoadBalancers"][0]
    assert sorted(z["SubnetId"] for z in live_lb["AvailabilityZones"]) == sorted(network["subnets"])
    attributes = elb.describe_load_balancer_attributes(LoadBalancerArn=lb_arn)["Attributes"]
    assert {"Key": "idle_timeout.timeout_seconds", "Value": "120"} in attributes
    assert {"Key": "routing.http2.enabled", "Value": "false"} in attributes
    tg = elb.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"][0]
    assert (tg["Port"], tg["HealthCheckIntervalSeconds"], tg["HealthCheckPath"]) == (8080, 15, "/health")
    assert lb_arn in tg["LoadBalancerArns"]
    health = elb.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    assert [h["Target"]["Id"] for h in health] == ["10.50.1.10"]
    listener = elb.describe_listeners(ListenerArns=[http[2].physical_id])["Listeners"][0]
    assert listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"] == tg_arn
    tags = elb.describe_tags(ResourceArns=[lb_arn])["TagDescriptions"][0]["Tags"]
    assert {"Key": "app", "Value": "shop"} in tags


def check_drift_is_reported(
    elb: Any, alb: Deployed, group: Deployed, other: Deployed, rule: Deployed
) -> None:
    idle = [{"Key": "idle_timeout.timeout_seconds", "Value": "60"}]
    elb.modify_load_balancer_attributes(LoadBalancerArn=alb[2].physical_id, Attributes=idle)
    assert alb[0].verify(alb[1], alb[2]) == [
        "LoadBalancerAttributes 'idle_timeout.timeout_seconds' is '60', declared '120'"]
    elb.modify_target_group(TargetGroupArn=group[2].physical_id, HealthCheckIntervalSeconds=30,
                            HealthCheckPath="/", UnhealthyThresholdCount=5, Matcher={"HttpCode": "200"})
    assert sorted(group[0].verify(group[1], group[2])) == [
        "HealthCheckIntervalSeconds is 30, declared 15", "HealthCheckPath is '/', declared '/health'",
        "Matcher.HttpCode is '200', declared '200-299'", "UnhealthyThresholdCount is 5, declared 3"]
    fixed = {"StatusCode": "404", "ContentType": "text/plain"}
    not_found = {"Type": "fixed-response", "FixedResponseConfig": fixed}
    elb.modify_listener(ListenerArn=other[2].physical_id, DefaultActions=[not_found])
    assert other[0].verify(other[1], other[2])[0].startswith("DefaultActions[0].Type is 'fixed-response'")
    elb.set_rule_priorities(RulePriorities=[{"RuleArn": rule[2].physical_id, "Priority": 20}])
    assert rule[0].verify(rule[1], rule[2]) == ["Priority is '20', declared '10'"]


def test_alb_target_group_listeners_and_rule(
    deploy: Callable[..., Deployed], clients: Any, network: dict[str, Any]
) -> None:
    elb = clients("elbv2")
    alb = deploy("Alb", LB, alb_properties(network))
    group = deploy("Targets", TG, target_group_properties(network))
    http, other, rule = listeners_and_rule(deploy, alb[2].physical_id, group[2].physical_id)
    deployed = [alb, group, http, other, rule]
    assert_all_in_sync(deployed)
    check_attributes(alb, group, rule, network)
    check_read_back(elb, alb, group, http, network)
    check_drift_is_reported(elb, alb, group, other, rule)

    tear_down(deployed)  # in reverse order; then gone, and deleting again is a no-op
    with pytest.raises(elb.exceptions.LoadBalancerNotFoundException):
        elb.describe_load_balancers(LoadBalancerArns=[alb[2].physical_id])


def test_network_load_balancer_default_name_and_subnet_mappings(
    deploy: Callable[..., Deployed], network: dict[str, Any]
) -> None:
    nlb = deploy("VeryLongLogicalIdForTheNetworkLoadBalancer", LB, {
        "Type": "network", "Scheme": "internal",
        "SubnetMappings": [{"SubnetId": s} for s in network["subnets"]],
    })
    assert len(nlb[2].attributes["LoadBalancerName"]) <= 32
    assert nlb[2].attributes["LoadBalancerFullName"].startswith("net/")
    assert nlb[0].verify(nlb[1], nlb[2]) == []
    nlb[0].delete(nlb[1], nlb[2])
    with pytest.raises(ResourceMissing):
        nlb[0].verify(nlb[1], nlb[2])
