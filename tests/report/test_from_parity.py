"""Parity, drift and read-back evidence: real comparisons of small inventories turned into report sections."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pytest_infra_parity.deploy.stack import Stack, StackResource
from pytest_infra_parity.inventory.model import (
    UNKNOWN,
    Encryption,
    Inventory,
    Resource,
    kind_of,
)
from pytest_infra_parity.parity.diff import compare
from pytest_infra_parity.parity.drift import drift
from pytest_infra_parity.report.from_deploy import (
    BARS_FROM_TYPES,
    MAX_RESOURCE_ROWS,
    deploy_section,
    readback_section,
    split_problem,
)
from pytest_infra_parity.report.from_parity import (
    COLLAPSE_FROM,
    DIFFERENCE_COLUMNS,
    TITLE_LIMIT,
    fit_title,
    parity_section,
    short_source,
)
from pytest_infra_parity.report.model import Section, Table


def res(name: str, cfn_type: str, *, physical: Any = None, source: str = "template", **tags: Any) -> Resource:
    return Resource(kind=kind_of(cfn_type), cfn_type=cfn_type, name=name, source=source, physical_id=physical or name,
                    tags=dict(tags), encryption=Encryption("customer-managed", "alias/app"))


def tables(section: Section) -> dict[str, Table]:
    return {t.title.split(" (")[0]: t for t in section.tables}


def figures(section: Section) -> dict[str, Any]:
    return {f.name: f.value for f in section.figures}


def texts(t: Table, column: str) -> list[str]:
    index = t.columns.index(column)
    return [row[index].text for row in t.rows]


def test_a_differing_attribute_is_a_bad_cell_with_both_values_grouped_by_resource() -> None:
    a = Inventory("template a.yaml", [res("Jobs", "AWS::SQS::Queue", Project="app", Env="dev", Owner="ops"),
                                      res("Files", "AWS::S3::Bucket", Project="app", Env="dev")])
    b = Inventory("terraform b", [res("Jobs", "AWS::SQS::Queue", Project="app", Env="prod", Owner="dev"),
                                  res("Files", "AWS::S3::Bucket", Project="web", Env="dev")])
    section = parity_section(compare(a, b, aspects=("types", "tags")))
    assert section.kind == "parity" and section.verdict == "bad"
    assert figures(section) == {"parity.pairs": 2, "parity.differences": 3, "parity.only_a": 0, "parity.only_b": 0,
                                "parity.unknown": 0}
    found = tables(section)["Differences of the matched pairs"]
    assert found.columns == DIFFERENCE_COLUMNS and found.group_by == 0
    rows = {(row[0].text, row[4].text): row for row in found.rows}
    env = rows[("Jobs", "Env")]
    assert (env[5].text, env[5].tone, env[6].text, env[6].tone) == ("dev", "bad", "prod", "bad")
    assert rows[("Files", "Project")][5].text == "app" and rows[("Files", "Project")][6].text == "web"
    resources = texts(found, "resource A")
    assert resources == sorted(resources, key=resources.index)  # each resource's rows are consecutive
    assert len([r for r in resources if r == "Jobs"]) == 2
    pairs = tables(section)["Matched pairs compared"]
    assert {row[0].text: (row[-1].text, row[-1].tone) for row in pairs.rows} == {
        "Jobs": ("2 differences", "bad"), "Files": ("1 difference", "bad")}


def test_without_difference_the_compact_pairs_table_shows_what_was_checked() -> None:
    a = Inventory("a", [res("Jobs", "AWS::SQS::Queue", Project="app")])
    b = Inventory("b", [res("Jobs", "AWS::SQS::Queue", Project="app")])
    section = parity_section(compare(a, b, aspects=("types", "tags")))
    assert section.verdict == "good" and figures(section)["parity.differences"] == 0
    assert list(tables(section)) == ["Matched pairs compared"]
    row = tables(section)["Matched pairs compared"].rows[0]
    assert [c.text for c in row] == ["Jobs", "Jobs", "AWS::SQS::Queue", row[3].text, "types, tags", "equal"]
    assert row[-1].tone == "good"


def test_a_value_known_after_apply_is_a_warn_cell_not_a_difference() -> None:
    a = Inventory("template", [res("Jobs", "AWS::SQS::Queue", Project="app", Env="dev")])
    planned = res("Jobs", "AWS::SQS::Queue", source="terraform-plan", Project="app", Env=UNKNOWN)
    section = parity_section(compare(a, Inventory("plan", [planned]), aspects=("tags",)))
    assert section.verdict == "good"
    assert figures(section)["parity.unknown"] == 1 and figures(section)["parity.differences"] == 0
    row = tables(section)["Differences of the matched pairs"].rows[0]
    assert (row[5].text, row[5].tone) == ("dev", "neutral")
    assert (row[6].text, row[6].tone) == ("(known after apply)", "warn")
    assert tables(section)["Matched pairs compared"].rows[0][-1].tone == "warn"


def test_resources_on_one_side_only_are_listed_bad_when_types_are_compared() -> None:
    a = Inventory("a", [res("Jobs", "AWS::SQS::Queue"), res("Key", "AWS::KMS::Key")])
    b = Inventory("b", [res("Jobs", "AWS::SQS::Queue"), res("Topic", "AWS::SNS::Topic")])
    with_types = parity_section(compare(a, b, aspects=("types",)))
    only = tables(with_types)["Resources on one side only"]
    assert [(row[0].text, row[1].text, row[-1].tone) for row in only.rows] == [("only in A", "Key", "bad"),
                                                                              ("only in B", "Topic", "bad")]
    assert figures(with_types)["parity.only_a"] == 1 and figures(with_types)["parity.only_b"] == 1
    assert with_types.verdict == "bad"
    tags_only = parity_section(compare(a, b, aspects=("tags",)))
    assert tags_only.verdict == "good" and tables(tags_only)["Resources on one side only"].rows[0][-1].tone == "neutral"


def test_empty_inventories_give_an_empty_but_valid_section() -> None:
    section = parity_section(compare(Inventory("a"), Inventory("b"), aspects=("types",)))
    assert section.verdict == "good" and figures(section)["parity.pairs"] == 0
    assert tables(section)["Matched pairs compared"].rows == ()
    assert Section.from_json(section.as_json()) == section


def test_expected_differences_make_a_good_verdict_and_drift_is_labelled() -> None:
    declared = Inventory("template of stack s", [res("Jobs", "AWS::SQS::Queue", Env="dev")])
    live = Inventory("live moto", [res("Jobs", "AWS::SQS::Queue", source="live", Env="staging")])
    report = drift(declared, live, aspects=("tags",))
    assert parity_section(report, expect_differences=True).verdict == "good"
    section = parity_section(report)
    assert section.verdict == "bad" and section.title.startswith("Drift of")
    assert "declared = template of stack s" in section.summary
    assert "(declared / live)" in section.tables[0].title


@pytest.fixture
def design_dir(tmp_path: Path) -> Path:
    """``<tmp>/src/designs/photoeditor`` with its design.yaml and a terraform folder."""
    folder = tmp_path / "src" / "designs" / "photoeditor"
    (folder / "terraform").mkdir(parents=True)
    (folder / "design.yaml").write_text("name: photoeditor\n")
    return folder


def test_sources_are_named_by_design_file_working_directory_or_file_name(design_dir: Path, tmp_path: Path) -> None:
    cwd = tmp_path / "project"
    assert short_source(f"template {design_dir}/template.yaml", cwd=cwd) == "template photoeditor/template.yaml"
    assert short_source(f"terraform configuration {design_dir}/terraform", cwd=cwd) == \
        "terraform configuration photoeditor/terraform"
    assert short_source(f"design {design_dir}", cwd=cwd) == "design photoeditor"
    assert short_source(f"plan {cwd}/infra/plan.json", cwd=cwd) == "plan infra/plan.json"
    snapshot = "snapshot /tmp/pytest-of-root/pytest-428/popen-gw0/infra-snapshots/before.json of live us-east-1 stack s"
    assert short_source(snapshot, cwd=cwd) == "snapshot before.json of live us-east-1 stack s"
    assert short_source("live moto us-east-1") == "live moto us-east-1"


def _tag_parity(count: int, *, design_dir: Path) -> Any:
    names = [f"Table{i:02d}" for i in range(count)]
    a = Inventory(f"template {design_dir}/template.yaml",
                  [res(n, "AWS::DynamoDB::Table", CostCenter="photoeditor", Env="dev") for n in names])
    b = Inventory(f"terraform configuration {design_dir}/terraform",
                  [res(n, "AWS::DynamoDB::Table", Env="prod" if n == "Table00" else "dev") for n in names])
    return compare(a, b, aspects=("tags",))


def test_summaries_carry_short_sources_and_the_full_ones_are_in_the_text(design_dir: Path) -> None:
    section = parity_section(_tag_parity(1, design_dir=design_dir))
    assert str(design_dir) not in section.summary + section.title
    assert section.summary.startswith("A = template photoeditor/template.yaml; "
                                      "B = terraform configuration photoeditor/terraform; aspects: tags.")
    assert section.title == ("Parity of template photoeditor/template.yaml and terraform configuration "
                             "photoeditor/terraform")
    assert f"A = template {design_dir}/template.yaml" in section.text.splitlines()


def test_a_difference_shared_by_many_resources_is_one_row_listing_them(design_dir: Path) -> None:
    report = _tag_parity(30, design_dir=design_dir)
    section = parity_section(report)
    assert figures(section)["parity.differences"] == 31  # the report still counts each
    shared = tables(section)["Same difference on many resources"]
    assert shared.columns == ("aspect", "difference", "resources")
    [row] = shared.rows
    assert (row[0].text, row[1].text, row[1].tone) == ("tags", "CostCenter: photoeditor -> (absent) on 30 resources",
                                                        "bad")
    assert row[2].text.split(", ") == [f"Table{i:02d}" for i in range(30)]
    single = tables(section)["Differences of the matched pairs"]  # the one-off difference stays per resource
    assert [(r[0].text, r[4].text, r[5].text, r[6].text) for r in single.rows] == [("Table00", "Env", "dev", "prod")]
    few = parity_section(_tag_parity(COLLAPSE_FROM - 1, design_dir=design_dir))
    assert "Same difference on many resources" not in tables(few)
    assert len(tables(few)["Differences of the matched pairs"].rows) == COLLAPSE_FROM


def test_long_titles_are_shortened_with_the_full_title_in_the_text(design_dir: Path) -> None:
    stack = "live us-east-1 stack ipp-photoeditor-20261122075839-fba2-gw0"
    a = Inventory(stack, [res("Jobs", "AWS::SQS::Queue", Project="app")])
    b = Inventory(f"snapshot /tmp/pytest-of-root/pytest-1/popen-gw0/snaps/photoeditor-before.json of {stack}",
                  [res("Jobs", "AWS::SQS::Queue", Project="app")])
    section = parity_section(compare(a, b, aspects=("tags",)))
    assert section.title == f"Parity of {stack} and snapshot photoeditor-before.json"
    assert section.text.splitlines()[0] == f"title: Parity of {stack} and {short_source(b.source)}"
    assert len(section.title) <= TITLE_LIMIT and "/tmp/" not in section.summary
    terraform = Inventory(f"terraform configuration {design_dir}/terraform", [res("Jobs", "AWS::SQS::Queue")])
    longer = parity_section(compare(a, terraform, aspects=("tags",)))  # without its region, the title fits
    assert longer.title == "Parity of live stack ipp-photoeditor-20261122075839-fba2-gw0 and terraform configuration " \
                           "photoeditor/terraform"
    assert longer.text.splitlines()[0] == f"title: Parity of {stack} and terraform configuration photoeditor/terraform"
    given = parity_section(compare(a, b, aspects=("tags",)), title="Drift of " + "x" * 200)
    assert len(given.title) == TITLE_LIMIT and given.title.endswith("…")
    assert given.text.splitlines()[0] == "title: Drift of " + "x" * 200
    assert fit_title("Parity of a and b") == "Parity of a and b"
    assert fit_title("word " * 30, 40) == "word word word word word word word word…"


def _stack(types: dict[str, str], **extra: Any) -> Stack:
    declared = {lid: SimpleNamespace(resource_type=t) for lid, t in types.items()}
    resources = {lid: StackResource(lid, t, f"phys-{lid.lower()}") for lid, t in types.items()
                 if lid not in extra.get("skipped", {})}
    return Stack(name="ipp-small-run1", template=SimpleNamespace(resources=declared),  # type: ignore[arg-type]
                 region="us-east-1", account_id="123456789012", run_id="run1", deployer="applier", design="small",
                 resources=resources, **extra)


def test_read_back_lines_become_attribute_declared_and_live_values() -> None:
    assert split_problem("VisibilityTimeout is 30, declared 60") == ("VisibilityTimeout", "60", "30")
    assert split_problem("tag 'Env' is missing (declared 'dev')") == ("tag 'Env'", "'dev'", "(missing)")
    assert split_problem("does not exist on the target (gone)") == ("", "", "does not exist on the target (gone)")


def test_read_back_section_pairs_template_and_live_resources() -> None:
    stack = _stack({"Queue": "AWS::SQS::Queue", "Key": "AWS::KMS::Key", "Topic": "AWS::SNS::Topic"},
                   skipped={})
    del stack.resources["Topic"]
    problems = {"Queue": ["VisibilityTimeout is 30, declared 60", "tag 'Env' is 'x', declared 'dev'"],
                "Topic": ["was not created"]}
    section = readback_section(stack, problems)
    assert section.kind == "parity" and section.verdict == "bad"
    assert figures(section) == {"parity.pairs": 2, "parity.differences": 3, "parity.only_a": 1, "parity.only_b": 0}
    diff = tables(section)["Differences"]
    assert [(r[0].text, r[4].text, r[5].text, r[6].text, r[6].tone) for r in diff.rows] == [
        ("Queue", "VisibilityTimeout", "60", "30", "bad"), ("Queue", "tag 'Env'", "'dev'", "'x'", "bad")]
    assert [r[0].text for r in tables(section)["Only in the template"].rows] == ["Topic"]
    clean = readback_section(stack, {})
    assert clean.verdict == "good" and [r[-1].text for r in clean.tables[0].rows] == ["equal", "equal"]


def test_deploy_section_counts_resources_by_type_with_bars_for_many_types() -> None:
    few = deploy_section(_stack({"Queue": "AWS::SQS::Queue", "Dlq": "AWS::SQS::Queue", "Key": "AWS::KMS::Key"}),
                         "moto")
    assert few.kind == "deploy" and figures(few) == {"deploy.resources": 3} and few.charts == ()
    assert "2 AWS::SQS::Queue, 1 AWS::KMS::Key" in few.summary and "moto" in few.summary
    assert next((r[0].text, r[1].text, r[2].text) for r in few.tables[0].rows) == ("Dlq", "AWS::SQS::Queue",
                                                                                  "phys-dlq")
    types = {f"R{i}": f"AWS::Service{i}::Thing" for i in range(BARS_FROM_TYPES)}
    many = deploy_section(_stack({**types, "R9": "AWS::Service0::Thing"}, skipped={"R9": "condition false"}))
    assert many.charts[0].kind == "bars" and len(many.charts[0].bars) == BARS_FROM_TYPES
    assert many.tables[0].rows[-1][2].text == "(not created: condition false)"


def test_resources_by_type_are_whole_numbers_and_the_table_is_compact() -> None:
    types = {f"R{i:03d}": f"AWS::Service{i % 6}::Thing" for i in range(90)}
    section = deploy_section(_stack({**types, "Zz": "AWS::SQS::Queue"}, skipped={"Zz": "condition false"}), "moto")
    bars = section.charts[0].bars
    assert all(isinstance(bar.value, int) for bar in bars) and bars[0].value == 15
    assert Section.from_json(section.as_json()) == section
    resources = section.tables[0]
    assert len(resources.rows) == MAX_RESOURCE_ROWS
    assert resources.rows[-1][2].text == "(not created: condition false)"  # never cut
    assert resources.note == f"{MAX_RESOURCE_ROWS} of 91 resources shown, by logical id"


def test_the_same_stack_gives_the_same_deploy_section() -> None:
    """Scenarios sharing the session's stack record equal sections (the report shows them once)."""
    types = {f"R{i}": f"AWS::Service{i}::Thing" for i in range(8)}
    first = _stack(types, outputs={"B": "2", "A": "1"}, parameters={"Stage": "dev", "Owner": "ops"})
    again = _stack(dict(reversed(types.items())), outputs={"A": "1", "B": "2"}, parameters={"Owner": "ops",
                                                                                            "Stage": "dev"})
    assert deploy_section(first, "moto") == deploy_section(again, "moto")
    section = deploy_section(first, "moto")
    assert section.text == "parameters: Owner=ops, Stage=dev"


def test_cfn_lint_warnings_name_the_template_short(design_dir: Path) -> None:
    stack = _stack({"Queue": "AWS::SQS::Queue"}, warnings=[f"{design_dir}/template.yaml:12: W3005 obsolete"])
    assert deploy_section(stack).text == "cfn-lint: photoeditor/template.yaml:12: W3005 obsolete"
