"""DynamoDB table provisioner on the moto server: keys, indexes, SSE, PITR, TTL, streams, protection."""

from __future__ import annotations

from typing import Any

from ._support import Build, Clients, assert_deleted, create, error_code, new_key


def _gone(ddb: Any, name: str) -> bool:
    return error_code(ddb.describe_table, TableName=name) == "ResourceNotFoundException"


def _orders(key_id: str) -> dict[str, Any]:
    return {
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by-status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
            }
        ],
        "LocalSecondaryIndexes": [
            {
                "IndexName": "by-pk-status",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "status", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_id},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": "true"},
        "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "DeletionProtectionEnabled": True,
        "TableClass": "STANDARD",
        "Tags": [{"Key": "team", "Value": "orders"}],
    }


def test_table_lifecycle(make_request: Build, clients: Clients) -> None:
    ddb, kms = clients("dynamodb"), clients("kms")
    new_key(kms, "alias/c1-orders-table")
    prov, req, result = create(
        make_request, "Orders", "AWS::DynamoDB::Table", _orders("alias/c1-orders-table")
    )
    name = result.physical_id
    assert name.startswith(f"{req.stack_name}-Orders-")
    assert result.attributes["Arn"].endswith(f":table/{name}")
    assert "/stream/" in result.attributes["StreamArn"]
    assert prov.verify(req, result) == []

    table = ddb.describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] is True
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}

    # break it out of band
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires_at"}
    )
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.untag_resource(ResourceArn=result.attributes["Arn"], TagKeys=["team"])
    problems = prov.verify(req, result)
    assert any(p.startswith("PointInTimeRecoverySpecification") for p in problems)
    assert any(p.startswith("TimeToLiveSpecification.Enabled") for p in problems)
    assert any(p.startswith("StreamSpecification.StreamViewType is None") for p in problems)
    assert any("'team' is missing" in p for p in problems)

    # deletion protection is lifted by the plugin, which owns the ephemeral stack
    assert_deleted(prov, req, result, gone=lambda: _gone(ddb, name))
    kms.delete_alias(AliasName="alias/c1-orders-table")


def test_provisioned_table_and_key_drift(make_request: Build, clients: Clients) -> None:
    ddb, kms = clients("dynamodb"), clients("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    props = {
        "TableName": "c1-sessions",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": "5", "WriteCapacityUnits": 2},
        "SSESpecification": {"SSEEnabled": "true", "KMSMasterKeyId": key_arn},
    }
    prov, req, result = create(make_request, "Sessions", "AWS::DynamoDB::Table", props)
    assert result.physical_id == "c1-sessions"
    assert "StreamArn" not in result.attributes
    assert prov.verify(req, result) == []
    throughput = ddb.describe_table(TableName="c1-sessions")["Table"]["ProvisionedThroughput"]
    assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (5, 2)

    ddb.update_table(
        TableName="c1-sessions", ProvisionedThroughput={"ReadCapacityUnits": 9, "WriteCapacityUnits": 2}
    )
    problems = prov.verify(req, result)
    assert problems == ["ProvisionedThroughput.ReadCapacityUnits is 9, declared 5"]

    other = make_request(
        "Sessions",
        "AWS::DynamoDB::Table",
        {
            **props,
            "SSESpecification": {
                "SSEEnabled": True,
                "KMSMasterKeyId": kms.create_key()["KeyMetadata"]["KeyId"],
            },
        },
    )
    assert any("KMSMasterKeyId" in p for p in prov.verify(other, result))
    prov.delete(req, result)
    assert _gone(ddb, "c1-sessions")
