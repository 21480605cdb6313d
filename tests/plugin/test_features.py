"""Feature files are collected directly, and the step library is available everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

FEATURE = """\
Feature: Small design
  Scenario: Every resource of the template exists
    Given the "small" design is deployed
    Then every resource of the template exists
"""


def test_feature_files_run_without_python_glue(pytester: pytest.Pytester, small_design: Path) -> None:
    pytester.makefile(".feature", small=FEATURE)
    result = pytester.runpytest("--infra-design-path=designs", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*small.feature::test_every_resource_of_the_template_exists PASSED*"])


def test_a_resource_changed_behind_the_plugin_fails_the_check(pytester: pytest.Pytester,
                                                               small_design: Path) -> None:
    pytester.makefile(".feature", small=FEATURE.replace(
        "    Then every", "    When someone removes the tag \"Env\" from the queue\n    Then every"))
    pytester.makeconftest(
        """
        from pytest_bdd import when, parsers

        @when(parsers.parse('someone removes the tag "{key}" from the queue'))
        def remove_tag(key, infra_stack, infra_client):
            infra_client("sqs").untag_queue(QueueUrl=infra_stack.physical_id("Queue"), TagKeys=[key])
        """
    )
    result = pytester.runpytest("--infra-design-path=designs")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 of 2 resources differ from the template*", "*Queue*AWS::SQS::Queue*Env*"])


def test_malformed_feature_is_a_collection_error_naming_the_line(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", broken="Feature: Broken\n  Scenario: x\n    Given a step\n  Whatever: this\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*broken.feature:4: malformed feature*"])
    assert "Traceback" not in result.stdout.str()


def test_feature_without_scenario_is_reported(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", empty="Feature: Nothing here\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*empty.feature: the feature has no scenario*"])


def test_scenarios_in_a_test_module_keep_working(pytester: pytest.Pytester, small_design: Path) -> None:
    pytester.mkdir("specs").joinpath("small.feature").write_text(FEATURE)
    pytester.makepyfile(test_specs="from pytest_bdd import scenarios\nscenarios('specs/small.feature')\n")
    pytester.makeini("[pytest]\ninfra_collect_features = false\n")
    result = pytester.runpytest("--infra-design-path=designs", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_specs.py::test_every_resource_of_the_template_exists PASSED*"])


def test_unknown_step_names_the_step(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", odd="Feature: Odd\n  Scenario: x\n    Given the moon is full\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Step definition is not found: Given \"the moon is full\"*"])


def test_design_deployed_with_parameters(pytester: pytest.Pytester, small_design: Path) -> None:
    pytester.makefile(".feature", params="""\
Feature: Parameters
  Scenario: Prod stage
    Given the "small" design is deployed with Stage=prod
    Then the queue is tagged Env "prod"
    And every resource of the template exists

  Scenario: A parameter outside its allowed values
    Given the "small" design is deployed with Stage=qa
""")
    pytester.makeconftest(
        """
        from pytest_bdd import then, parsers

        @then(parsers.parse('the queue is tagged Env "{value}"'))
        def queue_tag(value, infra_stack, infra_client):
            tags = infra_client("sqs").list_queue_tags(QueueUrl=infra_stack.physical_id("Queue"))["Tags"]
            assert tags["Env"] == value
        """
    )
    result = pytester.runpytest("--infra-design-path=designs")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Stage*qa*dev, prod*"])


def test_malformed_parameter_assignment(pytester: pytest.Pytester, small_design: Path) -> None:
    pytester.makefile(".feature", params='Feature: P\n  Scenario: x\n    Given the "small" design is deployed'
                      ' with Stage prod\n')
    result = pytester.runpytest("--infra-design-path=designs")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot read parameter 'Stage prod': write Name=value*"])


def test_duplicate_scenario_names_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", dup="Feature: D\n  Scenario: Same\n    Given a\n\n  Scenario: Same\n    Given b\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*dup.feature:5: duplicate scenario name 'Same'*"])
