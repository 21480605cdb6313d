"""``infra-parity cost SOURCE``: breakdown, JSON, usage file, currency, budget exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_infra_parity.cli import main


def test_a_design_in_its_budget_currency(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "cityguided"]) == 0
    out = capsys.readouterr().out
    assert "in eu-west-3" in out and "currency: 1 EUR = 1.0411 USD" in out
    assert "TOTAL 30.89 EUR a month" in out and "LoadBalancer" in out and "assumptions:" in out


def test_json_with_a_usage_file_a_region_and_a_rate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("requests_per_day: 0\nlog_gb_per_month: 0\nresources:\n  Service: {task_hours_per_month: 0}\n")
    assert main(["cost", "cityguided", "--usage", str(usage), "--region", "us-east-1", "--currency", "EUR",
                 "--rate", "1.25", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # no traffic, no task: the ALB's 730 h x 0.0225 + its 2 x 730 IPv4 address-hours x 0.005 + 9 alarm metrics
    expected_usd = 730 * 0.0225 + 2 * 730 * 0.005 + 9 * 0.10
    assert data["total_usd"] == pytest.approx(expected_usd, abs=1e-6)
    assert data["total"] == pytest.approx(expected_usd / 1.25, abs=1e-6)
    assert data["region"] == "us-east-1" and data["currency"]["usd_per_unit"] == 1.25


def test_the_budget_sets_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "huntaze-skeleton", "--budget", "45"]) == 0
    assert main(["cost", "huntaze-skeleton", "--budget", "0.5"]) == 1
    capsys.readouterr()


@pytest.mark.parametrize(("args", "message"), [
    (["cost", "no-such-design"], "'no-such-design' is not a file, a folder, nor a design"),
    (["cost", "cityguided", "--currency", "CHF"], "no exchange rate for CHF"),
    (["cost", "cityguided", "--prices", "live"], "--target aws"),
])
def test_errors_are_one_line(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_bad_usage_file_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text("usage: {requests_per_day: lots}\n")
    assert main(["cost", "cityguided", "--usage", str(usage)]) == 2
    assert f"{usage}: usage.requests_per_day must be a number >= 0, got 'lots'" in capsys.readouterr().err
