"""The selection, policy and parity steps, driven by real feature files (pytester)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pytest_infra_parity.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

CHECKS = """\
Feature: Small design
  Scenario: Tags
    Given the "small" design is deployed
    Then every resource is tagged with "Project, Env"

  Scenario: DLQs
    Given the "small" design is deployed
    Then every queue has a dead-letter queue

  Scenario: An unknown kind
    Given the "small" design is deployed
    Then every widget is encrypted with a customer managed KMS key

  Scenario: A state file given as a Pulumi state
    Given the template of the "small" design
    When it is compared with the Pulumi state "state.tfstate"
    Then they are at parity on types

  Scenario: The template against itself
    Given the template of the "small" design
    When it is compared with the "small" design
    Then they are at parity on types, tags, encryption and observability
"""


def test_steps_fail_with_one_clear_line(pytester: pytest.Pytester, small_design: Path) -> None:
    shutil.copy(FIXTURES / "photoeditor" / "terraform.tfstate", pytester.path / "state.tfstate")
    pytester.makefile(".feature", small=CHECKS)
    result = pytester.runpytest("--infra-design-path=designs", "-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=1, failed=4)
    out = result.stdout.str()
    # The small design's key has no Env tag and its queue no DLQ: each failure names the resource.
    result.stdout.fnmatch_lines([
        "*1 of 2 fail: every taggable resource is tagged with Project, Env*",
        "*FAIL    key Key (AWS::KMS::Key): expected tags Project, Env; found no Env*",
        "*1 of 1 fail: every queue (that is not itself a dead-letter queue) has a dead-letter queue*",
        "*FAIL    queue Queue (AWS::SQS::Queue)*expected a dead-letter queue (RedrivePolicy)*",
        "*unknown resource kind 'widget'*",
        "*state.tfstate: expected a Pulumi*",
    ])
    assert "During handling of the above exception" not in out
    assert "Traceback" not in out


def test_check_json_is_a_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "photoeditor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert isinstance(report, dict) and report["findings"]
    assert {f["outcome"] for f in report["findings"]} <= {"pass", "unknown"}


def test_parity_cli_exit_codes_and_an_undeclared_variable(capsys: pytest.CaptureFixture[str]) -> None:
    design = Path(__file__).resolve().parents[2] / "src" / "pytest_infra_parity" / "designs" / "photoeditor"
    assert main(["parity", "photoeditor", str(design / "terraform")]) == 0
    assert "no differences" in capsys.readouterr().out
    assert main(["parity", "photoeditor", str(design / "terraform"), "--var", "cost_center="]) == 1
    assert "CostCenter" in capsys.readouterr().out
    assert main(["parity", "photoeditor", str(design / "terraform"), "--var", "no_such_var=1"]) == 2
    assert "undeclared variable(s) no_such_var" in capsys.readouterr().err
