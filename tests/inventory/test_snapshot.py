"""Snapshots: an inventory saved to JSON and read back, unknowns included; bad files give clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import UNKNOWN, AlarmRef, Encryption, Inventory, Observability, Resource
from pytest_infra_parity.inventory.snapshot import dump, load, parse, save


def sample() -> Inventory:
    function = Resource(
        "function", "AWS::Lambda::Function", "Worker", "template", physical_id="worker", arn=UNKNOWN,
        tags={"Project": "pe", "Env": UNKNOWN}, encryption=Encryption("customer-managed", "arn:aws:kms:k"),
        observability=Observability(alarms=[AlarmRef("errors", "Errors", "AWS/Lambda")],
                                    possible_alarms=[AlarmRef("maybe", "Throttles")], log_group="/aws/lambda/worker",
                                    log_retention_days=UNKNOWN, tracing=True),
        settings={"memory": 1024, "architectures": ["arm64"], "dlq": None, "reserved_concurrency": UNKNOWN,
                  "nested": {"deep": [UNKNOWN, 1]}},
        location="template.yaml:12")
    unknown_tags = Resource("bucket", "AWS::S3::Bucket", "aws_s3_bucket.b", "terraform-plan", tags=UNKNOWN,
                            encryption=Encryption("unknown"), taggable=True)
    return Inventory("template photoeditor", [function, unknown_tags], warnings=["one warning"])


def test_round_trip_keeps_every_value_and_unknowns(tmp_path: Path) -> None:
    original = sample()
    path = save(original, tmp_path / "out" / "snap.json")
    loaded = load(path)
    assert loaded.source == f"snapshot {path} of template photoeditor"
    assert loaded.warnings == ["one warning"]
    for before, after in zip(original.resources, loaded.resources, strict=True):
        assert after.source == "snapshot"
        before.source = "snapshot"
        assert after == before
    assert loaded.resources[0].settings["nested"]["deep"][0] is UNKNOWN
    assert loaded.resources[1].tags is UNKNOWN
    assert json.loads(path.read_text())["resources"][0]["arn"] == {"$unknown": True}


def test_a_real_template_inventory_round_trips(tmp_path: Path) -> None:
    from pytest_infra_parity.sources import declared_inventory

    design = builtin_designs()["photoeditor"]
    inventory = declared_inventory(design.template_path, design.parameters, name="pe", region="us-east-1",
                                   account="123456789012")
    loaded = load(save(inventory, tmp_path / "pe.json"))
    assert [(r.kind, r.name, r.tags, r.encryption, r.settings, r.observability) for r in loaded] == \
        [(r.kind, r.name, r.tags, r.encryption, r.settings, r.observability) for r in inventory]


def test_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 4, "terraform_version": "1.9.0", "resources": []}))
    with pytest.raises(SourceError, match=r"state.json: not an inventory snapshot \(format None"):
        load(path)


def test_truncated_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    text = json.dumps(dump(sample()), indent=1)
    path.write_text(text[: len(text) // 2])
    with pytest.raises(SourceError) as caught:
        load(path)
    assert caught.value.path == path
    assert caught.value.line is not None and caught.value.line > 1
    assert "truncated JSON" in caught.value.message


@pytest.mark.parametrize(("data", "message"), [
    ({"format": "pytest-infra-parity/inventory", "version": 9, "resources": []}, "version 9 is not supported"),
    ({"format": "pytest-infra-parity/inventory", "version": 1}, "no 'resources' list"),
    ({"format": "pytest-infra-parity/inventory", "version": 1, "resources": [{"kind": "bucket"}]},
     r"resources\[0\] is not a valid resource: .*'cfn_type'"),
    ({"format": "pytest-infra-parity/inventory", "version": 1, "resources": [
        {"kind": "bucket", "cfn_type": "AWS::S3::Bucket", "name": "b", "encryption": {"mode": "strong"}}]},
     "no valid mode"),
])
def test_malformed_snapshots(data: object, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse(data, Path("x.json"))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text("  \n")
    with pytest.raises(SourceError, match="empty"):
        load(tmp_path / "empty.json")
    with pytest.raises(SourceError, match="file not found"):
        load(tmp_path / "missing.json")
