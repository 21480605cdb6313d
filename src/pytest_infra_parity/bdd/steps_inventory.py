"""Steps that select resources and check compliance policies on them.

The *subject* of a scenario is the inventory its ``Then`` steps check: the live resources of the
deployed design by default (after ``Given the "<design>" design is deployed``), or what a ``Given``
step of this module selected (a stack by name, resources by tag, a design's declared template).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd import given, parsers, then

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.model import Inventory, Resource
    from pytest_infra_parity.policies.base import Finding
    from pytest_infra_parity.policies.results import PolicyReport


DESIGN_KEY = pytest.StashKey[str]()
"""The design a scenario is about, when a step named one (paths in later steps may be relative to it)."""


def scenario_design_folder(request: pytest.FixtureRequest) -> Path | None:
    """The folder of the scenario's design: the one a ``Given`` step named, else the deployed one."""
    from pytest_infra_parity.designs import resolve_design
    from pytest_infra_parity.errors import InfraParityError
    from pytest_infra_parity.session_plugin import RUNTIME_KEY

    name = request.node.stash.get(DESIGN_KEY, None)
    if name is None:
        try:
            name = request.getfixturevalue("infra_stack").design
        except pytest.FixtureLookupError:
            return None
    if not name:
        return None
    runtime = request.config.stash[RUNTIME_KEY]
    try:
        return resolve_design(name, runtime.settings.design_paths, base=Path(request.config.rootpath)).folder
    except InfraParityError:
        return None


@pytest.fixture
def infra_subject(request: pytest.FixtureRequest) -> Inventory:
    """The inventory a scenario checks: by default the live resources of the deployed design."""
    try:
        stack = request.getfixturevalue("infra_stack")
    except pytest.FixtureLookupError:
        stack = None
    if stack is None:
        pytest.fail('no resources selected: start the scenario with "Given the \\"<design>\\" design is deployed", '
                    '"Given the deployed stack \\"<name>\\"" or "Given the resources tagged \\"<Key>=<Value>\\""',
                    pytrace=False)
    inventory: Inventory = request.getfixturevalue("infra_inventory")(stack)
    return inventory


@given(parsers.parse('the deployed stack "{name}"'), target_fixture="infra_subject")
def the_deployed_stack(name: str, infra_inventory: Callable[[Any], Inventory], pytestconfig: pytest.Config,
                       request: pytest.FixtureRequest) -> Inventory:
    """The live resources of a stack: one deployed in this session (by stack or design name), else a
    CloudFormation stack of that name on the target."""
    from pytest_infra_parity.report.recorder import note_design
    from pytest_infra_parity.session_plugin import RUNTIME_KEY

    runtime = pytestconfig.stash[RUNTIME_KEY]
    for stack in runtime.deployments.stacks:
        if name in (stack.name, stack.design):
            note_design(request, stack.design or stack.name)
            return infra_inventory(stack)
    return infra_inventory(f"stack:{name}")


@given(parsers.parse('the resources tagged "{tags}"'), target_fixture="infra_subject")
def the_resources_tagged(tags: str, infra_inventory: Callable[[Any], Inventory]) -> Inventory:
    """Live resources carrying every tag of ``Key=Value[,Key=Value]`` (``and`` also separates)."""
    pairs = [p.strip() for p in tags.replace(" and ", ",").split(",") if p.strip()]
    if not pairs or any("=" not in p for p in pairs):
        pytest.fail(f'cannot read the tags {tags!r}: write "Key=Value" or "Key=Value,Key=Value"', pytrace=False)
    return infra_inventory("tags:" + ",".join(pairs))


@given(parsers.parse('the template of the "{design}" design'), target_fixture="infra_subject")
def the_template_of(design: str, infra_inventory: Callable[[Any], Inventory],
                    request: pytest.FixtureRequest) -> Inventory:
    """The resources the design declares (its template, intrinsic functions resolved offline)."""
    from pytest_infra_parity.report.recorder import note_design

    request.node.stash[DESIGN_KEY] = design
    note_design(request, design)
    return infra_inventory(design)


# ---- checks -------------------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    return [t.strip().strip('"') for t in text.replace(" and ", ",").split(",") if t.strip().strip('"')]


def _every(subject: Inventory, word: str, check: Callable[[Resource], Finding],
           where: Callable[[Resource], bool] | None = None) -> list[Finding]:
    """Findings of ``check`` on every resource of the kind a reviewer names ("log groups", "dead-letter
    queue"); an unknown kind word fails the step with the known kinds."""
    from pytest_infra_parity.errors import InfraParityError
    from pytest_infra_parity.policies.checks import every

    try:
        return every(subject, word, check, where=where)
    except (ValueError, InfraParityError) as exc:
        message = exc.describe() if isinstance(exc, InfraParityError) else str(exc)
    pytest.fail(message, pytrace=False)


def _assert_all(subject: Inventory, what: str, findings: list[Finding], request: pytest.FixtureRequest,
                check: str) -> None:
    """Record the findings (the scenario's ``policies`` section), then fail with one line per failed or
    undecidable resource; an empty selection fails too. ``check`` names the bare check (``has_dlq``)."""
    from pytest_infra_parity.report.from_policies import policies_section
    from pytest_infra_parity.report.recorder import record

    record(request, policies_section(findings, title=f"every {what}", source=subject.source, check=check))
    if not findings:
        pytest.fail(f"{subject.source}: nothing to check (every {what}): the selection has no such resource",
                    pytrace=False)
    bad = [f for f in findings if f.outcome != "pass"]
    if not bad:
        return
    lines = [f"{subject.source}: {len(bad)} of {len(findings)} fail: every {what}"]
    for found in sorted(bad, key=lambda f: (f.outcome, f.resource.name)):
        lines.append(f"  {found.outcome.upper():<7} {found.resource.describe()}: expected {found.expectation}; "
                     f"found {found.observed}")
    pytest.fail("\n".join(lines), pytrace=False)


@then(parsers.parse('every resource is tagged with "{keys}"'))
def every_resource_is_tagged(keys: str, infra_subject: Inventory, request: pytest.FixtureRequest) -> None:
    """Every taggable resource carries each tag key (comma-separated; values are not checked)."""
    from pytest_infra_parity.policies.checks import has_tags, is_taggable, tag_keys

    wanted = tag_keys(keys.replace(" and ", ","))
    findings = _every(infra_subject, "resource", lambda r: has_tags(r, wanted), where=is_taggable)
    _assert_all(infra_subject, f"taggable resource is tagged with {', '.join(wanted)}", findings, request, "has_tags")


@then(parsers.parse("every {kind} is encrypted with a customer managed KMS key"))
def every_kind_is_cmk_encrypted(kind: str, infra_subject: Inventory, request: pytest.FixtureRequest) -> None:
    """Encryption at rest with a customer managed KMS key (SSE-S3, SQS-managed or AWS managed keys fail)."""
    from pytest_infra_parity.policies.checks import encrypted_with_cmk

    _assert_all(infra_subject, f"{kind} is encrypted with a customer managed KMS key",
                _every(infra_subject, kind, encrypted_with_cmk), request, "encrypted_with_cmk")


@then("every queue has a dead-letter queue")
def every_queue_has_a_dlq(infra_subject: Inventory, request: pytest.FixtureRequest) -> None:
    """Every queue that is not itself a dead-letter queue redrives to one (RedrivePolicy)."""
    from pytest_infra_parity.policies.checks import has_dlq, is_not_a_dlq

    _assert_all(infra_subject, "queue (that is not itself a dead-letter queue) has a dead-letter queue",
                _every(infra_subject, "queue", has_dlq, where=is_not_a_dlq), request, "has_dlq")


@then("every table has point-in-time recovery enabled")
def every_table_has_pitr(infra_subject: Inventory, request: pytest.FixtureRequest) -> None:
    """Every DynamoDB table has point-in-time recovery (continuous backups) enabled."""
    from pytest_infra_parity.policies.checks import has_pitr

    _assert_all(infra_subject, "table has point-in-time recovery enabled", _every(infra_subject, "table", has_pitr),
                request, "has_pitr")


@then(parsers.parse('every {kind} has an alarm on "{metric}"'))
def every_kind_has_an_alarm_on(kind: str, metric: str, infra_subject: Inventory,
                               request: pytest.FixtureRequest) -> None:
    """A CloudWatch alarm watches that metric of each resource of the kind (``dead-letter queue`` works)."""
    from pytest_infra_parity.policies.checks import has_alarm_on

    _assert_all(infra_subject, f'{kind} has an alarm on "{metric}"',
                _every(infra_subject, kind, lambda r: has_alarm_on(r, metric)), request, "has_alarm_on")


@then("every compliance policy passes")
def every_policy_passes(infra_subject: Inventory, request: pytest.FixtureRequest) -> None:
    """Every registered policy (see docs/policies.md) on every resource it applies to."""
    from pytest_infra_parity.policies import evaluate

    report = evaluate(infra_subject)
    _record_report(request, report, "Every compliance policy")
    if report.failures or report.unknowns:
        pytest.fail(report.format_table(), pytrace=False)


@then(parsers.parse('the compliance policies "{ids}" pass'))
def named_policies_pass(ids: str, infra_subject: Inventory, request: pytest.FixtureRequest) -> None:
    """The listed policies (comma-separated ids, see docs/policies.md) pass on every resource."""
    from pytest_infra_parity.policies import evaluate

    report = evaluate(infra_subject, policies=_names(ids))
    _record_report(request, report, f"The compliance policies {', '.join(_names(ids))}")
    if report.failures or report.unknowns:
        pytest.fail(report.format_table(), pytrace=False)


def _record_report(request: pytest.FixtureRequest, report: PolicyReport, title: str) -> None:
    """Keep an evaluation's ``policies`` section as evidence of the scenario, before its check."""
    from pytest_infra_parity.report.from_policies import policy_report_section
    from pytest_infra_parity.report.recorder import record

    record(request, policy_report_section(report, title=title))
