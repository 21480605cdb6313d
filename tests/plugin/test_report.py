"""``--infra-report``: the evidence recorded in each test reaches the report, also across xdist workers.

The sections here are recorded by the test's own code through the public ``infra_evidence`` fixture, so
the test checks the report room's transport and outcome bookkeeping, independently of which steps record
what (tests/report/ covers the converters, the HTML and the browser).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

TESTS = """
import pytest
from pytest_infra_parity.report.model import Figure, Section

def section(name, value):
    return Section("demo", f"demo {name}", figures=(Figure(f"demo.{name}", value, "s", label=name),))

def test_passes(infra_evidence):
    infra_evidence(section("passing", 1.5))

def test_fails_after_recording(infra_evidence):
    infra_evidence(section("failing", 42.0))
    pytest.fail("the criterion was missed by 12 s", pytrace=False)

@pytest.mark.xfail(reason="the design as written misses it", strict=True)
def test_expected_failure(infra_evidence):
    infra_evidence(section("expected", 7))
    assert False

def test_skipped():
    pytest.skip("needs a capability this target lacks")

def test_without_evidence():
    pass
"""

FEATURE = """
Feature: Reported feature
  Scenario: A design named by its step
    Given the scenario names the design "photo"
    Then nothing fails
"""

CONFTEST = """
from pytest_bdd import given, then
from pytest_infra_parity.report.recorder import note_design

@given('the scenario names the design "photo"')
def names_design(request):
    note_design(request, "photo")

@then("nothing fails")
def nothing_fails():
    pass
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_demo=TESTS)
    pytester.makefile(".feature", reported=FEATURE)
    pytester.makeconftest(CONFTEST)
    return pytester


def _scenarios(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text())
    assert data["format"] == "pytest-infra-parity-report/1"
    return {s["nodeid"].split("::")[-1]: s for s in data["scenarios"]}


@pytest.mark.parametrize("workers", ["0", "2"])
def test_report_json_has_every_test_with_its_evidence_and_outcome(project: pytest.Pytester, workers: str) -> None:
    result = project.runpytest_subprocess("-n", workers, "--infra-report=out/run.json", "--junitxml=junit.xml")
    result.assert_outcomes(passed=3, failed=1, skipped=1, xfailed=1)
    scenarios = _scenarios(project.path / "out" / "run.json")
    assert {k: v["outcome"] for k, v in scenarios.items()} == {
        "test_passes": "passed", "test_fails_after_recording": "failed", "test_expected_failure": "xfailed",
        "test_skipped": "skipped", "test_a_design_named_by_its_step": "passed"}
    failed = scenarios["test_fails_after_recording"]
    assert failed["sections"][0]["figures"][0] == {"name": "demo.failing", "value": 42.0, "unit": "s",
                                                   "label": "failing", "tone": "neutral"}
    assert "the criterion was missed by 12 s" in str(failed["message"])
    assert scenarios["test_expected_failure"]["message"] == "the design as written misses it"
    assert scenarios["test_skipped"]["message"] == "needs a capability this target lacks"
    data = json.loads((project.path / "out" / "run.json").read_text())
    assert data["unlisted"] == {"passed": 1}  # test_without_evidence: counted, not listed
    assert data["counts"] == {"passed": 3, "failed": 1, "xfailed": 1, "skipped": 1}
    bdd = scenarios["test_a_design_named_by_its_step"]
    assert (bdd["title"], bdd["feature"], bdd["design"]) == ("A design named by its step", "Reported feature", "photo")
    assert [(s["keyword"], s["name"], s["status"]) for s in bdd["steps"]] == [
        ("Given", 'the scenario names the design "photo"', "passed"), ("Then", "nothing fails", "passed")]
    assert bdd["feature_file"] == "reported.feature:2"
    assert all(s["target"] == "moto" for s in scenarios.values())

    result.stdout.fnmatch_lines(["*- infra-parity evidence -*", "FAIL *test_fails_after_recording*failing=42s*",
                                 "XFAIL*test_expected_failure*expected=7s*", "PASS *test_passes*passing=1.5s*",
                                 f"infra-parity: report written to {project.path / 'out' / 'run.json'}"])
    properties = {(case.get("name"), p.get("name"), p.get("value"))
                  for case in ET.parse(project.path / "junit.xml").iter("testcase")
                  for p in case.iter("property")}
    assert ("test_fails_after_recording", "infra.demo.failing", "42.0") in properties
    assert ("test_passes", "infra.demo.passing", "1.5") in properties


def test_no_evidence_no_summary_table(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-n", "0")
    result.assert_outcomes(passed=1)
    assert "infra-parity evidence" not in result.stdout.str()


@pytest.mark.parametrize(("value", "message"), [
    ("report.txt", "--infra-report: 'report.txt' must end in .html or .json"),
    ("folder.html", "--infra-report: 'folder.html' is a folder"),
])
def test_a_wrong_report_path_is_refused_before_anything_runs(pytester: pytest.Pytester, value: str,
                                                             message: str) -> None:
    (pytester.path / "folder.html").mkdir()
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-n", "0", f"--infra-report={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])
    assert "Traceback" not in result.stderr.str()


def test_an_unwritable_report_folder_is_refused(pytester: pytest.Pytester) -> None:
    locked = pytester.path / "locked"
    locked.mkdir()
    (locked / "file").write_text("")
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-n", "0", f"--infra-report={locked / 'file' / 'run.json'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--infra-report: cannot write*is not a writable folder*"])


FAILURES = """
import pytest

def descend(depth, data):
    if depth == 0:
        assert data == {"kind": "bucket"}, "the bucket is not encrypted"
    descend(depth - 1, data)

def test_deep_assertion():
    descend(80, {"kind": "table"})

def test_readable_failure():
    pytest.fail("the canary was not rolled back\\n\\n" + "\\n".join(f"00:{i:02d} error rate 6 %" for i in range(30)),
                pytrace=False)
"""

OUTLINE = """
Feature: Outlined
  Scenario Outline: Data at rest is encrypted with the customer managed key
    Given a <kind> of <size> GB
    Then nothing fails

    Examples:
      | kind   | size |
      | bucket | 1    |
      | table  | 2    |

  Scenario Outline: A <kind> is tagged
    Given a <kind> of <size> GB
    Then nothing fails

    Examples:
      | kind  | size |
      | queue | 3    |
"""

OUTLINE_STEPS = """
from pytest_bdd import given, parsers, then

@given(parsers.parse("a {kind} of {size} GB"))
def a_resource(kind, size):
    pass

@then("nothing fails")
def nothing_fails():
    pass
"""


@pytest.mark.parametrize("workers", ["0", "2"])
def test_failures_keep_their_headline_and_outlines_their_examples(pytester: pytest.Pytester, workers: str) -> None:
    pytester.makepyfile(test_failures=FAILURES)
    pytester.makefile(".feature", outlined=OUTLINE)
    pytester.makeconftest(OUTLINE_STEPS)
    result = pytester.runpytest_subprocess("-n", workers, "--infra-report=run.json")
    result.assert_outcomes(passed=3, failed=2)
    scenarios = _scenarios(pytester.path / "run.json")
    deep = str(scenarios["test_deep_assertion"]["message"])
    headline, traceback = deep.split("\n\n", 1)
    assert headline.splitlines()[0] == "AssertionError: the bucket is not encrypted"
    assert headline.splitlines()[-1] == "at test_failures.py:5"
    assert "assert {'kind': 'table'} == {'kind': 'bucket'}" in headline
    assert traceback.startswith("[...]\n") and len(traceback) <= 4000 + len("[...]\n")  # the end is kept
    assert re.search(r"^E +AssertionError: the bucket is not encrypted$", traceback, re.MULTILINE)
    assert traceback.endswith("test_failures.py:5: AssertionError") and "[gw" not in deep
    readable = str(scenarios["test_readable_failure"]["message"])
    assert readable.startswith("the canary was not rolled back\n\n00:00 error rate 6 %")
    assert readable.endswith("00:29 error rate 6 %")  # whole: no headline, no traceback, no worker line
    titles = sorted(str(s["title"]) for s in scenarios.values() if s["feature"] == "Outlined")
    assert titles == ["A queue is tagged (size: 3)",  # <kind> is in the title already
                      "Data at rest is encrypted with the customer managed key (kind: bucket, size: 1)",
                      "Data at rest is encrypted with the customer managed key (kind: table, size: 2)"]
