"""The mapping file: accepted forms, and bad files naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.parity.mapping import Mapping, MappingEntry, load_mapping, parse_mapping


def test_structured_file(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(
        "project: photoeditor\n"
        "stages: [blue, green]\n"
        "pairs:\n"
        "  ProcessingQueue: module.sqs.aws_sqs_queue.main\n"
        "  JobsTable: {name: aws_dynamodb_table.jobs, kind: tables}\n"
        "ignore:\n"
        "  a: ['*Role', PresignPermission]\n"
        "  b: aws_iam_*\n"
        "  both: ['*Policy']\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping.pairs == (MappingEntry("ProcessingQueue", "module.sqs.aws_sqs_queue.main", None, 4),
                             MappingEntry("JobsTable", "aws_dynamodb_table.jobs", "table", 5))
    assert mapping.ignore_a == ("*Role", "PresignPermission", "*Policy")
    assert mapping.ignore_b == ("aws_iam_*", "*Policy")
    assert mapping.project == "photoeditor"
    assert mapping.stages == ("blue", "green")
    assert mapping.where(mapping.pairs[1]) == f"{path}:5"


def test_list_of_pairs_and_plain_document() -> None:
    listed = parse_mapping("pairs:\n  - [A, B]\n  - {a: C, b: D, kind: queue}\nignore: [X*]\n")
    assert listed.pairs == (MappingEntry("A", "B", None, 2), MappingEntry("C", "D", "queue", 3))
    assert listed.ignore_a == listed.ignore_b == ("X*",)
    plain = parse_mapping("ProcessingQueue: module.sqs.aws_sqs_queue.main\nJobsTable: aws_dynamodb_table.jobs\n")
    assert [(e.a, e.b) for e in plain.pairs] == [("ProcessingQueue", "module.sqs.aws_sqs_queue.main"),
                                                 ("JobsTable", "aws_dynamodb_table.jobs")]
    assert parse_mapping("") == Mapping()
    assert Mapping.of({"A": "B"}).pairs == (MappingEntry("A", "B"),)


@pytest.mark.parametrize(("text", "line", "message"), [
    ("pairs:\n  A: [x, y]\n", 2, "the name paired with A must be a non-empty string"),
    ("pairs:\n  - [A]\n", 2, "a pair is a list of two names, got 1"),
    ("pairs:\n  - {a: A}\n", 2, "a pair is {a: NAME, b: NAME}"),
    ("pairs:\n  - {a: A, b: B, c: C}\n", 2, "unknown key(s): c"),
    ("pairs:\n  A: {nom: B}\n", 2, "A: write NAME_B or {name: NAME_B, kind: KIND}"),
    ("pairs:\n  A: {name: B, kind: gizmo}\n", 2, "unknown resource kind 'gizmo'"),
    ("pairs: {}\npair: {}\n", 2, "unknown key 'pair'"),
    ("ignore:\n  c: [x]\n", 2, "unknown ignore side 'c'"),
    ("ignore: 3\n", 1, "'ignore' must be"),
    ("- A\n- B\n", 1, "must be a YAML mapping"),
    ("pairs:\n  A: B\n  A: C\n", 3, "'A' is paired twice on side A (also at line 2)"),
    ("pairs:\n  - [A, B]\n  - [C, B]\n", 3, "'B' is paired twice on side B"),
    ("pairs:\n  A: [B\n", 3, "malformed YAML"),
])
def test_bad_files_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_mapping(path)
    assert raised.value.path == path
    assert raised.value.line == line
    assert message in raised.value.message
    assert raised.value.describe().startswith(f"{path}:{line}: mapping file:")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the mapping file") as raised:
        load_mapping(tmp_path / "nope.yaml")
    assert raised.value.path == tmp_path / "nope.yaml"
