"""Fixtures of the chaos tests: boto3 clients on the shared moto server, small function folders."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

HERE = Path(__file__).resolve().parent
RACY = f"{sys.executable} {HERE / 'racy_build.py'} {{function}} {{src}} {{out}}"
PACKAGE = f"{sys.executable} -m pytest_infra_parity.cli package {{src}} -o {{out}}"


@pytest.fixture(scope="session")
def clients(moto_endpoint: str) -> Callable[[str], Any]:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    cache: dict[str, Any] = {}

    def factory(service: str) -> Any:
        if service not in cache:
            cache[service] = session.client(service, endpoint_url=moto_endpoint, config=config)
        return cache[service]

    return factory


@pytest.fixture
def functions(tmp_path: Path) -> Path:
    """``functions/{api,worker}`` with different files (and one file they share)."""
    root = tmp_path / "project" / "functions"
    for name, body in (("api", "def handler(event, context):\n    return 'api'\n"),
                       ("worker", "def handler(event, context):\n    return 'worker'\n")):
        (root / name / "lib").mkdir(parents=True)
        (root / name / "app.py").write_text(body)
        (root / name / "lib" / f"{name}_only.py").write_text(f"NAME = {name!r}\n")
        (root / name / "lib" / "__init__.py").write_text("")
    return root


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRA_PARITY_CACHE_DIR", str(tmp_path / "cache"))
