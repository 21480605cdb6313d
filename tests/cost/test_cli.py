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


def test_over_budget_says_why_and_by_how_much(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "cityguided", "--budget", "25"]) == 1
    out = capsys.readouterr().out
    assert "TOTAL 30.89 EUR a month" in out
    assert out.rstrip().splitlines()[-1] == "over budget: 30.89 EUR a month, 5.89 EUR above the budget of 25 EUR"


def test_within_budget_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "cityguided", "--budget", "40"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1] == "within budget: 30.89 EUR a month, 9.11 EUR under the budget of 40 EUR"


def test_the_json_has_a_budget_block(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "cityguided", "--budget", "25", "--json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    budget = data["budget"]
    assert budget["amount"] == 25 and budget["currency"] == "EUR" and budget["status"] == "over"
    assert budget["total"] == pytest.approx(data["total"]) and budget["over_by"] == pytest.approx(data["total"] - 25)
    assert budget["unpriced"] == 0 and budget["reason"].startswith("over budget: 30.89 EUR a month")
    assert "over budget: 30.89 EUR" in captured.err  # the verdict also reaches a terminal, JSON stays clean
    assert main(["cost", "cityguided", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["budget"] is None


def test_unpriced_items_are_named_when_they_block_the_budget(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "cityguided", "--budget", "25", "--region", "ap-south-2"]) == 1
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert last.startswith("cannot check the budget of 25 EUR: 0.00 EUR a month priced, but 12 item(s) could "
                           "not be priced (cost unknown, not zero)")
    assert "region ap-south-2 is not in the price catalog (eu-west-1, eu-west-3, us-east-1)" in last


def test_unpriced_items_are_listed_when_the_region_is_known(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("Resources:\n  Nlb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
                        "    Properties: {Type: network}\n")
    assert main(["cost", str(template), "--budget", "10"]) == 1
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert "1 item(s) could not be priced" in last
    assert "Nlb: network load balancer (only Application Load Balancers are in the catalog)" in last


@pytest.mark.parametrize("amount", ["-5", "0", "nan", "inf"])
def test_the_budget_must_be_an_amount_above_zero(amount: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "cityguided", "--budget", amount]) == 2
    err = capsys.readouterr().err
    assert f"--budget must be an amount above 0, got {amount}" in err and len(err.strip().splitlines()) == 1
