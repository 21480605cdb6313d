"""The registry: lookups by id and kind, validation of ids, third-party packs by entry point."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import EntryPoint

import pytest

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import Resource
from pytest_infra_parity.policies import (
    BasePolicy,
    Finding,
    PolicyContext,
    get_policy,
    policies_for,
    register_policy,
    registry,
)
from pytest_infra_parity.policies.checks import has_pitr

GROUP = "pytest_infra_parity.policies"


@dataclass
class Packs:
    entries: list[EntryPoint] = field(default_factory=list)
    lookups: int = 0

    def entry_points(self) -> list[EntryPoint]:
        self.lookups += 1
        return self.entries

    def append(self, entry: EntryPoint) -> None:
        self.entries.append(entry)


@pytest.fixture
def packs(monkeypatch: pytest.MonkeyPatch) -> Packs:
    """An empty registry (built-ins load again) whose entry points the test fills."""
    fake = Packs()
    monkeypatch.setattr(registry, "_STATE", registry._State())
    monkeypatch.setattr(registry, "_entry_points", fake.entry_points)
    return fake


def pack(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=GROUP)


def test_unknown_id_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown policy 'IPP_S3_999'; known policies: IPP_APIGW_001, .*IPP_TAG_001"):
        get_policy("IPP_S3_999")


def test_policies_for_a_kind_include_the_wildcard_ones() -> None:
    ids = [p.policy_id for p in policies_for("queue")]
    assert ids == ["IPP_SQS_001", "IPP_SQS_002", "IPP_SQS_003", "IPP_TAG_001"]
    assert [p.policy_id for p in policies_for("subnet")] == ["IPP_TAG_001"]


def test_a_pack_module_is_loaded_lazily_once(packs: Packs) -> None:
    packs.append(pack("acme", "tests.policies.packs.acme_ok"))
    assert get_policy("ACME_S3_001").title == "Buckets keep object versions"
    assert {"ACME_S3_001", "IPP_S3_001", "IPP_TAG_001"} <= {p.policy_id for p in policies_for("bucket")}
    get_policy("IPP_S3_001")
    assert packs.lookups == 1


def test_a_pack_may_name_a_list_of_classes(packs: Packs) -> None:
    packs.append(pack("acme-list", "tests.policies.packs.acme_ok:LISTED"))
    assert [p.policy_id for p in policies_for("topic")] == ["ACME_SNS_001", "IPP_SNS_001", "IPP_TAG_001"]


@pytest.mark.parametrize(("value", "message"), [
    ("tests.policies.packs.not_there", r"policy pack 'acme' \(tests.policies.packs.not_there, entry point group "
                                       r"pytest_infra_parity.policies\) cannot be loaded: ModuleNotFoundError"),
    ("tests.policies.packs.acme_empty", r"policy pack 'acme' .*defines no @register_policy class"),
    ("tests.policies.packs.acme_ok:NOT_A_POLICY", r"policy pack 'acme' .*names 42; expected a module"),
    ("tests.policies.packs.acme_bad_id", r"policy pack 'acme' .*'IPP_S3_900' uses the prefix IPP_ reserved"),
])
def test_a_broken_pack_is_a_clear_error_naming_it(packs: Packs, value: str, message: str) -> None:
    packs.append(pack("acme", value))
    with pytest.raises(ConfigError, match=message):
        get_policy("IPP_S3_001")


class _Pitr(BasePolicy):
    title = "tables have PITR"
    kinds = ("table",)

    def evaluate(self, resource: Resource, context: PolicyContext) -> Finding:
        return has_pitr(resource)


@pytest.mark.parametrize(("policy_id", "message"), [
    ("ACME-1", "is not of the form <PREFIX>_<SERVICE>_<NNN>"),
    ("ACME_DDB_01", "is not of the form"),
    ("IPP_DDB_777", "reserved for built-ins"),
])
def test_register_policy_checks_the_id(packs: Packs, policy_id: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        register_policy(type("Bad", (_Pitr,), {"policy_id": policy_id}))


def test_an_id_is_registered_once_and_retired_ids_stay_retired(packs: Packs,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    register_policy(type("First", (_Pitr,), {"policy_id": "ACME_DDB_001"}))
    with pytest.raises(ConfigError, match=r"ACME_DDB_001 is defined twice: by .*First and .*Second"):
        register_policy(type("Second", (_Pitr,), {"policy_id": "ACME_DDB_001"}))
    monkeypatch.setattr(registry, "RETIRED_IDS", frozenset({"ACME_DDB_002"}))
    with pytest.raises(ConfigError, match="was retired and is never reused"):
        register_policy(type("Third", (_Pitr,), {"policy_id": "ACME_DDB_002"}))


def test_something_that_is_not_a_policy_is_refused(packs: Packs) -> None:
    with pytest.raises(ConfigError, match="is not a policy"):
        register_policy(type("NotAPolicy", (), {"policy_id": "ACME_X_001"}))


def test_a_policy_without_title_or_kinds_is_refused(packs: Packs) -> None:
    with pytest.raises(ConfigError, match="needs a title and at least one kind"):
        register_policy(type("NoKinds", (_Pitr,), {"policy_id": "ACME_X_002", "kinds": ()}))
