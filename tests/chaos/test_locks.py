"""State locks written exactly as Terraform/OpenTofu and SST write them are found, aged and released."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.chaos.lock_formats import TERRAFORM_DYNAMODB, go_time, parse_time, sst_body
from pytest_infra_parity.chaos.lock_writers import write_sst_lock, write_terraform_lockfile, write_terraform_table_lock
from pytest_infra_parity.chaos.locks import find_locks, lock_tables, release, select, stale_locks
from pytest_infra_parity.cli import main

Clients = Callable[[str], Any]
# What Terraform 1.9 stores in Info (LockInfo marshalled by encoding/json: declaration order, UTC, ns).
TERRAFORM_INFO = ('{"ID":"4f8a2c1e-7b3d-4e9a-8c2f-1a2b3c4d5e6f","Operation":"OperationTypeApply","Info":"",'
                  '"Who":"alice@build-01","Version":"1.9.8","Created":"2025-01-12T09:30:00.123456789Z",'
                  '"Path":"acme-tfstate/app/terraform.tfstate"}')


def _table(clients: Clients, name: str) -> None:
    clients("dynamodb").create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                     AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                                     KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}])


def test_terraform_items_exactly_as_written_and_md5_digests_skipped(clients: Clients) -> None:
    _table(clients, "lk-exact")
    dynamodb = clients("dynamodb")
    dynamodb.put_item(TableName="lk-exact", Item={"LockID": {"S": "acme-tfstate/app/terraform.tfstate"},
                                                  "Info": {"S": TERRAFORM_INFO}})
    dynamodb.put_item(TableName="lk-exact", Item={"LockID": {"S": "acme-tfstate/app/terraform.tfstate-md5"},
                                                  "Digest": {"S": "9e107d9d372bb6826bd81d3542a419d6"}})
    assert "lk-exact" in lock_tables(clients)
    [lock] = find_locks(clients, tables=["lk-exact"], buckets=[])
    assert (lock.kind, lock.who, lock.lock_id, lock.operation, lock.version) == (
        TERRAFORM_DYNAMODB, "alice@build-01", "4f8a2c1e-7b3d-4e9a-8c2f-1a2b3c4d5e6f", "OperationTypeApply", "1.9.8")
    assert lock.created == datetime(2025, 1, 12, 9, 30, 0, 123456, tzinfo=UTC)
    assert lock.address == "dynamodb://lk-exact/acme-tfstate/app/terraform.tfstate"
    now = datetime(2025, 1, 12, 11, 30, tzinfo=UTC)
    assert lock.age(now) == pytest.approx(7200, abs=1)
    assert "held for 2.0h, by alice@build-01 since 2025-01-12T09:30:00+00:00" in lock.describe(now)
    assert stale_locks([lock], 3 * 3600, now) == [] and stale_locks([lock], 3600, now) == [lock]
    release(clients, lock)
    remaining = dynamodb.scan(TableName="lk-exact")["Items"]
    assert [item["LockID"]["S"] for item in remaining] == ["acme-tfstate/app/terraform.tfstate-md5"]


def test_release_leaves_a_lock_taken_again_since(clients: Clients) -> None:
    write_terraform_table_lock(clients, "lk-again", "b", "k", who="bob@ci")
    [old] = find_locks(clients, tables=["lk-again"], buckets=[])
    clients("dynamodb").put_item(TableName="lk-again", Item={"LockID": {"S": "b/k"}, "Info": {"S": TERRAFORM_INFO}})
    with pytest.raises(Exception, match="ConditionalCheckFailed"):
        release(clients, old)
    assert [lock.who for lock in find_locks(clients, tables=["lk-again"], buckets=[])] == ["alice@build-01"]


def test_tflock_objects_and_sst_locks(clients: Clients) -> None:
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    cleanup_tf = write_terraform_lockfile(clients, "lk-native", "env/prod/terraform.tfstate", who="dev@laptop",
                                          created=two_hours_ago)
    bucket, cleanup_sst = write_sst_lock(clients, "dashborion", "dev", command="deploy",
                                         created=datetime.now(UTC) - timedelta(minutes=5))
    try:
        found = {lock.address: lock for lock in find_locks(clients, tables=[])}
        tf = found["s3://lk-native/env/prod/terraform.tfstate.tflock"]
        assert (tf.kind, tf.who, tf.path) == ("terraform-s3", "dev@laptop", "lk-native/env/prod/terraform.tfstate")
        sst = found[f"s3://{bucket}/lock/dashborion/dev.json"]
        assert sst.kind == "sst" and sst.operation == "sst deploy" and sst.path == "dashborion/dev"
        assert "s3://lk-native/env/prod/terraform.tfstate" not in found  # the state itself is no lock
        stale = stale_locks([tf, sst], 30 * 60)
        assert stale == [tf]
        chosen, unknown = select(found.values(), [tf.address, "dashborion/dev", "nothing"])
        assert chosen == [tf, sst] and unknown == ["nothing"]
        release(clients, sst)
        assert not [lock for lock in find_locks(clients, tables=[], buckets=[bucket]) if lock.kind == "sst"]
    finally:
        cleanup_sst()
        cleanup_tf()


def test_time_formats() -> None:
    moment = datetime(2025, 1, 12, 9, 30, 0, 123456, tzinfo=UTC)
    assert go_time(moment) == "2025-01-12T09:30:00.123456000Z"
    assert parse_time("2025-01-12T10:30:00.123456789+01:00") == moment
    assert parse_time("not a time") is None
    body = json.loads(sst_body(command="deploy", update_id="u1", run_id="r1", created=moment))
    assert list(body) == ["created", "updateID", "runID", "command"]
    assert parse_time(body["created"]) == moment


def test_cli_locks_and_unlock(aws_on_moto: str, clients: Clients, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.chdir(tmp_path)
    write_terraform_table_lock(clients, "lk-cli", "acme", "app.tfstate", who="carol@ci",
                               created=datetime.now(UTC) - timedelta(hours=3))
    scope = ["--target", "aws", "--allowed-account", "123456789012", "--table", "lk-cli", "--bucket", "none-here"]
    assert main(["locks", *scope, "--older-than", "1h"]) == 1
    out = capsys.readouterr().out
    assert "1 state locks" in out and "dynamodb://lk-cli/acme/app.tfstate" in out and "carol@ci" in out
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["unlock", *scope, "dynamodb://lk-cli/acme/app.tfstate"]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert main(["unlock", *scope, "no-such-lock", "--yes"]) == 2
    assert main(["unlock", *scope, "acme/app.tfstate", "--yes"]) == 0
    assert "released dynamodb://lk-cli/acme/app.tfstate" in capsys.readouterr().out
    assert main(["locks", *scope, "--older-than", "1h"]) == 0
