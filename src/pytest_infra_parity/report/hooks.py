"""The report room's pytest plugin: carries recorded evidence to the controller and writes the report.

In each process that runs tests, ``pytest_runtest_makereport`` puts the sections recorded on the item
(:mod:`~pytest_infra_parity.report.recorder`) on its teardown report as JSON (``infra_sections``,
``infra_designs``), which pytest-xdist carries to the controller with the report's other attributes.
The controller collects every report (:class:`~pytest_infra_parity.report.collect.Collector`), writes
the ``--infra-report`` files at the end of the session and prints the short summary table.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from pytest_infra_parity.report.collect import Collector
from pytest_infra_parity.report.recorder import RUNNING_KEY, recorded
from pytest_infra_parity.report.scenario_info import scenario_info

if TYPE_CHECKING:
    from pytest_infra_parity.report.model import RunRecord
    from pytest_infra_parity.settings import Settings

__all__ = ["ReportPlugin"]


class ReportPlugin:
    """Registered once per session by ``plugin.py``."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.collector = Collector(settings)
        self.written: list[str] = []
        self.errors: list[str] = []
        self._run: RunRecord | None = None

    def run(self) -> RunRecord:
        """The run's record, built once at the end of the session (for the files and the summary)."""
        if self._run is None:
            self._run = self.collector.run()
        return self._run

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        """Remember the test being run, for :func:`~pytest_infra_parity.report.recorder.record_on_running_test`."""
        running = item.config.stash.setdefault(RUNNING_KEY, [])
        running.append(item)
        try:
            return (yield)
        finally:
            running.pop()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        if call.when == "teardown":
            sections, designs = recorded(item)
            report.infra_sections = [section.as_json() for section in sections]
            report.infra_designs = list(designs)
            report.infra_scenario = scenario_info(item)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not self.is_worker:
            self.collector.add(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker or not self.settings.reports:
            return
        from pytest_infra_parity.report.write import write_reports

        self.written, self.errors = write_reports(self.run(), self.settings.reports)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker:
            return
        from pytest_infra_parity.report.terminal import summary_lines

        lines = summary_lines(self.run(), width=terminalreporter._tw.fullwidth)
        if lines:
            terminalreporter.section("infra-parity evidence", sep="-")
            for line in lines:
                terminalreporter.write_line(line)
        for path in self.written:
            terminalreporter.write_line(f"infra-parity: report written to {path}")
        for error in self.errors:
            terminalreporter.write_line(f"infra-parity: {error}", red=True)
