"""Find, age and release state locks on the target (Terraform/OpenTofu S3 backend, SST v3).

Where locks are looked for (formats in :mod:`.lock_formats`):

- DynamoDB tables whose key schema is exactly ``LockID`` (HASH): Terraform's lock table, which the
  S3 backend documentation requires to have "a partition key named LockID with type of String";
  items with ``Info`` are locks, ``<path>-md5`` items with ``Digest`` are state checksums and skipped;
- S3 objects ending in ``.tflock`` (``use_lockfile = true``);
- SST's ``lock/<app>/<stage>.json`` objects in its state bucket (named by ``/sst/bootstrap`` in SSM,
  else any bucket named ``sst-state-*``).

Every function takes a client factory (service name -> boto3 client on the target).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from pytest_infra_parity.chaos.lock_formats import (
    DIGEST_SUFFIX,
    LOCKFILE_SUFFIX,
    SST,
    SST_BOOTSTRAP_PARAMETER,
    SST_PREFIX,
    TERRAFORM_DYNAMODB,
    TERRAFORM_S3,
    StateLock,
    sst_lock,
    terraform_lock,
)
from pytest_infra_parity.deploy.provisioners.base import error_code, is_not_found

ClientFactory = Callable[[str], Any]
MAX_KEYS_PER_BUCKET = 20_000


def lock_tables(clients: ClientFactory) -> list[str]:
    """Tables keyed by ``LockID`` alone (Terraform's lock table shape)."""
    dynamodb = clients("dynamodb")
    found: list[str] = []
    for page in dynamodb.get_paginator("list_tables").paginate():
        for name in page.get("TableNames", []):
            try:
                schema = dynamodb.describe_table(TableName=name)["Table"].get("KeySchema", [])
            except Exception as exc:
                if is_not_found(exc):  # deleted between the listing and now
                    continue
                raise
            if [(k["AttributeName"], k["KeyType"]) for k in schema] == [("LockID", "HASH")]:
                found.append(str(name))
    return found


def table_locks(clients: ClientFactory, table: str) -> list[StateLock]:
    """The lock items of a Terraform lock table (checksum ``-md5`` items are not locks)."""
    found: list[StateLock] = []
    for page in clients("dynamodb").get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page.get("Items", []):
            lock_id = item.get("LockID", {}).get("S", "")
            if "Info" not in item and ("Digest" in item or lock_id.endswith(DIGEST_SUFFIX)):
                continue
            found.append(terraform_lock(TERRAFORM_DYNAMODB, table, lock_id, item.get("Info", {}).get("S", "")))
    return found


def _keys(s3: Any, bucket: str, prefix: str = "") -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(str(obj["Key"]) for obj in page.get("Contents", []))
        if len(keys) >= MAX_KEYS_PER_BUCKET:
            break
    return keys


def _body(s3: Any, bucket: str, key: str) -> str | None:
    try:
        return str(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8", errors="replace"))
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise


def bucket_locks(clients: ClientFactory, bucket: str, *, sst_bucket: bool = False) -> list[StateLock]:
    """``*.tflock`` objects in a bucket, and SST's ``lock/`` objects when it is SST's state bucket."""
    s3 = clients("s3")
    found: list[StateLock] = []
    try:
        keys = _keys(s3, bucket)
    except Exception as exc:
        if is_not_found(exc) or error_code(exc) in ("AccessDenied", "AllAccessDisabled"):
            return []
        raise
    for key in keys:
        if key.endswith(LOCKFILE_SUFFIX):
            body = _body(s3, bucket, key)
            if body is not None:
                found.append(terraform_lock(TERRAFORM_S3, bucket, key, body))
        elif sst_bucket and key.startswith(SST_PREFIX) and key.endswith(".json"):
            body = _body(s3, bucket, key)
            if body is not None:
                found.append(sst_lock(bucket, key, body))
    return found


def sst_state_buckets(clients: ClientFactory, buckets: Iterable[str]) -> set[str]:
    """SST's state bucket from ``/sst/bootstrap`` (its ``state`` field), plus buckets named ``sst-state-*``."""
    found = {name for name in buckets if name.startswith("sst-state-")}
    try:
        value = clients("ssm").get_parameter(Name=SST_BOOTSTRAP_PARAMETER)["Parameter"]["Value"]
    except Exception as exc:
        if is_not_found(exc) or error_code(exc) == "ParameterNotFound":
            return found
        raise
    try:
        state = json.loads(value).get("state")
    except (ValueError, AttributeError):
        return found
    if state:
        found.add(str(state))
    return found


def find_locks(clients: ClientFactory, *, tables: Iterable[str] | None = None,
               buckets: Iterable[str] | None = None) -> list[StateLock]:
    """Every state lock on the target (or in the given tables and buckets only)."""
    table_names = list(tables) if tables is not None else lock_tables(clients)
    if buckets is None:
        bucket_names = [str(b["Name"]) for b in clients("s3").list_buckets().get("Buckets", [])]
    else:
        bucket_names = list(buckets)
    sst_buckets = sst_state_buckets(clients, bucket_names)
    found: list[StateLock] = []
    for table in table_names:
        found.extend(table_locks(clients, table))
    for bucket in bucket_names:
        found.extend(bucket_locks(clients, bucket, sst_bucket=bucket in sst_buckets))
    return sorted(found, key=lambda lock: lock.address)


def stale_locks(locks: Iterable[StateLock], older_than: float, now: datetime | None = None) -> list[StateLock]:
    """Locks held longer than ``older_than`` seconds (a lock without a readable time counts as stale)."""
    return [lock for lock in locks if (age := lock.age(now)) is None or age >= older_than]


def release(clients: ClientFactory, lock: StateLock) -> None:
    """Delete a lock as ``terraform force-unlock`` / ``sst unlock`` would.

    The DynamoDB delete is conditional on the ``Info`` read earlier, so a lock taken again since then
    is left alone (``ConditionalCheckFailedException`` is raised).
    """
    if lock.kind == TERRAFORM_DYNAMODB:
        kwargs: dict[str, Any] = {"TableName": lock.store, "Key": {"LockID": {"S": lock.key}}}
        if lock.raw:
            kwargs.update(ConditionExpression="Info = :info", ExpressionAttributeValues={":info": {"S": lock.raw}})
        clients("dynamodb").delete_item(**kwargs)
    elif lock.kind in (TERRAFORM_S3, SST):
        clients("s3").delete_object(Bucket=lock.store, Key=lock.key)
    else:
        raise ValueError(f"unknown lock kind {lock.kind!r}")


def select(locks: Iterable[StateLock], addresses: Iterable[str]) -> tuple[list[StateLock], list[str]]:
    """The locks named by address, lock id or state path; and the names that matched nothing."""
    pool = list(locks)
    chosen: list[StateLock] = []
    unknown: list[str] = []
    for name in addresses:
        matches = [lock for lock in pool if name in (lock.address, lock.lock_id, lock.path, lock.key)]
        if not matches:
            unknown.append(name)
        chosen.extend(m for m in matches if m not in chosen)
    return chosen, unknown
