"""Malformed inputs give one clear SourceError naming the file, and the line where there is one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.pulumi import load_pulumi_state
from pytest_infra_parity.inventory.terraform_hcl import load_hcl
from pytest_infra_parity.inventory.terraform_plan import load_plan
from pytest_infra_parity.inventory.terraform_state import load_state
from tests.inventory_tf.conftest import BAD, PHOTOEDITOR


def test_truncated_plan() -> None:
    path = BAD / "truncated-plan.json"
    with pytest.raises(SourceError, match=r"not valid JSON \(truncated\?\)") as error:
        load_plan(path)
    assert error.value.path == path
    assert error.value.line == len(path.read_text().splitlines())
    assert str(error.value).startswith(f"{path}:{error.value.line}: ")


def test_plan_of_an_unsupported_format_version() -> None:
    with pytest.raises(SourceError, match=r"format_version 2\.0; only 1\.x is supported"):
        load_plan(BAD / "plan-format-2.json")


@pytest.mark.parametrize(("loader", "path", "message"), [
    (load_state, BAD / "terraform-0.11.tfstate", r"version 3 \(Terraform < 0\.12\), not supported"),
    (load_state, BAD / "cdk-manifest.json", "AWS CDK cloud assembly manifest"),
    (load_state, PHOTOEDITOR / "pulumi-stack.json", r"this is a Pulumi state \(pulumi stack export\)"),
    (load_state, PHOTOEDITOR / "plan.json", "this is a Terraform plan"),
    (load_plan, PHOTOEDITOR / "show-state.json", r"this is a Terraform state \(terraform show -json\)"),
    (load_pulumi_state, PHOTOEDITOR / "terraform.tfstate", "this is a Terraform state file"),
    (load_pulumi_state, BAD / "cdk-manifest.json", "AWS CDK cloud assembly manifest"),
])
def test_a_file_of_another_format(loader: object, path: object, message: str) -> None:
    with pytest.raises(SourceError, match=message) as error:
        loader(path)  # type: ignore[operator]
    assert error.value.path == path


def test_hcl_syntax_error_names_the_file_and_line() -> None:
    folder = BAD / "hcl-syntax-error"
    with pytest.raises(SourceError, match="HCL syntax error") as error:
        load_hcl(folder)
    assert error.value.path == folder.resolve() / "main.tf"
    assert error.value.line == 9


def test_a_misspelt_aws_type_is_an_error_naming_the_near_type() -> None:
    folder = BAD / "unknown-aws-type"
    with pytest.raises(SourceError, match=r"aws_s3_buckett\.final: unknown resource type aws_s3_buckett "
                                          r"\(did you mean aws_s3_bucket\?\)") as error:
        load_hcl(folder)
    assert (error.value.path, error.value.line) == (folder.resolve() / "main.tf", 10)


def test_an_unmapped_aws_type_is_other_with_a_warning_or_an_error_in_strict_mode(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "temp" {\n  bucket = "t"\n}\n\n'
        'resource "aws_gamelift_fleet" "games" {\n  name = "g"\n}\n')
    inventory = load_hcl(tmp_path)
    assert [(r.name, r.kind) for r in inventory] == [("aws_s3_bucket.temp", "bucket"),
                                                     ("aws_gamelift_fleet.games", "other")]
    assert any("aws_gamelift_fleet.games" in w for w in inventory.warnings)
    with pytest.raises(SourceError, match=r"aws_gamelift_fleet\.games: unknown resource type aws_gamelift_fleet") \
            as error:
        load_hcl(tmp_path, strict=True)
    assert (error.value.path, error.value.line) == (tmp_path / "main.tf", 5)


@pytest.mark.parametrize("loader", [load_plan, load_state, load_pulumi_state])
def test_missing_and_empty_files(loader: object, tmp_path: object) -> None:
    missing = tmp_path / "nope.json"  # type: ignore[operator]
    with pytest.raises(SourceError, match="cannot read"):
        loader(missing)  # type: ignore[operator]
    missing.write_text("  \n")
    with pytest.raises(SourceError, match="is empty"):
        loader(missing)  # type: ignore[operator]


def test_folders_without_configuration(tmp_path: object) -> None:
    with pytest.raises(SourceError, match=r"no Terraform configuration \(\.tf files\)"):
        load_hcl(tmp_path)  # type: ignore[arg-type]
    with pytest.raises(SourceError, match="not a folder"):
        load_hcl(tmp_path / "absent")  # type: ignore[operator]
