"""``infra-parity locks`` / ``unlock``: the default target is stated, errors name the CLI's own options, and
``--target aws --endpoint URL`` reaches any AWS-compatible endpoint (here a moto server)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.chaos.lock_writers import write_terraform_table_lock
from pytest_infra_parity.cli import main


@pytest.mark.parametrize("command", ["locks", "unlock"])
def test_the_help_states_the_default_target_and_how_to_reach_another_endpoint(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "default: localstack" in out and "--target aws --endpoint URL" in out


def test_an_unreachable_localstack_is_reported_with_the_cli_options(capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["locks", "--endpoint", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "http://127.0.0.1:9" in err and "--endpoint URL" in err and "--target aws --endpoint URL" in err
    assert "--infra-" not in err


def test_any_aws_compatible_endpoint_with_target_aws(moto_endpoint: str, clients: Callable[[str], Any],
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # anything but the loopback endpoint fails at once
    write_terraform_table_lock(clients, "lk-endpoint", "acme", "ep.tfstate", who="dave@ci",
                               created=datetime.now(UTC) - timedelta(hours=2))
    scope = ["--target", "aws", "--endpoint", moto_endpoint, "--region", "us-east-1", "--allowed-account",
             "123456789012", "--table", "lk-endpoint", "--bucket", "none-here"]
    assert main(["locks", *scope, "--older-than", "1h"]) == 1
    out = capsys.readouterr().out
    assert f"endpoint override {moto_endpoint}" in out and "dynamodb://lk-endpoint/acme/ep.tfstate" in out
    assert "dave@ci" in out
    assert main(["unlock", *scope, "acme/ep.tfstate", "--yes"]) == 0
    assert "released dynamodb://lk-endpoint/acme/ep.tfstate" in capsys.readouterr().out
    assert "AWS_ENDPOINT_URL" not in os.environ, "the endpoint must not leak out of the command"
