"""OpenSearch Service domain provisioner on moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import ResourceMissing

from ._support import Build, Clients, create, new_network


@pytest.fixture(scope="module")
def network(clients: Clients) -> dict[str, Any]:
    return new_network(clients, "10.32", "search", "search", key_description="search", key_field="KeyId")


def _properties(network: dict[str, Any]) -> dict[str, Any]:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "es:ESHttp*",
                "Resource": "arn:aws:es:us-east-1:123456789012:domain/logs/*",
            }
        ],
    }
    return {
        "DomainName": "logs",
        "EngineVersion": "OpenSearch_2.11",
        "ClusterConfig": {
            "InstanceType": "r6g.large.search",
            "InstanceCount": "2",
            "ZoneAwarenessEnabled": "true",
            "ZoneAwarenessConfig": {"AvailabilityZoneCount": 2},
            "DedicatedMasterEnabled": False,
        },
        "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 100},
        "EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": network["key"]},
        "NodeToNodeEncryptionOptions": {"Enabled": True},
        "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        "VPCOptions": {"SubnetIds": network["subnets"], "SecurityGroupIds": [network["group"]]},
        "AccessPolicies": policy,
        "AdvancedSecurityOptions": {
            "Enabled": True,
            "InternalUserDatabaseEnabled": True,
            "MasterUserOptions": {"MasterUserName": "admin", "MasterUserPassword": "Pa55!word"},
        },
        "SnapshotOptions": {"AutomatedSnapshotStartHour": 3},
        "Tags": [{"Key": "team", "Value": "search"}],
    }


def test_domain_lifecycle(make_request: Build, network: dict[str, Any], clients: Any) -> None:
    prov, request, result = create(
        make_request, "LogsDomain", "AWS::OpenSearchService::Domain", _properties(network)
    )
    assert result.physical_id == "logs"
    assert (
        result.attributes["Arn"]
        == result.attributes["DomainArn"]
        == "arn:aws:es:us-east-1:123456789012:domain/logs"
    )
    assert result.attributes["Id"] == "123456789012/logs"
    assert result.attributes["DomainEndpoint"].endswith(".es.amazonaws.com")
    assert "vpc" in result.attributes["DomainEndpoints"]

    client = clients("opensearch")
    status = client.describe_domain(DomainName="logs")["DomainStatus"]
    assert status["EngineVersion"] == "OpenSearch_2.11"
    assert status["ClusterConfig"]["InstanceCount"] == 2 and status["ClusterConfig"]["ZoneAwarenessEnabled"]
    assert status["EBSOptions"]["VolumeSize"] == 100
    assert status["EncryptionAtRestOptions"]["Enabled"] and status["NodeToNodeEncryptionOptions"]["Enabled"]
    assert status["DomainEndpointOptions"]["EnforceHTTPS"]
    assert sorted(status["VPCOptions"]["SubnetIds"]) == sorted(network["subnets"])
    assert json.loads(status["AccessPolicies"])["Statement"][0]["Action"] == "es:ESHttp*"
    tags = {t["Key"]: t["Value"] for t in client.list_tags(ARN=status["ARN"])["TagList"]}
    assert tags["team"] == "search" and tags["infra-parity:run"] == "test-run"
    assert prov.verify(request, result) == []

    client.update_domain_config(
        DomainName="logs", EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 50}
    )
    client.remove_tags(ARN=status["ARN"], TagKeys=["team"])
    problems = prov.verify(request, result)
    assert "EBSOptions.VolumeSize is 50, declared 100" in problems
    assert "tag 'team' is missing (declared 'search')" in problems

    prov.delete(request, result)
    with pytest.raises(ClientError):
        client.describe_domain(DomainName="logs")
    with pytest.raises(ResourceMissing):
        prov.verify(request, result)
    prov.delete(request, result)


def test_domain_default_name_and_policy_string(make_request: Build, clients: Any) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "es:*", "Resource": "*"}],
        }
    )
    prov, request, result = create(
        make_request,
        "ApplicationSearchDomain",
        "AWS::OpenSearchService::Domain",
        {
            "EngineVersion": "OpenSearch_2.11",
            "AccessPolicies": policy,
            "ClusterConfig": {"InstanceType": "t3.small.search", "InstanceCount": 1},
            "EBSOptions": {"EBSEnabled": True, "VolumeSize": "10"},
        },
    )
    name = result.physical_id
    assert len(name) <= 28 and name == name.lower() and name[0].isalpha()
    assert (
        clients("opensearch").describe_domain(DomainName=name)["DomainStatus"]["EBSOptions"]["VolumeSize"]
        == 10
    )
    assert prov.verify(request, result) == []
    prov.delete(request, result)
    with pytest.raises(ResourceMissing):
        prov.verify(request, result)
