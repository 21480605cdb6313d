"""The infra-parity command: designs, validate, and its error paths."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_infra_parity.cli import main

from .conftest import SMALL_TEMPLATE


@pytest.fixture
def user_designs(tmp_path: Path) -> Path:
    folder = tmp_path / "designs" / "small"
    folder.mkdir(parents=True)
    (folder / "template.yaml").write_text(SMALL_TEMPLATE)
    return tmp_path / "designs"


def test_designs_lists_builtin_and_discovered_with_resources(user_designs: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["designs", "--design-path", str(user_designs), "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert {"dashborion", "photoeditor", "cityguided", "lego-api", "huntaze-skeleton", "small"} <= set(rows)
    assert rows["small"] == {
        "name": "small", "builtin": False, "title": "", "folder": str(user_designs / "small"),
        "template": str(user_designs / "small" / "template.yaml"), "resources": 2,
        "types": {"AWS::KMS::Key": 1, "AWS::SQS::Queue": 1},
    }
    assert rows["photoeditor"]["builtin"] is True
    assert rows["photoeditor"]["types"]["AWS::DynamoDB::Table"] == 3


def test_designs_text_output(user_designs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["designs", "--design-path", str(user_designs)]) == 0
    out = capsys.readouterr().out
    assert f"small ({user_designs / 'small'}):" in out
    assert "2 resources: AWS::KMS::Key x1, AWS::SQS::Queue x1" in out


def test_designs_reports_a_broken_design_and_goes_on(user_designs: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    broken = user_designs / "broken"
    broken.mkdir()
    (broken / "template.yaml").write_text("Resources: [\n")
    assert main(["designs", "--design-path", str(user_designs)]) == 1
    out = capsys.readouterr().out
    assert f"broken: ERROR {broken / 'template.yaml'}:" in out
    assert "small (" in out


def test_validate_good_and_unsupported(user_designs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(user_designs / "small")]) == 0
    assert "small: valid (2 resources" in capsys.readouterr().out
    template = user_designs / "small" / "template.yaml"
    template.write_text(template.read_text().replace(
        "Outputs:", "  Odd:\n    Type: AWS::SES::ConfigurationSet\n    Properties: {Name: x}\nOutputs:"))
    assert main(["validate", str(user_designs / "small")]) == 2
    assert "Odd: resource type AWS::SES::ConfigurationSet is not supported" in capsys.readouterr().err


def test_unknown_design_is_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "nope"]) == 2
    assert "infra-parity: error: unknown design 'nope'" in capsys.readouterr().err


def test_console_script_is_installed() -> None:
    exe = shutil.which("infra-parity")
    assert exe, "the infra-parity console script is not on PATH (pip install -e .)"
    done = subprocess.run([exe, "designs"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "huntaze-skeleton (built-in)" in done.stdout
