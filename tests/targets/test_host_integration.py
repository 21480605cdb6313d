"""The real localstack-core on this host: started bound to loopback, S3 data kept apart, stopped clean.

Runs only when LocalStack's virtualenv is already in the cache folder (``infra-parity localstack
start`` creates it; CI's LocalStack leg always does, and then exercises all of this for real).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.localstack_host import HostOptions, group_members, start_host
from pytest_infra_parity.targets.localstack_paths import cache_dir, read_records
from pytest_infra_parity.targets.localstack_python import find_python
from pytest_infra_parity.targets.localstack_starter import stop_recorded
from pytest_infra_parity.targets.localstack_venv import Venv, expected_marker, is_reusable, venv_folder

REAL_CACHE = cache_dir()
"""The cache folder of this machine, read at import (pytester points HOME elsewhere)."""


def _installed() -> Venv:
    try:
        python = find_python()
    except TargetError as exc:
        pytest.skip(f"no Python for LocalStack: {exc.describe()}")
    folder = venv_folder(REAL_CACHE, python)
    if not is_reusable(folder, expected_marker(python)):
        pytest.skip(f"LocalStack's virtualenv is not installed ({folder}): run `infra-parity localstack start` once")
    return Venv(folder, folder / "bin" / "python")


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp: hex address, state 0A = LISTEN)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_localstack_core_starts_on_loopback_isolates_s3_and_stops_clean(tmp_path: Path) -> None:
    import boto3

    venv = _installed()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    cache = tmp_path / "cache"
    record, _ = start_host(HostOptions(port=port, cache=cache, owner="pytest", timeout=60), venv=venv)
    try:
        assert _listening_addresses(port) == {"127.0.0.1"}
        s3 = boto3.client("s3", endpoint_url=record.endpoint, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
        bucket = f"ipp-isolation-{port}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"isolated")
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"isolated"
        assert (Path(record.folder) / "s3" / bucket).is_dir()
        assert not Path("/tmp/localstack-s3-storage", bucket).exists()
        sqs = boto3.client("sqs", endpoint_url=record.endpoint, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        url = sqs.create_queue(QueueName="ipp-path-style")["QueueUrl"]
        assert url == f"http://127.0.0.1:{port}/queue/us-east-1/000000000000/ipp-path-style"
    finally:
        stop_recorded(record, cache)
    assert group_members(record.pid) == []
    assert read_records(cache) == [] and not (Path(record.folder) / "s3").exists()
    assert Path(record.log).is_file()  # the log is kept
