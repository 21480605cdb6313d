"""The load steps in real feature files, on a small HTTP API design deployed on moto (Locust runs for real)."""

from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src
      Role: !GetAtt Role.Arn
      Timeout: 3
      ReservedConcurrentExecutions: 1
      Environment: {Variables: {CACHE_HOST: cache.internal, CACHE_PORT: "6379"}}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: small-api, ProtocolType: HTTP}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Fn.Arn
      PayloadFormatVersion: "2.0"
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /ping, Target: !Sub "integrations/${Integration}"}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: $default, AutoDeploy: true}
"""

HANDLER = """\
import os, socket, time


def handler(event, context):
    time.sleep(0.02)
    try:
        socket.create_connection((os.environ["CACHE_HOST"], int(os.environ["CACHE_PORT"])), timeout=0.2).close()
        cache = "up"
    except OSError:
        cache = "down"
    return {"statusCode": 200, "body": cache}
"""

PROFILE = """\
from locust import FastHttpUser, constant, task


class Pinger(FastHttpUser):
    wait_time = constant(0.01)

    @task
    def ping(self):
        self.client.get("/ping", name="ping")
"""

FEATURE = """\
Feature: Load steps
  Scenario: One reserved environment under four users throttles
    Given the "small" design is deployed
    And "cache" is unavailable
    When Locust runs "ping.py" with 4 users for 2 seconds
    Then at least 20 requests per second are served
    And the p99 latency is below 5000 ms
    And the API answered 503 to at least 5% of requests
    And no request waited for a cold start longer than 20000 ms
    And the target's CloudWatch has at least 1 "Throttles" for the function "Fn"

  Scenario: The failure budget is checked
    Given the "small" design is deployed
    When Locust runs "ping.py" with 4 users for 2 seconds
    Then fewer than 1% of requests fail

  Scenario: An unknown dependency is a readable failure
    Given the "small" design is deployed
    When "Kafka" is unavailable
"""


def test_load_steps_on_a_served_http_api(pytester: pytest.Pytester) -> None:
    from pytest_infra_parity.load.locust_run import locust_missing

    if locust_missing():
        pytest.skip(str(locust_missing()))
    folder = pytester.mkdir("designs") / "small"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "app.py").write_text(HANDLER)
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "design.yaml").write_text("name: small\n")
    Path(pytester.path, "ping.py").write_text(PROFILE)
    pytester.makefile(".feature", load=FEATURE)
    result = pytester.runpytest_subprocess("--infra-design-path=designs", "-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*_ test_the_failure_budget_is_checked _*",
        "*% of * requests failed, not fewer than 1%",
        "*failure x*: GET ping: LocustBadStatusCode(code=503)",
        "infra-parity: no function of the stack has an environment variable locating 'Kafka'",
        "*- infra-parity load -*",
        "cache made unavailable (*: CACHE_HOST, CACHE_PORT)",
        "HTTP API https://*.execute-api.us-east-1.amazonaws.com served at http://127.0.0.1:*",
    ])
