"""Steps for deploying designs and checking that the deployment is what the template declares.

This module is registered as a pytest plugin, so its steps are available to every feature file
and test module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd import given, parsers, then

from pytest_infra_parity.report.recorder import note_design, record
from pytest_infra_parity.session_plugin import RUNTIME_KEY

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack


def record_deployed(request: pytest.FixtureRequest, stack: Stack) -> Stack:
    """Keep the stack's ``deploy`` section as evidence of the scenario (for the run's report)."""
    from pytest_infra_parity.report.from_deploy import deploy_section

    record(request, deploy_section(stack, request.getfixturevalue("infra_target").name))
    return stack


@given(parsers.parse('the "{design}" design is deployed'), target_fixture="infra_stack")
def design_is_deployed(design: str, infra_deploy: Callable[..., Stack], request: pytest.FixtureRequest) -> Stack:
    """Deploy a built-in or discovered design (once per session) on the target."""
    note_design(request, design)
    return record_deployed(request, infra_deploy(design))


@given(parsers.parse('the "{design}" design is deployed with {assignments}'), target_fixture="infra_stack")
def design_is_deployed_with(design: str, assignments: str, infra_deploy: Callable[..., Stack],
                            request: pytest.FixtureRequest) -> Stack:
    """Deploy with parameters: ``with Stage=prod and Owner=platform`` (``and`` or commas separate them)."""
    note_design(request, design)
    return record_deployed(request, infra_deploy(design, **parse_assignments(assignments, "parameter")))


def parse_assignments(text: str, what: str) -> dict[str, Any]:
    """``Name=value and Name=value`` (or commas) -> a dict; a part without ``=`` fails the step."""
    values: dict[str, Any] = {}
    for part in text.replace(" and ", ",").split(","):
        key, sep, value = part.strip().partition("=")
        if not sep or not key.strip():
            pytest.fail(f"cannot read {what} {part.strip()!r}: write Name=value", pytrace=False)
        values[key.strip()] = value.strip().strip('"')
    return values


def format_problems(stack: Stack, problems: dict[str, list[str]]) -> str:
    """A readable table: one line per difference, grouped by resource."""
    lines = [f"stack {stack.name} ({stack.deployer} on {stack.region}): "
             f"{len(problems)} of {len(stack.template.resources)} resources differ from the template"]
    width = max((len(lid) for lid in problems), default=10)
    for logical_id in sorted(problems):
        resource_type = stack.template.resources[logical_id].resource_type if logical_id in \
            stack.template.resources else "?"
        for index, problem in enumerate(problems[logical_id]):
            head = f"{logical_id:<{width}}  {resource_type}" if index == 0 else " " * (width + 2 + len(resource_type))
            lines.append(f"  {head}  {problem}")
    return "\n".join(lines)


@then("every resource of the template exists")
def every_resource_exists(infra_stack: Stack, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> None:
    """Read every created resource back through boto3 and compare it with its declared properties."""
    runtime = pytestconfig.stash[RUNTIME_KEY]
    expected = set(infra_stack.template.resources) - set(infra_stack.skipped)
    problems: dict[str, list[str]] = {
        lid: ["was not created"] for lid in sorted(expected - set(infra_stack.resources))
    }
    problems.update(runtime.deployments.verify(infra_stack))
    from pytest_infra_parity.report.from_deploy import readback_section

    record(request, readback_section(infra_stack, problems))
    if problems:
        pytest.fail(format_problems(infra_stack, problems), pytrace=False)
