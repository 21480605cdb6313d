"""Route 53 provisioners on moto: public and private hosted zones, simple, alias and weighted records."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ProvisionError, ResourceMissing

from ._support import Build, assert_deleted, create, provisioner_for


def _records(clients: Any, zone_id: str, name: str) -> list[dict[str, Any]]:
    records = clients("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return [r for r in records if r["Name"] == name]


def test_public_zone_with_weighted_and_alias_records(make_request: Build, clients: Any) -> None:
    r53 = clients("route53")
    clients("logs").create_log_group(logGroupName="/aws/route53/shop.example.com")
    log_arn = clients("logs").describe_log_groups(logGroupNamePrefix="/aws/route53/shop")["logGroups"][0][
        "arn"
    ]
    record_prov = provisioner_for("AWS::Route53::RecordSet")
    zone_prov, zone_request, zone = create(
        make_request,
        "Zone",
        "AWS::Route53::HostedZone",
        {
            "Name": "shop.example.com",
            "HostedZoneConfig": {"Comment": "storefront"},
            "HostedZoneTags": [{"Key": "team", "Value": "web"}],
            "QueryLoggingConfig": {"CloudWatchLogsLogGroupArn": log_arn},
        },
    )
    zone_id = zone.physical_id
    assert not zone_id.startswith("/") and zone.attributes["Id"] == zone_id
    assert len(zone.attributes["NameServers"]) == 4
    live = r53.get_hosted_zone(Id=zone_id)["HostedZone"]
    assert (live["Name"], live["Config"]["Comment"], live["Config"]["PrivateZone"]) == (
        "shop.example.com.",
        "storefront",
        False,
    )
    tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)["ResourceTagSet"]["Tags"]
    assert {"Key": "team", "Value": "web"} in tags
    configs = r53.list_query_logging_configs()["QueryLoggingConfigs"]
    assert [c["CloudWatchLogsLogGroupArn"] for c in configs if c["HostedZoneId"] == zone_id] == [log_arn]
    assert zone_prov.verify(zone_request, zone) == []

    weighted = []
    for color, weight, address in (("blue", 90, "10.0.0.10"), ("green", "10", "10.0.1.10")):
        request = make_request(
            f"Api{color.title()}",
            "AWS::Route53::RecordSet",
            {
                "HostedZoneId": zone_id,
                "Name": "api.shop.example.com.",
                "Type": "A",
                "TTL": "60",
                "ResourceRecords": [address],
                "SetIdentifier": color,
                "Weight": weight,
                "Comment": f"{color} stack",
            },
        )
        result = record_prov.create(request)
        assert result.physical_id == "api.shop.example.com."
        weighted.append((request, result))
    live_weighted = {r["SetIdentifier"]: r for r in _records(clients, zone_id, "api.shop.example.com.")}
    assert {k: (r["Weight"], r["TTL"], r["ResourceRecords"]) for k, r in live_weighted.items()} == {
        "blue": (90, 60, [{"Value": "10.0.0.10"}]),
        "green": (10, 60, [{"Value": "10.0.1.10"}]),
    }
    assert all(record_prov.verify(request, result) == [] for request, result in weighted)

    alias_request = make_request(
        "Www",
        "AWS::Route53::RecordSet",
        {
            "HostedZoneName": "shop.example.com.",
            "Name": "www.shop.example.com",
            "Type": "A",
            "AliasTarget": {
                "DNSName": "web-123.us-east-1.elb.amazonaws.com",
                "HostedZoneId": "Z35SXDOTRQ7X7K",
                "EvaluateTargetHealth": "true",
            },
        },
    )
    alias = record_prov.create(alias_request)
    live_alias = _records(clients, zone_id, "www.shop.example.com.")[0]["AliasTarget"]
    assert (live_alias["DNSName"].rstrip("."), live_alias["EvaluateTargetHealth"]) == (
        "web-123.us-east-1.elb.amazonaws.com",
        True,
    )
    assert record_prov.verify(alias_request, alias) == []

    # Out of band: the green weight is raised to 50.
    green = dict(live_weighted["green"], Weight=50, Name="api.shop.example.com")
    r53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": green}]}
    )
    assert record_prov.verify(*weighted[1]) == ["Weight is 50, declared 10"]

    # The zone holds records: CloudFormation (and this provisioner) refuse to delete it.
    with pytest.raises(ProvisionError, match="still holds records"):
        zone_prov.delete(zone_request, zone)
    for request, result in (*weighted, (alias_request, alias)):
        assert_deleted(record_prov, request, result)
    assert _records(clients, zone_id, "api.shop.example.com.") == []

    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, RemoveTagKeys=["team"])
    assert zone_prov.verify(zone_request, zone) == ["tag 'team' is missing (declared 'web')"]
    zone_prov.delete(zone_request, zone)
    with pytest.raises(r53.exceptions.NoSuchHostedZone):
        r53.get_hosted_zone(Id=zone_id)
    assert [
        c for c in r53.list_query_logging_configs()["QueryLoggingConfigs"] if c["HostedZoneId"] == zone_id
    ] == []
    with pytest.raises(ResourceMissing):
        zone_prov.verify(zone_request, zone)
    zone_prov.delete(zone_request, zone)
    with pytest.raises(ResourceMissing):
        record_prov.verify(*weighted[0])
    record_prov.delete(*weighted[0])


def test_private_zone_with_failover_records(make_request: Build, clients: Any) -> None:
    ec2 = clients("ec2")
    vpcs = [ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"] for n in (33, 34)]
    record_prov = provisioner_for("AWS::Route53::RecordSet")
    zone_prov, zone_request, zone = create(
        make_request,
        "Internal",
        "AWS::Route53::HostedZone",
        {
            "Name": "svc.internal",
            "VPCs": [{"VPCId": v, "VPCRegion": "us-east-1"} for v in vpcs],
        },
    )
    found = clients("route53").get_hosted_zone(Id=zone.physical_id)
    assert found["HostedZone"]["Config"]["PrivateZone"] is True
    assert sorted(v["VPCId"] for v in found["VPCs"]) == sorted(vpcs)
    assert zone.attributes["NameServers"] == []
    assert zone_prov.verify(zone_request, zone) == []

    health = clients("route53").create_health_check(
        CallerReference="db-primary",
        HealthCheckConfig={"Type": "TCP", "IPAddress": "10.33.0.5", "Port": 5432},
    )["HealthCheck"]["Id"]
    requests = [
        make_request(
            f"Db{role.title()}",
            "AWS::Route53::RecordSet",
            {
                "HostedZoneId": zone.physical_id,
                "Name": "db.svc.internal",
                "Type": "CNAME",
                "TTL": 30,
                "ResourceRecords": [target],
                "SetIdentifier": role,
                "Failover": role.upper(),
                **({"HealthCheckId": health} if role == "primary" else {}),
            },
        )
        for role, target in (("primary", "db-a.svc.internal"), ("secondary", "db-b.svc.internal"))
    ]
    results = [record_prov.create(r) for r in requests]
    live = {r["SetIdentifier"]: r for r in _records(clients, zone.physical_id, "db.svc.internal.")}
    assert (live["primary"]["Failover"], live["primary"]["HealthCheckId"]) == ("PRIMARY", health)
    assert live["secondary"]["ResourceRecords"] == [{"Value": "db-b.svc.internal"}]
    assert [record_prov.verify(r, res) for r, res in zip(requests, results, strict=True)] == [[], []]
    for r, res in zip(requests, results, strict=True):
        record_prov.delete(r, res)
    zone_prov.delete(zone_request, zone)
    with pytest.raises(ResourceMissing):
        zone_prov.verify(zone_request, zone)
