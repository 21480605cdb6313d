"""``infra-parity report``: merge runs into one page, and check every feature scenario recorded evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_infra_parity.cli import main
from pytest_infra_parity.report.json_out import read_json, write_json
from pytest_infra_parity.report.model import Figure, RunRecord, ScenarioRecord, Section

FEATURE = """Feature: Shop
  Scenario: Tagged
    Given something
  Scenario: Priced
    Given something
  Scenario: Killed
    Given something
  Scenario Outline: Encrypted
    Given a <kind>
    Examples:
      | kind   |
      | bucket |
      | table  |
"""


def _run(target: str, *scenarios: ScenarioRecord) -> RunRecord:
    return RunRecord(started=f"2026-11-22T0{len(target)}:00:00Z", target=target, region="us-east-1",
                     plugin_version="0.1.0", duration=2.0, scenarios=list(scenarios))


def _scenario(title: str, outcome: str = "passed", evidence: bool = True) -> ScenarioRecord:
    sections = [Section("cost", "cost", figures=(Figure("cost.monthly_usd", 3.0, "USD"),))] if evidence else []
    return ScenarioRecord(nodeid=f"features/shop.feature::{title}", title=title, outcome=outcome,
                          feature="Shop", feature_file="features/shop.feature:2", sections=sections)


@pytest.fixture
def features(tmp_path: Path) -> Path:
    folder = tmp_path / "features"
    folder.mkdir()
    (folder / "shop.feature").write_text(FEATURE)
    return folder


def test_merges_runs_into_one_page_and_one_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _run("moto", _scenario("Tagged"), _scenario("Priced"))
    first.unlisted = {"passed": 40}
    write_json(first, tmp_path / "a.json")
    write_json(_run("localstack", _scenario("Tagged", "failed")), tmp_path / "b.json")
    code = main(["report", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--html", str(tmp_path / "all.html"),
                 "--json", str(tmp_path / "all.json")])
    assert code == 0
    merged = read_json(tmp_path / "all.json")
    assert merged.target == "moto, localstack"
    assert [(s.title, s.outcome) for s in merged.scenarios] == [("Tagged", "passed"), ("Priced", "passed"),
                                                                ("Tagged", "failed")]
    assert merged.duration == 4.0
    assert "merged from 2 runs" in merged.notes
    page = (tmp_path / "all.html").read_text()
    assert "Priced" in page and "localstack" in page
    assert merged.counts() == {"passed": 42, "failed": 1}
    assert "43 tests: 1 failed, 42 passed" in capsys.readouterr().out


def test_require_evidence_lists_scenarios_without_evidence_or_missing(tmp_path: Path, features: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_json(_run("moto", _scenario("Tagged"), _scenario("Priced", evidence=False),
                    _scenario("Encrypted (kind: bucket)"), _scenario("Encrypted (kind: table)", evidence=False)),
               tmp_path / "run.json")
    assert main(["report", str(tmp_path / "run.json"), "--require-evidence", str(features)]) == 1
    out = capsys.readouterr().out
    assert "no evidence: shop.feature: 'Priced' recorded no evidence" in out
    assert "no evidence: shop.feature: 'Killed' is not in the report (did it run?)" in out
    assert "no evidence: shop.feature: 'Encrypted' recorded no evidence" in out  # its table example
    assert "'Tagged'" not in out


def test_skipped_and_absent_scenarios_pass_with_allow_missing(tmp_path: Path, features: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_json(_run("localstack", _scenario("Tagged"), _scenario("Priced"), _scenario("Killed", "skipped", False),
                    _scenario("Encrypted (kind: bucket)"), _scenario("Encrypted (kind: table)")),
               tmp_path / "run.json")
    assert main(["report", str(tmp_path / "run.json"), "--require-evidence", str(features)]) == 0
    assert "every scenario of the features recorded evidence" in capsys.readouterr().out
    write_json(_run("localstack", _scenario("Tagged")), tmp_path / "partial.json")
    assert main(["report", str(tmp_path / "partial.json"), "--require-evidence", str(features),
                 "--allow-missing"]) == 0


def test_a_file_that_is_not_a_report_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "junit.json").write_text('{"testsuites": []}')
    assert main(["report", str(tmp_path / "junit.json")]) == 2
    err = capsys.readouterr().err
    assert "junit.json" in err and "not a pytest-infra-parity run report" in err
    assert "Traceback" not in err


def test_a_malformed_feature_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json(_run("moto", _scenario("Tagged")), tmp_path / "run.json")
    bad = tmp_path / "bad.feature"
    bad.write_text("Feature: x\n  Scenario: y\n    Given a\n  Oops this is not gherkin\n")
    assert main(["report", str(tmp_path / "run.json"), "--require-evidence", str(bad)]) == 2
    assert "bad.feature:4: malformed feature" in capsys.readouterr().err
