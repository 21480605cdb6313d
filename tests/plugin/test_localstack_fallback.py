"""``--infra-fallback`` and the LocalStack header, through pytester, against a fake LocalStack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.targets.fake_localstack import FakeLocalStack, serve

UNSERVED = {"dynamodb": "501", "lambda": "501", "apigatewayv2": "501", "ecs": "501", "elbv2": "501"}

ROUTED = """
from pytest_infra_parity.targets.protocol import served

def test_routes(infra_target, infra_client):
    assert served(infra_target, "dynamodb").where == "moto"
    assert served(infra_target, "s3").where == "localstack"
    ddb = infra_client("dynamodb")
    ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    assert ddb.describe_table(TableName="t")["Table"]["TableArn"].split(":")[4] == "000000000000"
"""

SKIPPING = """
import pytest
from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.protocol import served

def test_needs_dynamodb(infra_target):
    where = served(infra_target, "dynamodb")
    if not where:
        pytest.skip(f"dynamodb is not served: {where.reason}")

def test_client_refuses(infra_client):
    with pytest.raises(TargetError, match="does not serve dynamodb.*--infra-fallback=moto"):
        infra_client("dynamodb")
"""


@pytest.fixture
def fake() -> Iterator[FakeLocalStack]:
    with serve(FakeLocalStack(behaviours=dict(UNSERVED))) as running:
        yield running


def test_fallback_routes_unserved_services_to_moto_and_the_header_says_so(pytester: pytest.Pytester,
                                                                          fake: FakeLocalStack) -> None:
    pytester.makepyfile(ROUTED)
    result = pytester.runpytest_subprocess("--infra-target=localstack", f"--infra-endpoint={fake.url}",
                                           "--infra-fallback=moto")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        f"infra-parity: target localstack 0.0-fake at {fake.url}, region us-east-1, fallback moto*",
        "infra-parity: on localstack: *s3, *sqs*",
        "infra-parity: on moto (fallback): *dynamodb*(HTTP 501: not in this LocalStack's plan)*",
        "infra-parity: services detected in * s (/_localstack/health and one probe per service)",
    ])
    assert "infra-parity: on localstack: *ec2" not in result.stdout.str()  # ec2 follows ecs/elbv2 to moto


def test_the_ini_key_sets_the_fallback(pytester: pytest.Pytester, fake: FakeLocalStack) -> None:
    pytester.makeini("[pytest]\ninfra_fallback = moto\n")
    pytester.makepyfile(ROUTED)
    result = pytester.runpytest_subprocess("--infra-target=localstack", f"--infra-endpoint={fake.url}")
    result.assert_outcomes(passed=1)


def test_without_fallback_steps_skip_and_clients_refuse(pytester: pytest.Pytester, fake: FakeLocalStack) -> None:
    pytester.makepyfile(SKIPPING)
    result = pytester.runpytest_subprocess("--infra-target=localstack", f"--infra-endpoint={fake.url}", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([
        "*no fallback*",
        "infra-parity: not served (steps needing them skip*--infra-fallback=moto*): *dynamodb*HTTP 501*",
        "*dynamodb is not served: HTTP 501: not in this LocalStack's plan*",
    ])


def test_a_wrong_fallback_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--infra-fallback=aws")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--infra-fallback must be one of moto, none, got 'aws'*"])
