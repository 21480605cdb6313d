"""The terminal summary: what needs a look first, the figures of what each scenario checked."""

from __future__ import annotations

from pytest_infra_parity.report.model import RunRecord
from pytest_infra_parity.report.terminal import key_figures, summary_lines

from .conftest import canary_section, deploy_section


def test_failures_first_and_lines_fit_the_terminal(sample_run: RunRecord) -> None:
    lines = summary_lines(sample_run, width=80)
    assert lines[0].startswith("FAIL ")
    order = [line.split()[0] for line in lines]
    assert order == sorted(order, key=["FAIL", "ERROR", "XPASS", "XFAIL", "SKIP", "PASS"].index)
    assert all(len(line) <= 80 for line in lines)
    shown = {s.title for s in sample_run.scenarios if s.sections}
    assert len(lines) == len(shown)


def test_figures_of_what_was_checked_come_before_the_deployment(sample_run: RunRecord) -> None:
    scenario = next(s for s in sample_run.scenarios if s.sections)
    scenario.sections = [deploy_section(), canary_section()]
    figures = key_figures(scenario)
    assert figures[0].name.startswith("canary.") and figures[-1].name.startswith("deploy.")


def test_long_runs_are_cut_with_a_pointer_to_the_report(run_builder) -> None:  # type: ignore[no-untyped-def]
    run = run_builder(20)
    lines = summary_lines(run, width=120, limit=5)
    assert len(lines) == 6
    assert lines[-1].startswith("... and ") and "--infra-report" in lines[-1]


def test_nothing_recorded_nothing_printed() -> None:
    assert summary_lines(RunRecord("2026-11-22T00:00:00Z", "moto", "us-east-1", "0.1.0")) == []
