"""The SOURCE dispatcher: every kind of SOURCE reaches its reader; anything else is a clear error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity import sources
from pytest_infra_parity.deploy.stack import Stack
from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import Inventory
from pytest_infra_parity.inventory.snapshot import save
from pytest_infra_parity.sources import open_source, sniff_json

from .conftest import ACCOUNT, REGION

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PHOTOEDITOR = builtin_designs()["photoeditor"]


def open_here(spec: str, base: Path, **kwargs: Any) -> Inventory:
    return open_source(spec, base=base, region=REGION, account=ACCOUNT, **kwargs)


def test_design_name_folder_and_template_file(tmp_path: Path) -> None:
    by_name = open_here("photoeditor", tmp_path)
    by_folder = open_here(str(PHOTOEDITOR.folder), tmp_path)
    by_file = open_here(str(PHOTOEDITOR.template_path), tmp_path)
    assert by_name.source == by_folder.source == f"template {PHOTOEDITOR.template_path}"
    assert by_name.by_name("TempBucket").physical_id == f"photoeditor-dev-temp-{ACCOUNT}"
    assert [r.name for r in by_file] == [r.name for r in by_name]
    assert all(r.source == "template" for r in by_name)


def test_json_template_and_snapshot_are_sniffed(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text(json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))
    assert [r.kind for r in open_here("t.json", tmp_path)] == ["queue"]
    save(open_here("t.json", tmp_path), tmp_path / "snap.json")
    snapshot = open_here("snap.json", tmp_path)
    assert [(r.kind, r.source) for r in snapshot] == [("queue", "snapshot")]


@pytest.mark.parametrize(("document", "kind"), [
    ({"format_version": "1.2", "planned_values": {}, "resource_changes": []}, "terraform-plan"),
    ({"format_version": "1.0", "values": {"root_module": {}}}, "terraform-state"),
    ({"version": 4, "terraform_version": "1.9.5", "serial": 3, "resources": []}, "terraform-state"),
    ({"version": 3, "deployment": {"resources": []}}, "pulumi"),
    ({"format": "pytest-infra-parity/inventory", "version": 1, "resources": []}, "snapshot"),
    ({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}, "template"),
    ({"version": 3, "deployment": "no"}, None),
    ([1, 2], None),
])
def test_sniff_json(document: Any, kind: str | None) -> None:
    assert sniff_json(document) == kind


@pytest.mark.parametrize(("name", "document", "kind"), [
    ("plan.json", {"planned_values": {}}, "terraform-plan"),
    ("show.json", {"format_version": "1.0", "values": {}}, "terraform-state"),
    ("terraform.tfstate", {"version": 4, "terraform_version": "1.9", "resources": []}, "terraform-state"),
    ("stack.json", {"version": 3, "deployment": {}}, "pulumi"),
])
def test_terraform_and_pulumi_files_go_to_their_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       name: str, document: Any, kind: str) -> None:
    calls: list[tuple[str, Path]] = []

    def loader(wanted: str) -> Callable[..., Inventory]:
        return lambda path, **_: calls.append((wanted, path)) or Inventory(wanted)

    monkeypatch.setattr(sources, "_loader", loader)
    (tmp_path / name).write_text(json.dumps(document))
    assert open_here(name, tmp_path).source == kind
    assert calls == [(kind, tmp_path / name)]


def test_terraform_folder_goes_to_the_hcl_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Path, dict[str, Any]]] = []
    monkeypatch.setattr(sources, "_loader", lambda kind: lambda folder, variables: calls.append(
        (folder, variables)) or Inventory(kind))
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text('resource "aws_sqs_queue" "q" {}\n')
    assert open_here("tf", tmp_path, variables={"stage": "dev"}).source == "terraform-hcl"
    assert open_here("tf/main.tf", tmp_path).source == "terraform-hcl"
    assert calls == [(tmp_path / "tf", {"stage": "dev"}), (tmp_path / "tf", {})]


def test_real_terraform_and_pulumi_fixtures_open(tmp_path: Path) -> None:
    for name, source in [("plan.json", "terraform-plan"), ("terraform.tfstate", "terraform-state"),
                         ("pulumi-stack.json", "pulumi")]:
        inventory = open_here(str(FIXTURES / "photoeditor" / name), tmp_path)
        assert inventory.of_kind("bucket"), name
        assert {r.source for r in inventory} == {source}, name


@pytest.mark.parametrize(("spec", "message"), [
    ("nope/missing.json", "no file or folder 'nope/missing.json'"),
    ("not-a-design", "'not-a-design' is not a file, a folder, nor a design: unknown design"),
    ("weird.json", "JSON file of an unknown format"),
    ("empty-folder", "folder has no design.yaml, no \\*.tf file and no template"),
    ("live:stack=x", "a live SOURCE needs a target"),
])
def test_bad_sources_list_the_accepted_kinds(tmp_path: Path, spec: str, message: str) -> None:
    (tmp_path / "weird.json").write_text('{"hello": 1}')
    (tmp_path / "empty-folder").mkdir()
    with pytest.raises(SourceError, match=message) as caught:
        open_here(spec, tmp_path)
    if not spec.startswith("live:"):
        assert "a SOURCE is one of: a design name" in caught.value.message
        assert "Pulumi/SST state file" in caught.value.message


def test_truncated_json_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text('{\n  "planned_values": {\n    "root_module": {')
    with pytest.raises(SourceError) as caught:
        open_here("plan.json", tmp_path)
    assert (caught.value.path, caught.value.line) == (tmp_path / "plan.json", 3)
    assert "truncated JSON" in caught.value.message


def test_live_sources(inventory_clients: Callable[[str], Any], deployed: dict[str, Stack], tmp_path: Path) -> None:
    stack = deployed["dashborion"]
    by_stack = open_here(f"live:stack={stack.name}", tmp_path, clients=inventory_clients)
    assert {r.name for r in by_stack} == set(stack.resources)  # logical ids, from the applier's ledger
    by_tags = open_here("live:tags=Project=dashborion", tmp_path, clients=inventory_clients)
    assert {r.kind for r in by_tags} >= {"bucket", "table", "function", "http api"}
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{stack.physical_id('CacheTable')}"
    assert [r.kind for r in open_here(f"live:arns={arn}", tmp_path, clients=inventory_clients)] == ["table"]
    for spec, message in [("live:stack=no-such-stack", "no stack 'no-such-stack'"),
                          ("live:tags=Project", "not Key=Value"), ("live:who=me", "unknown live selection 'who'")]:
        with pytest.raises(SourceError, match=message):
            open_here(spec, tmp_path, clients=inventory_clients)
