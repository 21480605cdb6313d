"""The report: the table text for a pytest failure, its limits, and the JSON shape."""

from __future__ import annotations

import json

from pytest_infra_parity.inventory.model import UNKNOWN, Encryption
from pytest_infra_parity.parity.diff import compare
from tests.parity._build import TAGS, cmk, inv, res


def _report():
    a = inv("template photoeditor (template.yaml)",
            res("key", "Key"),
            res("queue", "ProcessingQueue", physical="photoeditor-dev-processing", enc=cmk("Key.Arn"),
                tags={**TAGS, "Owner": "platform"}),
            res("queue", "ProcessingDeadLetterQueue", physical="photoeditor-dev-processing-dlq", enc=cmk("Key.Arn"),
                alarms=("ApproximateNumberOfMessagesVisible",)),
            res("function", "WorkerFunction", physical="photoeditor-dev-worker"))
    a.resources[3].location = "template.yaml:611"
    b = inv("terraform designs/photoeditor/terraform",
            res("key", "module.kms.aws_kms_key.this", physical=UNKNOWN),
            res("queue", "module.sqs.aws_sqs_queue.main", physical="photoeditor-dev-processing",
                enc=cmk("module.kms.key_arn"), tags={**TAGS, "Owner": "someone"}),
            res("queue", "module.sqs.aws_sqs_queue.dlq", physical="photoeditor-dev-processing-dlq",
                enc=Encryption("service-managed"), tags=UNKNOWN))
    return compare(a, b)


def test_table_lines() -> None:
    report = _report()
    lines = report.format_table().splitlines()
    assert lines[0] == "Parity of  A = template photoeditor (template.yaml)"
    assert lines[1] == "       and B = terraform designs/photoeditor/terraform"
    assert lines[2] == "aspects compared: types, tags, encryption, observability"
    assert lines[3] == ("result: 4 differences (3 pairs matched, 3 attribute differences in 2 of them, "
                        "1 only in A, 0 only in B, 1 unknown)")
    table = [line.split() for line in lines[5:10]]
    assert table[0] == ["kind", "resource", "in", "A", "resource", "in", "B", "aspect", "attribute", "A", "value",
                        "B", "value"]
    assert table[2] == ["queue", "ProcessingQueue", "module.sqs.aws_sqs_queue.main", "tags", "Owner", "platform",
                        "someone"]
    assert table[3] == ["queue", "ProcessingDeadLetterQueue", "module.sqs.aws_sqs_queue.dlq", "encryption", "mode",
                        "customer-managed", "service-managed"]
    # a second difference of the same pair: kind and names are not repeated
    assert table[4] == ["observability", "alarm", "on", "ApproximateNumberOfMessagesVisible",
                        "ProcessingDeadLetterQueue-ApproximateNumberOfMessagesVisible"[:33] + "…", "(absent)"]
    rest = lines[10:]
    assert "only in A (template photoeditor (template.yaml)): 1" in rest
    assert "  function       WorkerFunction (AWS::Lambda::Function) at template.yaml:611" in rest
    assert "only in B (terraform designs/photoeditor/terraform): none" in rest
    assert "resources per kind that differ (A/B): function 1/0" in rest
    assert "unknown, not compared (neither a difference nor an equality): 1" in rest
    unknown_row = next(line for line in rest if line.strip().startswith("queue"))
    assert unknown_row.split()[:5] == ["queue", "ProcessingDeadLetterQueue", "module.sqs.aws_sqs_queue.dlq", "tags",
                                       "tags"]
    assert unknown_row.endswith("the whole tag map is known only after apply")


def test_table_at_parity_and_long_outputs() -> None:
    a = inv("a", *[res("queue", f"Q{i}", physical=f"x-q{i}", tags={"n": "1"}) for i in range(30)])
    b = inv("b", *[res("queue", f"T{i}", physical=f"x-q{i}", tags={"n": "2"}) for i in range(30)])
    report = compare(a, b, aspects=["tags"])
    text = report.format_table(limit=10)
    lines = text.splitlines()
    more = lines.index("  … and 20 more differences")
    assert [line.split()[1] for line in lines[more - 10:more]] == [f"Q{i}" for i in range(10)]
    assert sum(1 for line in lines if " tags " in line) == 10
    same = compare(a, a, aspects=["tags"])
    assert same.ok
    assert same.format_table().splitlines()[3].startswith("result: no differences (30 pairs matched")


def test_json_shape() -> None:
    report = _report()
    data = json.loads(json.dumps(report.as_json()))
    assert data["ok"] is False
    assert data["mode"] == "parity"
    assert data["aspects"] == ["types", "tags", "encryption", "observability"]
    assert data["summary"] == {"pairs": 3, "differences": 4, "pairs_with_differences": 2, "only_a": 1, "only_b": 0,
                               "unknowns": 1, "ambiguous": 0, "ignored_a": 0, "ignored_b": 0}
    assert data["counts"]["queue"] == {"a": 2, "b": 2}
    assert data["differences"][0] == {"kind": "function", "name_a": "WorkerFunction", "name_b": None,
                                      "aspect": "types", "attribute": "resource",
                                      "value_a": "AWS::Lambda::Function", "value_b": None,
                                      "physical_a": "photoeditor-dev-worker", "physical_b": None}
    assert {"kind": "queue", "name_a": "ProcessingQueue", "name_b": "module.sqs.aws_sqs_queue.main",
            "aspect": "tags", "attribute": "Owner", "value_a": "platform", "value_b": "someone",
            "physical_a": "photoeditor-dev-processing", "physical_b": "photoeditor-dev-processing"
            } in data["differences"]
    assert data["unknowns"][0]["value_b"] == "(known after apply)"
    assert data["only_a"] == [{"kind": "function", "name": "WorkerFunction", "cfn_type": "AWS::Lambda::Function",
                               "physical_id": "photoeditor-dev-worker", "location": "template.yaml:611"}]
    pair = next(p for p in data["pairs"] if p["name_a"] == "Key")
    assert pair == {"kind": "key", "name_a": "Key", "name_b": "module.kms.aws_kms_key.this",
                    "matched_by": "logical name", "differences": [], "unknowns": []}


def test_flat_differences_carry_both_names() -> None:
    report = _report()
    owner = next(d for d in report.differences if d.attribute == "Owner")
    assert (owner.kind, owner.name_a, owner.name_b, owner.aspect, owner.value_a, owner.value_b) == (
        "queue", "ProcessingQueue", "module.sqs.aws_sqs_queue.main", "tags", "platform", "someone")


def test_differences_found_by_logical_or_physical_name() -> None:
    report = _report()
    by_physical = report.differences_for("photoeditor-dev-processing", aspect="tags")
    assert [(d.name_a, d.attribute) for d in by_physical] == [("ProcessingQueue", "Owner")]
    assert report.differences_for("module.sqs.aws_sqs_queue.dlq") == report.differences_for(
        "ProcessingDeadLetterQueue")
    assert report.differences_for("photoeditor-dev-processing", aspect="encryption") == []


def test_empty_values_and_long_names_in_cells() -> None:
    from pytest_infra_parity.parity.table import cell

    assert cell("", 10) == '""'
    assert cell(None, 10) == "(absent)"
    assert cell(["b", "a"], 20) == '["b","a"]'
    assert cell(True, 10) == "true"
    assert cell("module.function_logs.aws_cloudwatch_log_group.this", 20) == "module.function_log…"
