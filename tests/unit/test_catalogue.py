"""The generated docs are current: regenerate with ``python -m pytest_infra_parity.catalogue docs``."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.catalogue import CATALOGUES, _moto_notes

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_generated_doc_is_current(name: str) -> None:
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == CATALOGUES[name](), (
        f"docs/{name} is stale: run `python -m pytest_infra_parity.catalogue docs`")


def test_applier_catalogue_lists_every_type_and_moto_notes() -> None:
    text = CATALOGUES["applier.md"]()
    assert "| `AWS::DynamoDB::Table` |" in text
    assert "PointInTimeRecoverySpecification" in text
    assert "## moto gaps worked around" in text


def test_moto_notes_join_continuation_lines() -> None:
    source = "x = 1\n# moto: drops the alarm\n# configuration of groups.\ny = 2\n    # moto: another\n"
    assert _moto_notes(source) == ["drops the alarm configuration of groups.", "another"]


def test_readable_turns_step_regexes_into_sentences() -> None:
    from pytest_infra_parity.bdd.catalogue import readable

    assert readable(r"a steady traffic of (?P<rate>\d+(?:\.\d+)?) requests? per second") == \
        "a steady traffic of {rate} request(s) per second"
    assert readable(r'the flag "(?P<flag>[^"]+)" is (?:on|off)(?: now)?$') == 'the flag "{flag}" is on/off[ now]'


def test_step_catalogue_lists_every_registered_step_with_an_example() -> None:
    from pytest_infra_parity.bdd.catalogue import module_steps
    from pytest_infra_parity.plugin import STEP_MODULES

    text = CATALOGUES["steps.md"]()
    steps = [step for module in STEP_MODULES for step, _ in module_steps(module)[1]]
    assert len(steps) > 50
    for step in steps:
        assert f"| `{step.keyword} {step.sentence.replace('|', chr(92) + '|')}` |" in text
    assert "`the monthly cost of \"Fargate\" is below 5 EUR` (cityguided-cost.feature:" in text
