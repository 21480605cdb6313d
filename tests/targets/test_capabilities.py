"""Capability detection against a fake LocalStack: health states, 501s, 500s, hangs, failing Lambda."""

from __future__ import annotations

import time

import pytest

from pytest_infra_parity.targets.localstack_capabilities import (
    Health,
    ServiceStatus,
    detect,
    judge_error,
    probe_clients,
)
from pytest_infra_parity.targets.localstack_ready import fetch_health
from tests.targets.fake_localstack import FakeLocalStack, serve


def _detect(fake: FakeLocalStack, services: list[str], timeout: float = 1.0) -> dict[str, ServiceStatus]:
    health = Health.parse(fetch_health(fake.url))
    return detect(health, probe_clients(fake.url, "us-east-1", timeout), services, timeout=timeout).services


def test_health_document_is_parsed() -> None:
    health = Health.parse({"services": {"s3": "running", "kms": "error"}, "version": "4.1", "edition": "community"})
    assert (health.version, health.edition, health.states["kms"]) == ("4.1", "community", "error")


def test_each_way_of_not_serving_is_told_apart() -> None:
    fake = FakeLocalStack(
        states={"s3": "available", "kms": "running", "logs": "error", "lambda": "available"},
        behaviours={"ecs": "501", "kinesis": "500", "dynamodb": "hang", "lambda": "lambda-failed"},
        hang_seconds=10.0,
    )
    with serve(fake):
        started = time.monotonic()
        found = _detect(fake, ["s3", "kms", "logs", "ecs", "kinesis", "dynamodb", "lambda"], timeout=1.0)
        elapsed = time.monotonic() - started
    assert found["s3"].served and found["kms"].served
    assert not found["logs"].served and "reports it 'error'" in found["logs"].reason
    assert not found["ecs"].served and "HTTP 501" in found["ecs"].reason
    assert not found["kinesis"].served and "HTTP 500" in found["kinesis"].reason
    assert not found["dynamodb"].served and "no answer within" in found["dynamodb"].reason
    assert not found["lambda"].served and "lambda-runtime failed" in found["lambda"].reason
    # the hang is cut at the probe timeout, not waited for (probes run in parallel)
    assert elapsed < 7.0
    assert ("logs", "/") not in fake.requests  # a service in "error" is not even probed


def test_a_service_without_a_probe_follows_the_health_document() -> None:
    fake = FakeLocalStack(states={"firehose": "available"})
    with serve(fake):
        found = _detect(fake, ["firehose", "transcribe"])
    assert found["firehose"].served
    assert not found["transcribe"].served and "not listed" in found["transcribe"].reason


class _Answer(Exception):
    def __init__(self, status: int | None, code: str = "", message: str = "") -> None:
        super().__init__(message)
        if status is not None:
            self.response = {"ResponseMetadata": {"HTTPStatusCode": status},
                             "Error": {"Code": code, "Message": message}}


@pytest.mark.parametrize(("error", "verdict"), [
    (_Answer(501, "InternalFailure", "not in plan"), "HTTP 501: not in this LocalStack's plan"),
    (_Answer(500, "InternalError", "download failed"), "HTTP 500 InternalError: download failed"),
    (_Answer(400, "ValidationException"), "served"),
    (_Answer(404, "ResourceNotFoundException"), "served"),
])
def test_judge_error(error: Exception, verdict: str) -> None:
    assert judge_error(error) == verdict


def test_a_timeout_is_not_served() -> None:
    class ReadTimeoutError(Exception):
        pass

    assert "no answer within the probe timeout" in str(judge_error(ReadTimeoutError("slow")))
