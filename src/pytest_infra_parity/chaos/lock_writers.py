"""Write state locks on a target exactly as Terraform/OpenTofu and SST write them.

For tests and feature files that check lock detection with real lock items (formats and sources in
:mod:`.lock_formats`). Each writer creates the store if it is missing and returns a function that
removes what it created (the lock included).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pytest_infra_parity.chaos.lock_formats import (
    LOCKFILE_SUFFIX,
    SST_BOOTSTRAP_PARAMETER,
    SST_PREFIX,
    sst_body,
    terraform_info,
)
from pytest_infra_parity.deploy.provisioners.base import error_code

ClientFactory = Callable[[str], Any]
Cleanup = Callable[[], None]


def _ensure_table(clients: ClientFactory, table: str) -> bool:
    try:
        clients("dynamodb").create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}])
    except Exception as exc:
        if error_code(exc) != "ResourceInUseException":
            raise
        return False
    return True


def _ensure_bucket(clients: ClientFactory, bucket: str) -> bool:
    s3 = clients("s3")
    region = s3.meta.region_name
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region and region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**kwargs)
    except Exception as exc:
        if error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
        return False
    return True


def _empty_and_delete(clients: ClientFactory, bucket: str) -> None:
    s3 = clients("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            s3.delete_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])
    s3.delete_bucket(Bucket=bucket)


def write_terraform_table_lock(clients: ClientFactory, table: str, bucket: str, key: str, *, who: str,
                               created: datetime | None = None, operation: str = "OperationTypeApply") -> Cleanup:
    """The lock item and the state's ``-md5`` digest item, as Terraform's S3 backend writes them."""
    new_table = _ensure_table(clients, table)
    dynamodb = clients("dynamodb")
    path = f"{bucket}/{key}"
    dynamodb.put_item(TableName=table, Item={"LockID": {"S": path}, "Info": {
        "S": terraform_info(bucket, key, who=who, operation=operation, created=created)}},
        ConditionExpression="attribute_not_exists(LockID)")
    dynamodb.put_item(TableName=table, Item={"LockID": {"S": f"{path}-md5"},
                                             "Digest": {"S": secrets.token_hex(16)}})

    def cleanup() -> None:
        if new_table:
            dynamodb.delete_table(TableName=table)
        else:
            for lock_id in (path, f"{path}-md5"):
                dynamodb.delete_item(TableName=table, Key={"LockID": {"S": lock_id}})

    return cleanup


def write_terraform_lockfile(clients: ClientFactory, bucket: str, key: str, *, who: str,
                             created: datetime | None = None, operation: str = "OperationTypeApply") -> Cleanup:
    """``<key>.tflock`` holding the LockInfo JSON (``use_lockfile = true``), next to the state object."""
    new_bucket = _ensure_bucket(clients, bucket)
    s3 = clients("s3")
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"version": 4, "serial": 1, "resources": []}',
                  ContentType="application/json")
    s3.put_object(Bucket=bucket, Key=key + LOCKFILE_SUFFIX, ContentType="application/json",
                  Body=terraform_info(bucket, key, who=who, operation=operation, created=created).encode())

    def cleanup() -> None:
        if new_bucket:
            _empty_and_delete(clients, bucket)
        else:
            s3.delete_object(Bucket=bucket, Key=key + LOCKFILE_SUFFIX)
            s3.delete_object(Bucket=bucket, Key=key)

    return cleanup


def write_sst_lock(clients: ClientFactory, app: str, stage: str, *, command: str = "deploy",
                   created: datetime | None = None) -> tuple[str, Cleanup]:
    """SST's lock object in its state bucket (bootstrapped as SST does: ``/sst/bootstrap`` in SSM)."""
    ssm = clients("ssm")
    created_parameter = False
    try:
        bucket = str(json.loads(ssm.get_parameter(Name=SST_BOOTSTRAP_PARAMETER)["Parameter"]["Value"])["state"])
    except Exception as exc:
        if error_code(exc) != "ParameterNotFound":
            raise
        bucket = f"sst-state-{secrets.token_hex(6)}"
        ssm.put_parameter(Name=SST_BOOTSTRAP_PARAMETER, Type="String", Overwrite=True,
                          Value=json.dumps({"version": 3, "asset": f"sst-asset-{bucket[10:]}", "state": bucket}))
        created_parameter = True
    new_bucket = _ensure_bucket(clients, bucket)
    key = f"{SST_PREFIX}{app}/{stage}.json"
    clients("s3").put_object(Bucket=bucket, Key=key, ContentType="application/json",
                             Body=sst_body(command=command, run_id=secrets.token_hex(4), created=created).encode())

    def cleanup() -> None:
        if new_bucket:
            _empty_and_delete(clients, bucket)
        else:
            clients("s3").delete_object(Bucket=bucket, Key=key)
        if created_parameter:
            ssm.delete_parameter(Name=SST_BOOTSTRAP_PARAMETER)

    return bucket, cleanup
