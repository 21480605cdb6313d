"""Every registered policy against its data fixture: the outcome of each resource is its name's prefix."""

from __future__ import annotations

import pytest

from pytest_infra_parity.policies import Policy, all_policies, evaluate

from ._data import PREFIXES, data_files, load

POLICIES = all_policies()


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.policy_id)
def test_outcomes_are_the_prefixes_of_the_resource_names(policy: Policy) -> None:
    data = load(policy.policy_id)
    report = evaluate(data.inventory, policies=[policy.policy_id], options=data.options)
    got = {outcome: {f.resource.name for f in report.findings if f.outcome == outcome}
           for outcome in ("pass", "fail", "unknown")}
    want = {outcome: data.names(f"{outcome}_") for outcome in ("pass", "fail", "unknown")}
    assert got == want
    assert len(report.findings) == len(data.inventory) - len(data.names("skip_")), "one finding per applicable resource"


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.policy_id)
def test_data_covers_pass_fail_and_unknown(policy: Policy) -> None:
    data = load(policy.policy_id)
    for prefix in ("pass_", "fail_", "unknown_"):
        assert data.names(prefix), f"{policy.policy_id}: the data fixture needs a {prefix}* resource"


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.policy_id)
def test_findings_name_the_resource_and_the_expectation(policy: Policy) -> None:
    data = load(policy.policy_id)
    report = evaluate(data.inventory, policies=[policy.policy_id], options=data.options)
    for found in report.findings:
        assert found.policy_id == policy.policy_id
        assert found.severity == policy.severity
        message = found.message()
        assert message.startswith(f"{found.resource.kind} {found.resource.name}: expected {found.expectation}")
        assert found.observed and found.expectation
        if found.resource.name in data.expected_text:
            assert data.expected_text[found.resource.name] in message
    missing = set(data.expected_text) - {f.resource.name for f in report.findings}
    assert not missing, f"'expect' on resources without a finding: {missing}"


def test_every_data_file_belongs_to_a_registered_policy() -> None:
    known = {p.policy_id for p in POLICIES}
    orphans = [path.name for path in data_files() if path.stem not in known]
    assert not orphans


def test_a_policy_without_data_is_reported() -> None:
    with pytest.raises(AssertionError, match="has no data fixture"):
        load("ACME_NONE_001")


def test_policies_catalogue_texts_are_filled() -> None:
    for policy in POLICIES:
        assert policy.passes and policy.fails and policy.unknown_when, policy.policy_id
        assert policy.kinds and policy.title


def test_prefixes_cover_every_outcome() -> None:
    assert PREFIXES == ("pass_", "fail_", "unknown_", "skip_")
