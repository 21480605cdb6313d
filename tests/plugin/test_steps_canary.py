"""The canary and flag steps, in real feature files on a small SAM design deployed on moto."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: src/
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref Errors]
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      ComparisonOperator: GreaterThanThreshold
      Threshold: 0.02
      EvaluationPeriods: 5
      DatapointsToAlarm: 3
      TreatMissingData: notBreaching
      Metrics:
        - {Id: rate, Expression: errors / invocations, ReturnData: true}
        - Id: errors
          ReturnData: false
          MetricStat:
            Period: 60
            Stat: Sum
            Metric:
              Namespace: AWS/Lambda
              MetricName: Errors
              Dimensions: DIMENSIONS
        - Id: invocations
          ReturnData: false
          MetricStat:
            Period: 60
            Stat: Sum
            Metric:
              Namespace: AWS/Lambda
              MetricName: Invocations
              Dimensions: DIMENSIONS
  App:
    Type: AWS::AppConfig::Application
    Properties: {Name: NAME-flags}
  Profile:
    Type: AWS::AppConfig::ConfigurationProfile
    Properties: {ApplicationId: !Ref App, Name: flags, LocationUri: hosted, Type: AWS.AppConfig.FeatureFlags}
  Flags:
    Type: AWS::AppConfig::HostedConfigurationVersion
    Properties:
      ApplicationId: !Ref App
      ConfigurationProfileId: !Ref Profile
      ContentType: application/json
      Content: '{"version": "1", "flags": {"beta": {"name": "beta"}}, "values": {"beta": {"enabled": false}}}'
  Quarter:
    Type: AWS::AppConfig::DeploymentStrategy
    Properties: {Name: Quarter, DeploymentDurationInMinutes: 4, GrowthFactor: 25, GrowthType: LINEAR,
                 FinalBakeTimeInMinutes: 1, ReplicateTo: NONE}
"""
NEW_VERSION = ("[{Name: FunctionName, Value: !Ref Fn}, {Name: Resource, Value: !Sub '${Fn}:live'}, "
               "{Name: ExecutedVersion, Value: !GetAtt Fn.Version.Version}]")

FEATURE = """\
Feature: Canary steps
  Scenario: A failing canary is rolled back
    Given the "canary" design is deployed
    When version 2 is rolled out with "CodeDeployDefault.LambdaCanary10Percent5Minutes" while it fails 5% of requests
    Then the deployment is rolled back within 5 minutes

  Scenario: A healthy canary goes through with the group's configuration
    Given the "canary" design is deployed
    And a steady traffic of 50 requests per second
    When version 3 is rolled out while it fails 0% of requests
    Then the deployment succeeds

  Scenario: Too impatient
    Given the "canary" design is deployed
    When version 4 is rolled out with "Canary10Percent5Minutes" while it fails 5% of requests
    Then the deployment is rolled back within 1 minute

  Scenario: The alarm on the new version catches a 5 percent canary
    Given the "canary" design is deployed
    Then a canary failing 5% of its requests is detected

  Scenario: A 1 percent canary is too close to the threshold, as the design declares
    Given the "canary" design is deployed
    Then a canary failing 1% of its requests is detected

  Scenario: The share of runs that roll back a 5 percent canary
    Given the "canary" design is deployed
    Then a canary failing 5% of its requests is detected in at least 90% of runs
    And a canary failing 0% of its requests is detected in at most 0% of runs

  Scenario: A 1 percent canary is rarely rolled back
    Given the "canary" design is deployed
    Then a canary failing 1% of its requests is detected in at least 50% of runs

  Scenario: A flag with the design's strategy
    Given the "canary" design is deployed
    When the flag "beta" is rolled out with the strategy "Quarter"
    Then 25% of clients see it after 1 minute
    And 100% of clients see it after 4 minutes

  Scenario: An unknown flag
    Given the "canary" design is deployed
    When the flag "nope" is rolled out with the strategy "AppConfig.AllAtOnce"
"""


def _design(root: Path, name: str, dimensions: str, extra: str) -> None:
    folder = root / name
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "index.py").write_text("def handler(event, context):\n    return {}\n")
    (folder / "template.yaml").write_text(TEMPLATE.replace("DIMENSIONS", dimensions).replace("NAME", name))
    (folder / "design.yaml").write_text(f"name: {name}\ntraffic: {{requests_per_second: 20}}\ncanary: {{runs: 30}}\n"
                                        f"{extra}")


def test_canary_and_flag_steps_on_a_deployed_design(pytester: pytest.Pytester) -> None:
    _design(pytester.mkdir("designs"), "canary", NEW_VERSION, textwrap.dedent("""\
        expected_failures:
          canary-detection:
            up_to_percent: 1
            reason: a canary failing 1% stays under the 2% threshold of the alarm
        """))
    pytester.makefile(".feature", canary=FEATURE)
    result = pytester.runpytest_subprocess("--infra-design-path=designs", "-p", "no:cacheprovider", "-rx")
    result.assert_outcomes(passed=5, failed=3, xfailed=1)
    # scenarios share the deployment: versions 2 and 3 were published before, each scenario restores the alias
    result.stdout.fnmatch_lines([
        "*the deployment was rolled back after 3.00 minutes, not within 1*",
        "*CodeDeploy deployment d-EMULATED1 with CodeDeployDefault.LambdaCanary10Percent5Minutes*",
        "*+00:00  traffic shift: v1 90% / v4 10%*",
        "*alarm *: OK -> ALARM (Threshold Crossed: 3 out of the last 5 datapoints*",
        "*ROLLBACK (d-EMULATED1-rollback): v1 100% / v4 0%*",
    ])
    result.stdout.fnmatch_lines(["*infra-parity: stack * has no flag 'nope' in its hosted configuration; flags: beta*"])
    result.stdout.fnmatch_lines([
        "XFAIL *test_a_1_percent_canary_is_too_close_to_the_threshold_as_the_design_declares - expected failure of "
        "design canary: a canary failing 1% stays under the 2% threshold of the alarm",
        "a canary failing 1.00% of its requests is NOT detected: rolled back in * of 30 emulated deployments*",
        "smallest detectable canary error rate: *",
    ])
    result.stdout.fnmatch_lines([
        "*a canary failing 1% of its requests is rolled back in * of 30 emulated deployments (*%), not at least 50%",
        "a canary failing 1.00% of its requests is NOT detected*",
    ])
    assert "Traceback" not in result.stdout.str()


MISSING = """\
Feature: Steps without their set-up
  Scenario: An outcome without a rollout
    Then the deployment succeeds

  Scenario: A rollback without a rollout
    Then the deployment is rolled back within 5 minutes

  Scenario: A rollout without a design
    When version 2 is rolled out with "Canary10Percent5Minutes" while it fails 5% of requests

  Scenario: A rollout failing more than every request
    When version 2 is rolled out with "Canary10Percent5Minutes" while it fails 150% of requests

  Scenario: A detection without a design
    Then a canary failing 5% of its requests is detected

  Scenario: A detection rate above 100 percent
    Then a canary failing 150% of its requests is detected

  Scenario: A share of runs above 100 percent
    Then a canary failing 5% of its requests is detected in at least 120% of runs

  Scenario: An empty range
    Then the smallest detectable canary error rate is between 5% and 2%

  Scenario: Clients without a flag rollout
    Then 10% of clients see it after 4 minutes

  Scenario: A flag rollout without a design
    When the flag "beta" is rolled out with the strategy "AppConfig.AllAtOnce"

  Scenario: A design without a canary
    Given the "small" design is deployed
    Then a canary failing 5% of its requests is detected
"""


def test_missing_set_up_and_impossible_figures_fail_with_one_sentence(pytester: pytest.Pytester,
                                                                         small_design: Path) -> None:
    pytester.makefile(".feature", missing=MISSING)
    result = pytester.runpytest_subprocess("--infra-design-path=designs", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=11)
    rollout = 'When version <v> is rolled out with "<deployment config>" while it fails <p>% of requests'
    deployed = 'Given the "<design>" design is deployed'
    result.stdout.fnmatch_lines([
        f"infra-parity: no version was rolled out in this scenario: `Then the deployment succeeds` needs `{rollout}` "
        "before it",
        "infra-parity: no version was rolled out in this scenario: `Then the deployment is rolled back within 5 "
        f"minutes` needs `{rollout}` before it",
        'infra-parity: no deployed design in this scenario: `When version 2 is rolled out with '
        f'"Canary10Percent5Minutes" while it fails 5% of requests` needs `{deployed}` before it',
        "infra-parity: the share of requests the new version fails must be a percentage between 0 and 100, got 150%",
        "infra-parity: no deployed design in this scenario: `Then a canary failing 5% of its requests is detected` "
        f"needs `{deployed}` before it",
        "infra-parity: the canary's failure rate must be a percentage between 0 and 100, got 150%",
        "infra-parity: the share of runs must be a percentage between 0 and 100, got 120%",
        "infra-parity: the range 5% to 2% is empty: write the smaller rate first",
        "infra-parity: no flag was rolled out in this scenario: `Then 10% of clients see it after 4 minutes` needs "
        '`When the flag "<name>" is rolled out with the strategy "<strategy>"` before it',
        'infra-parity: no deployed design in this scenario: `When the flag "beta" is rolled out with the strategy '
        f'"AppConfig.AllAtOnce"` needs `{deployed}` before it',
        "infra-parity: stack * has no Lambda alias shifted by CodeDeploy*",
    ])
    out = result.stdout.str()
    for raw in ("not found", "available fixtures", "During handling", "Traceback", "ValueError"):
        assert raw not in out


def test_the_seed_comes_from_the_environment(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_seed="""
        from pytest_infra_parity.sim.traffic import TrafficSpec

        def test_seed(infra_sim, infra_seed):
            assert infra_sim.clock.seed == infra_seed == 1234
            infra_sim.traffic = TrafficSpec(2, "deterministic")
            model = infra_sim.model("fn", "live")
            model.set_routing("1")
            infra_sim.clock.run_until(600)
            model.generate_until(600)
            assert sum(p.invocations["1"] for p in model.periods) == 1200
    """)
    monkeypatch.setenv("INFRA_PARITY_SEED", "1234")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    monkeypatch.setenv("INFRA_PARITY_SEED", "many")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*INFRA_PARITY_SEED='many' is not an integer seed*"])
    assert "During handling" not in result.stdout.str()
