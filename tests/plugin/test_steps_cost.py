"""The cost steps and the ``infra_cost`` fixture, run by pytest on real feature files (pytester)."""

from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: priced-fn
      Runtime: python3.12
      Handler: index.handler
      MemorySize: 1024
      Role: arn:aws:iam::123456789012:role/x
      Code: {ZipFile: "def handler(e, c): return 1"}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/priced-fn
      RetentionInDays: 30
"""

DESIGN = """\
name: priced
title: A design with a usage profile and a budget
usage:
  requests_per_day: 10000
  average_duration_ms: 1000
  log_gb_per_month: 2
cost:
  region: us-east-1
  resources:
    Fn: {per_request: 1}
budget: {amount: 5, currency: EUR, period: month}
"""


@pytest.fixture
def priced_design(pytester: pytest.Pytester) -> Path:
    folder = pytester.mkdir("designs").joinpath("priced")
    folder.mkdir()
    folder.joinpath("template.yaml").write_text(TEMPLATE)
    folder.joinpath("design.yaml").write_text(DESIGN)
    return folder


# Hand-computed at the catalog's us-east-1 prices, for 10,000 requests a day (304,166.7 a month):
# Lambda 304,166.7 x 0.0000002 = 0.0608 + 304,166.7 x 1 s x 1 GB x 0.0000166667 = 5.0695; KMS key 1.00;
# logs 2 GB x 0.50 = 1.00 + 2 GB x 30/30.4167 months x 0.03 = 0.0592. Total 7.1895 USD = 6.91 EUR at
# the catalog's 1 EUR = 1.0411 USD.
FEATURE = """\
Feature: Priced design
  Scenario: Within budget at a tenth of the traffic
    Given the "priced" design with its usage profile
    And a usage of 1,000 requests per day
    Then the monthly cost is within the design's budget
    And the monthly cost of "Lambda" is below 1 USD

  Scenario: Over budget at its own traffic
    Given the "priced" design with its usage profile
    Then the monthly cost is below 5 EUR

  Scenario: The breakdown names the service
    Given the "priced" design with its usage profile
    Then the monthly cost of "Lambda" is below 6 USD
    And the monthly cost is above 7 USD
    And the breakdown shows "KMS"
"""


WRONG_WORDS = """\

  Scenario: Unknown service
    Given the "priced" design with its usage profile
    Then the monthly cost of "Mainframe" is below 1 USD

  Scenario: Unknown design
    Given the "nowhere" design with its usage profile
    Then the monthly cost is below 1 USD

  Scenario: Nothing to price
    Then the monthly cost is below 1 USD
"""


def test_cost_steps_pass_and_fail_with_the_breakdown(pytester: pytest.Pytester, priced_design: Path) -> None:
    pytester.makefile(".feature", priced=FEATURE + WRONG_WORDS)
    result = pytester.runpytest("--infra-design-path=designs", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=4)
    result.stdout.fnmatch_lines([
        "*test_over_budget_at_its_own_traffic FAILED*",
        "*the monthly cost is 6.91 EUR, not below 5 EUR*",
        "*Fn*AWS Lambda*GB-second*",
        "*per service:*",
        "*TOTAL 6.91 EUR a month*",
        "*assumptions:*",
    ])
    result.stdout.fnmatch_lines(["*no service 'Mainframe' in the breakdown; services: *AWS Lambda*"])
    result.stdout.fnmatch_lines(["*infra-parity: unknown design 'nowhere'*"])
    out = result.stdout.str()
    assert "Traceback" not in out
    # a scenario without a source: one sentence naming the missing Given step, no fixture-lookup noise
    result.stdout.fnmatch_lines(["*_ test_nothing_to_price _*",
                                 'nothing to price: this scenario has no Given step naming what to price; add '
                                 'Given the "<design>" design with its usage profile (priced offline) or Given '
                                 'the "<design>" design is deployed (priced as deployed) before this Then step'])
    assert "FixtureRequest" not in out and "During handling of the above exception" not in out


def test_the_infra_cost_fixture(pytester: pytest.Pytester, priced_design: Path) -> None:
    pytester.makepyfile(test_cost="""
        import pytest

        def test_design_usage(infra_cost):
            estimate = infra_cost("priced")
            assert round(estimate.total_usd, 4) == 7.1895
            assert estimate.currency == "EUR"  # the design's budget currency
            assert round(estimate.total(), 2) == 6.91

        def test_usage_override_and_rate(infra_cost):
            estimate = infra_cost("priced", usage={"requests_per_day": 0}, currency="EUR", rate=2.0)
            # no invocations: the key (1.00) and the logs (1.0592) = 2.0592 USD = 1.0296 EUR at 2 USD/EUR
            assert round(estimate.total(), 4) == 1.0296

        def test_free_tier(infra_cost):
            estimate = infra_cost("priced", free_tier=True, currency="USD")
            # 304,166.7 requests and GB-seconds are all within 1M requests / 400,000 GB-s; 5 GB of logs free
            assert round(estimate.total_usd, 4) == round(1.0 + 2 * 30 / (730 / 24) * 0.03, 4)

        def test_bad_usage(infra_cost):
            infra_cost("priced", usage={"requests_per_day": -3})
    """)
    result = pytester.runpytest("--infra-design-path=designs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*infra-parity: usage.requests_per_day must be a number >= 0, got -3*"])
