"""docs/policies.md is generated from the registry and must be current."""

from __future__ import annotations

from pathlib import Path

from pytest_infra_parity.policies import all_policies
from pytest_infra_parity.policies.catalogue import main, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "policies.md"


def test_docs_policies_md_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/policies.md is stale: run `python -m pytest_infra_parity.policies.catalogue docs/policies.md`")


def test_catalogue_has_a_section_per_policy() -> None:
    text = render()
    for policy in all_policies():
        assert f"## {policy.policy_id}\n" in text
        assert f"- Passes: {policy.passes}" in text and f"- Unknown: {policy.unknown_when}" in text


def test_main_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "policies.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render()
    assert main([]) == 2
