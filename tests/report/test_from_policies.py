"""Policy evidence: real policy evaluations and step checks on small inventories turned into report sections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_infra_parity.inventory.model import UNKNOWN, Inventory, Resource, kind_of
from pytest_infra_parity.policies import evaluate
from pytest_infra_parity.policies.checks import every, has_dlq, has_pitr, is_not_a_dlq
from pytest_infra_parity.report.from_policies import VIOLATION_COLUMNS, policies_section, policy_report_section
from pytest_infra_parity.report.model import Section, Table

TAGS = {"Project": "app", "Env": "dev", "Owner": "ops", "CostCenter": "42"}


def res(name: str, cfn_type: str, *, tags: dict[str, Any] | None = None, **settings: Any) -> Resource:
    return Resource(kind=kind_of(cfn_type), cfn_type=cfn_type, name=name, source="template", physical_id=f"p-{name}",
                    tags=dict(TAGS) if tags is None else tags, settings=settings)


def by_title(section: Section) -> dict[str, Table]:
    return {t.title.split(" (")[0]: t for t in section.tables}


def figures(section: Section) -> dict[str, Any]:
    return {f.name: f.value for f in section.figures}


def test_violations_are_grouped_by_resource_with_the_policy_title() -> None:
    inventory = Inventory("template small.yaml", [
        res("Jobs", "AWS::SQS::Queue", tags={"Project": "app"}, dlq=None, is_dlq=False),
        res("Files", "AWS::S3::Bucket"),
        res("Table", "AWS::DynamoDB::Table", tags={}, pitr=True),
    ])
    report = evaluate(inventory, policies=["IPP_TAG_001", "IPP_SQS_002", "IPP_DDB_002"])
    section = policy_report_section(report)
    assert section.kind == "policies" and section.verdict == "bad"
    assert figures(section) == {"policies.checked": 5, "policies.violations": len(report.failures),
                                "policies.unknown": 0}
    assert len(report.failures) == 3
    violations = by_title(section)["Violations"]
    assert violations.columns == VIOLATION_COLUMNS and violations.group_by == 0
    rows = [(r[0].text, r[2].text, r[3].text) for r in violations.rows]
    assert rows == [
        ("queue Jobs (p-Jobs)", "IPP_SQS_002", "Queues that are not dead-letter queues have one"),
        ("queue Jobs (p-Jobs)", "IPP_TAG_001", "Taggable resources carry the mandatory tags"),
        ("table Table (p-Table)", "IPP_TAG_001", "Taggable resources carry the mandatory tags"),
    ]
    assert all(r[2].tone == "bad" and r[4].tone == "bad" for r in violations.rows)
    assert "found" in violations.rows[0][4].text and "dead-letter" in violations.rows[0][4].text
    passed = {r[0].text: r[2].text for r in by_title(section)["Passed"].rows}
    assert passed == {"bucket Files (p-Files)": "IPP_TAG_001", "table Table (p-Table)": "IPP_DDB_002"}
    assert "3 violations" in section.summary and "3 resources" in section.summary


def test_a_step_check_names_the_check_and_unknowns_are_warn() -> None:
    inventory = Inventory("terraform plan", [
        res("Orders", "AWS::DynamoDB::Table", pitr=UNKNOWN),
        res("Users", "AWS::DynamoDB::Table", pitr=False),
        res("Logs", "AWS::DynamoDB::Table", pitr=True),
    ])
    findings = every(inventory, "table", has_pitr)
    section = policies_section(findings, title="every table has point-in-time recovery enabled",
                               source=inventory.source, check="has_pitr")
    assert figures(section) == {"policies.checked": 3, "policies.violations": 1, "policies.unknown": 1}
    unknown = by_title(section)["Cannot tell"]
    row = unknown.rows[0]
    assert (row[0].text, row[2].text, row[2].tone, row[4].tone) == ("table Orders (p-Orders)", "has_pitr", "warn",
                                                                    "warn")
    assert "cannot tell" in row[4].text and row[3].text == "point-in-time recovery (PointInTimeRecoverySpecification)"
    assert by_title(section)["Violations"].rows[0][0].text == "table Users (p-Users)"
    assert section.verdict == "bad"


def test_only_unknowns_give_a_warn_verdict_and_passes_a_good_one() -> None:
    queue = res("Jobs", "AWS::SQS::Queue", dlq="arn:aws:sqs:us-east-1:1:dlq", is_dlq=False)
    good = policies_section(every(Inventory("x", [queue]), "queue", has_dlq, where=is_not_a_dlq), title="dlq",
                            check="has_dlq")
    assert good.verdict == "good" and figures(good)["policies.violations"] == 0
    assert [t.title for t in good.tables] == ["Passed"] and good.tables[0].rows[0][2].tone == "good"
    planned = res("Orders", "AWS::DynamoDB::Table", pitr=UNKNOWN)
    planned.physical_id = UNKNOWN  # a name known only after apply
    section = policies_section(every(Inventory("p", [planned]), "table", has_pitr), title="pitr")
    assert section.verdict == "warn" and section.tables[0].rows[0][0].text == "table Orders"


def test_nothing_to_check_is_said_and_does_not_crash() -> None:
    section = policies_section([], title="every queue has a dead-letter queue", source="live moto")
    assert section.verdict == "warn" and section.tables == ()
    assert figures(section) == {"policies.checked": 0, "policies.violations": 0, "policies.unknown": 0}
    assert "nothing to check on live moto" in section.summary
    empty = policy_report_section(evaluate(Inventory("empty")))
    assert empty.title == "Every compliance policy" and figures(empty)["policies.checked"] == 0
    assert Section.from_json(section.as_json()) == section


def test_the_source_is_named_short_in_the_summary(tmp_path: Path) -> None:
    design = tmp_path / "designs" / "small"
    design.mkdir(parents=True)
    (design / "design.yaml").write_text("name: small\n")
    source = f"template {design}/template.yaml"
    inventory = Inventory(source, [res("Jobs", "AWS::SQS::Queue", dlq="arn:aws:sqs:us-east-1:1:dlq", is_dlq=False)])
    section = policies_section(every(inventory, "queue", has_dlq), title="dlq", source=source, check="has_dlq")
    assert "on template small/template.yaml:" in section.summary and str(tmp_path) not in section.summary
