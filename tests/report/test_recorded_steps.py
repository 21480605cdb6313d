"""The steps record their evidence on the scenario, also when its check fails (pytester, a real design on moto)."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from typing import Any

import pytest

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      Tags:
        - {Key: Project, Value: small}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: !Ref Key
      Tags:
        - {Key: Project, Value: small}
        - {Key: Env, Value: dev}
"""

FEATURE = """\
Feature: Recorded evidence
  Scenario: Deployed
    Given the "small" design is deployed
    Then every resource of the template exists

  Scenario: Mandatory tags
    Given the "small" design is deployed
    Then every resource is tagged with "Project, Owner"

  Scenario: Live against the template
    Given the "small" design is deployed
    When it is compared with the "small" design
    Then they are at parity on types and tags
    And the live resources match the template
"""

CONFTEST = """\
import json

import pytest

from pytest_infra_parity.report.recorder import recorded


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call":
        sections, designs = recorded(item)
        line = {"name": item.name, "outcome": report.outcome, "designs": designs,
                "sections": [section.as_json() for section in sections]}
        with open(item.config.rootpath / "recorded.jsonl", "a") as out:
            out.write(json.dumps(line) + "\\n")
    return report
"""


TEST_FIXTURES = """\
def test_fixtures(infra_inventory, infra_policies, infra_parity, infra_cost):
    declared = infra_inventory("small")
    assert not infra_policies(declared, policies=["IPP_TAG_001"]).ok
    assert infra_parity(declared, "small", aspects=("types",)).ok
    assert infra_cost("small").total_usd >= 0
"""


def _figures(section: dict[str, Any]) -> dict[str, Any]:
    return {figure["name"]: figure["value"] for figure in section["figures"]}


@pytest.fixture
def run(pytester: pytest.Pytester) -> tuple[pytest.RunResult, dict[str, dict[str, Any]], ET.Element]:
    folder = pytester.mkdir("designs") / "small"
    folder.mkdir()
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "design.yaml").write_text(textwrap.dedent("""\
        name: small
        title: A small design whose resources lack the Owner tag
    """))
    pytester.makefile(".feature", recorded=FEATURE)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_fixtures=TEST_FIXTURES)
    result = pytester.runpytest_subprocess("--infra-design-path=designs", "-p", "no:cacheprovider",
                                           "--junitxml=junit.xml")
    lines = (pytester.path / "recorded.jsonl").read_text().splitlines()
    found = {entry["name"]: entry for entry in map(json.loads, lines)}
    return result, found, ET.parse(pytester.path / "junit.xml").getroot()


def test_steps_record_sections_and_junit_figures_even_when_the_check_fails(
        run: tuple[pytest.RunResult, dict[str, dict[str, Any]], ET.Element]) -> None:
    result, found, junit = run
    result.assert_outcomes(passed=3, failed=1)
    deployed = found["test_deployed"]
    assert deployed["designs"] == ["small"]
    assert [s["kind"] for s in deployed["sections"]] == ["deploy", "parity"]
    assert _figures(deployed["sections"][0]) == {"deploy.resources": 2}
    assert _figures(deployed["sections"][1])["parity.differences"] == 0

    tags = found["test_mandatory_tags"]
    assert tags["outcome"] == "failed"
    assert [s["kind"] for s in tags["sections"]] == ["deploy", "policies"]
    policies = tags["sections"][1]
    assert policies["verdict"] == "bad"
    assert _figures(policies) == {"policies.checked": 2, "policies.violations": 2, "policies.unknown": 0}
    violations = policies["tables"][0]
    assert violations["title"] == "Violations" and violations["group_by"] == 0
    assert sorted(row[0]["text"].split(" (")[0] for row in violations["rows"]) == ["key Key", "queue Queue"]
    assert all("no Owner" in row[4]["text"] and row[4]["tone"] == "bad" for row in violations["rows"])

    parity = found["test_live_against_the_template"]
    assert parity["outcome"] == "passed"
    kinds = [(s["kind"], s["title"].split(" ")[0]) for s in parity["sections"]]
    assert kinds == [("deploy", "Deployed"), ("parity", "Parity"), ("parity", "Drift")]
    for section in parity["sections"][1:]:
        assert _figures(section)["parity.pairs"] == 2 and _figures(section)["parity.differences"] == 0
        assert section["verdict"] == "good"
        assert [row[-1]["text"] for row in section["tables"][-1]["rows"]] == ["equal", "equal"]

    # the session-scoped fixtures record on the test that calls them
    fixtures = found["test_fixtures"]["sections"]
    assert [s["kind"] for s in fixtures] == ["policies", "parity", "cost"]
    assert _figures(fixtures[0])["policies.violations"] == 2 and _figures(fixtures[1])["parity.pairs"] == 2
    assert "cost.monthly_usd" in _figures(fixtures[2])

    # JUnit XML carries the figures, also those of the failing scenario
    properties = {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
                  for case in junit.iter("testcase")}
    assert properties["test_mandatory_tags"]["infra.policies.violations"] == "2"
    assert properties["test_mandatory_tags"]["infra.deploy.resources"] == "2"
    assert properties["test_deployed"]["infra.parity.differences"] == "0"


LOCKS_FEATURE = """\
Feature: Lock evidence
  Scenario: Stale locks found, released, none left
    Given a Terraform state lock on "st/app.tfstate" in the table "locks" taken 2 hours ago by "ci@runner"
    And an SST lock for the app "app" stage "dev" taken 1 hour ago
    Then the state locks held longer than 30 minutes are reported with who and when
    When the state locks held longer than 30 minutes are released
    Then no state lock is left behind
"""


def test_the_lock_steps_record_one_locks_section_that_grows(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", locks=LOCKS_FEATURE)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--junitxml=junit.xml")
    result.assert_outcomes(passed=1)
    entry = json.loads((pytester.path / "recorded.jsonl").read_text().splitlines()[0])
    sections = entry["sections"]
    assert [s["kind"] for s in sections] == ["locks"]
    locks = sections[0]
    assert _figures(locks) == {"locks.stale": 2, "locks.released": 2, "locks.left": 0}
    assert locks["verdict"] == "good" and locks["title"] == "State locks held longer than 30 min"
    [found] = locks["tables"]
    assert [row[-1]["text"] for row in found["rows"]] == ["yes", "yes"]
    case = next(ET.parse(pytester.path / "junit.xml").getroot().iter("testcase"))
    names = [str(p.get("name")) for p in case.iter("property")]
    assert sorted(names) == ["infra.locks.left", "infra.locks.released", "infra.locks.stale"]  # each once
