"""House rules that keep the package healthy: lint, types, room boundaries, lazy imports."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pytest_infra_parity"
INNER_ROOMS = ("inventory", "policies", "parity", "sim", "cost")
OUTER_ROOMS = ("targets", "load", "bdd", "runtime", "chaos", "report", "deploy")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("room", [r for r in INNER_ROOMS if (PACKAGE / r).is_dir()])
def test_inner_rooms_do_not_import_outer_ones(room: str) -> None:
    offending = {
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in (PACKAGE / room).rglob("*.py")
        for name in _imports(path)
        if any(name.startswith(f"pytest_infra_parity.{outer}") for outer in OUTER_ROOMS)
        or name.split(".")[0] in ("boto3", "botocore", "moto", "locust")
    }
    assert not offending


def test_plugin_import_is_light() -> None:
    code = (
        "import sys, pytest_infra_parity.plugin\n"
        "heavy = [m for m in ('boto3', 'moto', 'cfnlint', 'samtranslator', 'locust') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def _package_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if not ("designs" in p.parts and p.name != "__init__.py")]


def test_modules_stay_small() -> None:
    too_big = {
        str(path.relative_to(PACKAGE)): n
        for path in _package_modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not too_big, f"modules over the house limit of ~400 lines: {too_big}"


def test_functions_stay_short() -> None:
    too_long = []
    for path in _package_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    too_long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({length} lines)")
    assert not too_long, f"functions over the house limit of 60 lines: {too_long}"


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed (pip install -e '.[test]')")
def test_ruff() -> None:
    done = subprocess.run(["ruff", "check", "src", "tests", "benchmarks", "conftest.py"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("mypy") is None, reason="mypy is not installed (pip install -e '.[test]')")
def test_mypy_strict() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
