"""KMS provisioners on the moto server: keys, aliases and the tolerant key comparison."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ResourceMissing
from pytest_infra_parity.deploy.provisioners._common import key_differences

from ._support import Build, Clients, assert_deleted, create, new_key, provisioner_for

POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Id": "key-policy",
    "Statement": [
        {
            "Sid": "root",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}


def test_key_lifecycle(make_request: Build, clients: Clients) -> None:
    kms = clients("kms")
    prov, req, result = create(
        make_request,
        "DataKey",
        "AWS::KMS::Key",
        {
            "Description": "orders data key",
            "KeyPolicy": json.dumps(POLICY),
            "EnableKeyRotation": "true",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "Enabled": True,
            "PendingWindowInDays": 7,
            "MultiRegion": False,
            "Tags": [{"Key": "team", "Value": "orders"}],
        },
    )
    key_id = result.physical_id
    assert result.attributes["KeyId"] == key_id
    assert result.attributes["Arn"].endswith(f":key/{key_id}")
    assert prov.verify(req, result) == []

    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["Description"] == "orders data key"
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])["Id"] == "key-policy"
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key_id)["Tags"]}
    assert tags["team"] == "orders"
    assert tags["infra-parity:run"] == "test-run"

    kms.disable_key_rotation(KeyId=key_id)
    kms.untag_resource(KeyId=key_id, TagKeys=["team"])
    kms.disable_key(KeyId=key_id)
    problems = prov.verify(req, result)
    assert any("EnableKeyRotation" in p for p in problems)
    assert any("'team' is missing" in p for p in problems)
    assert any(p.startswith("Enabled") for p in problems)

    def pending_deletion() -> bool:
        return bool(kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion")

    assert_deleted(prov, req, result, gone=pending_deletion)


def test_disabled_key_and_policy_drift(make_request: Build, clients: Clients) -> None:
    kms = clients("kms")
    prov, req, result = create(
        make_request, "Cold", "AWS::KMS::Key", {"KeyPolicy": POLICY, "Enabled": "false"}
    )
    assert kms.describe_key(KeyId=result.physical_id)["KeyMetadata"]["Enabled"] is False
    assert prov.verify(req, result) == []
    other = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "kms:Decrypt"}]}
    kms.put_key_policy(KeyId=result.physical_id, PolicyName="default", Policy=json.dumps(other))
    assert any(p.startswith("KeyPolicy is") for p in prov.verify(req, result))
    prov.delete(req, result)


def test_alias_lifecycle(make_request: Build, clients: Clients) -> None:
    kms = clients("kms")
    key_prov, alias_prov = provisioner_for("AWS::KMS::Key"), provisioner_for("AWS::KMS::Alias")
    key_req = make_request("AliasedKey", "AWS::KMS::Key", {})
    key = key_prov.create(key_req)
    other = key_prov.create(make_request("OtherKey", "AWS::KMS::Key", {}))
    req = make_request(
        "KeyAlias", "AWS::KMS::Alias", {"AliasName": "alias/c1-orders", "TargetKeyId": key.attributes["Arn"]}
    )
    result = alias_prov.create(req)
    assert result.physical_id == "alias/c1-orders"
    assert alias_prov.verify(req, result) == []
    assert kms.describe_key(KeyId="alias/c1-orders")["KeyMetadata"]["KeyId"] == key.physical_id

    # an alias can target another alias: it resolves to the key behind it
    chained = make_request(
        "Chained", "AWS::KMS::Alias", {"AliasName": "alias/c1-chained", "TargetKeyId": "alias/c1-orders"}
    )
    chained_result = alias_prov.create(chained)
    assert alias_prov.verify(chained, chained_result) == []

    kms.update_alias(AliasName="alias/c1-orders", TargetKeyId=other.physical_id)
    assert any("TargetKeyId" in p for p in alias_prov.verify(req, result))

    for prov_result in (result, chained_result):
        alias_prov.delete(req, prov_result)
        alias_prov.delete(req, prov_result)
    assert "alias/c1-orders" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
    with pytest.raises(ResourceMissing):
        alias_prov.verify(req, result)
    key_prov.delete(key_req, key)
    key_prov.delete(key_req, other)


def test_key_differences_resolves_every_form(make_request: Build, clients: Clients) -> None:
    kms = clients("kms")
    req = make_request("Any", "AWS::KMS::Key", {})
    meta = new_key(kms, "alias/c1-forms")
    alias_arn = meta["Arn"].replace(f"key/{meta['KeyId']}", "alias/c1-forms")
    for declared in (meta["KeyId"], meta["Arn"], "alias/c1-forms", alias_arn):
        assert key_differences(req, "KmsKeyId", declared, meta["Arn"]) == []
        assert key_differences(req, "KmsKeyId", meta["KeyId"], declared) == []
    other = kms.create_key()["KeyMetadata"]["Arn"]
    assert key_differences(req, "KmsKeyId", "alias/c1-forms", other) != []
    assert key_differences(req, "KmsKeyId", "alias/c1-forms", None) == [
        "KmsKeyId is not set, declared 'alias/c1-forms'"
    ]
    assert key_differences(req, "KmsKeyId", None, other) == []
    kms.delete_alias(AliasName="alias/c1-forms")
