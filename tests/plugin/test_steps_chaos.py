"""The chaos steps, as written in a feature file: build races and state locks.

The kill steps run in features/dashborion-builds.feature (a deployment of the dashborion design killed
mid-way on moto); tests/chaos/test_kill.py covers the API underneath.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

RACY_SCRIPT = Path(__file__).resolve().parents[1] / "chaos" / "racy_build.py"
RACY = f"{sys.executable} {RACY_SCRIPT} {{function}} {{src}} {{out}}"
PACKAGE = f"{sys.executable} -m pytest_infra_parity.cli package {{src}} -o {{out}}"

FEATURE = f"""\
Feature: Chaos steps
  Scenario: The reference packager is safe in parallel
    Given the Lambda functions in "functions"
    When the functions are built 2 times with 3 builds in parallel using "{PACKAGE}"
    Then every build succeeds
    And every build of a function produces identical bytes
    And no lock or temporary file is left behind

  Scenario: A racy builder is caught
    Given the Lambda functions in "functions"
    When the functions are built 2 times with 4 builds in parallel using "{RACY}"
    Then every build of a function produces identical bytes

  Scenario: Functions inside a design folder
    Given the Lambda functions in "tiny:functions"
    When the functions are built 1 times with 2 builds in parallel using "sh build.sh {{src}} {{out}}"
    Then every build succeeds

  Scenario: Locks written like Terraform and SST
    Given a Terraform state lock on "st/app.tfstate" in the table "locks" taken 2 hours ago by "ci@runner"
    And an SST lock for the app "app" stage "dev" taken 1 hour ago
    Then the state locks held longer than 30 minutes are reported with who and when
    And no state lock is left behind
"""

TEMPLATE = """\
Resources:
  Queue:
    Type: AWS::SQS::Queue
"""


def test_chaos_steps_in_a_feature(pytester: pytest.Pytester) -> None:
    for name in ("api", "worker"):
        folder = pytester.mkdir("functions") / name if name == "api" else pytester.path / "functions" / name
        folder.mkdir(parents=True, exist_ok=True)
        folder.joinpath("app.py").write_text(f"def handler(event, context):\n    return {name!r}\n")
    design = pytester.mkdir("designs") / "tiny"
    (design / "functions" / "one").mkdir(parents=True)
    (design / "functions" / "one" / "app.py").write_text("X = 1\n")
    (design / "build.sh").write_text('cp "$1/app.py" "$2"\n')
    (design / "template.yaml").write_text(TEMPLATE)
    (design / "design.yaml").write_text("name: tiny\n")
    pytester.makefile(".feature", chaos=FEATURE)
    result = pytester.runpytest_subprocess("--infra-design-path=designs", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*test_a_racy_builder_is_caught FAILED*",
        "*check failed: every build of a function produces identical bytes*",
        "*first failing schedule: round * of 2: *",
        "*replay: cd * infra-parity build-race *functions*--schedule*",
    ])
    assert "contains another function's files" in out or "differs from the reference" in out
    # the last scenario: the lock steps find both locks, so "no state lock is left behind" fails and names them
    result.stdout.fnmatch_lines(["*2 state lock(s) left behind*", "*dynamodb://locks/st/app.tfstate*ci@runner*",
                                 "*lock/app/dev.json (sst)*"])
    assert "test_functions_inside_a_design_folder PASSED" in out


CHECKED = f"""\
Feature: Chaos steps that must fail
  Scenario: A builder that leaves its lock when killed
    Given the Lambda functions in "functions"
    When the functions are built 1 times with 1 builds in parallel using "{RACY} --lock"
    Then no lock or temporary file is left behind

  Scenario: Zero rounds
    Given the Lambda functions in "functions"
    When the functions are built 0 times with 2 builds in parallel using "{PACKAGE}"
    Then every build succeeds

  Scenario: An unknown placeholder
    Given the Lambda functions in "functions"
    When the functions are built 2 times with 2 builds in parallel using "touch ran-{{function}}; cp {{src}} {{foo}}"
    Then every build succeeds
"""


def test_chaos_steps_catch_a_left_lock_and_refuse_nonsense(pytester: pytest.Pytester) -> None:
    """The kill checks of the build step catch a lock left by a killed build (planned kill points, not one
    random moment); rounds and placeholders are checked before any build runs."""
    api = pytester.mkdir("functions") / "api"
    api.mkdir()
    api.joinpath("app.py").write_text("def handler(event, context):\n    return 'api'\n")
    pytester.makefile(".feature", checked=CHECKED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(failed=3)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*check failed: no lock or temporary file is left behind*",
        "*when *.build.lock* appeared*: lock file .build.lock*",
    ])
    assert "the functions are built 0 times: build at least once (1 or more times)" in out
    assert "unknown placeholder {foo} in the build command" in out
    assert not list(pytester.path.glob("ran-*")), "a build ran before the command was checked"
    assert "Traceback" not in out
