"""Build the run's record on the controller from the test reports (also those xdist workers send).

A failure's message is written for a reader: a ``pytest.fail(msg, pytrace=False)`` failure (the steps'
readable ones) is its message, whole; any other failure is a headline (the exception's message from
pytest's ``reprcrash``, then ``at path:line``), a blank line, and the end of the traceback, where the
assertion is (``report.html`` shows the headline and folds the traceback).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.report.model import RunRecord, ScenarioRecord, Section

if TYPE_CHECKING:
    import pytest

    from pytest_infra_parity.settings import Settings

__all__ = ["Collector", "failure_message", "outcome_of"]

MAX_MESSAGE = 4000
"""Characters of a failure's text the report keeps: the end of a traceback (the failing line and its
exception come last), the start of a readable ``pytrace=False`` message."""
MAX_HEADLINE_LINES = 12
_WORKER_LINE = re.compile(r"\A\[gw\d+\] [^\n]* -- Python [^\n]*\n+")
"""pytest-xdist's first line of a worker's failure (``[gw1] linux -- Python 3.11.7 /usr/bin/python``)."""


@dataclass
class _Test:
    nodeid: str
    reports: list[pytest.TestReport] = field(default_factory=list)


def outcome_of(reports: list[pytest.TestReport]) -> tuple[str, str]:
    """The test's outcome as pytest's summary counts it, and its message (failure, skip or xfail reason)."""
    for report in reports:  # setup, call, teardown, in order
        xfail = getattr(report, "wasxfail", None)
        if report.when == "call" and xfail is not None:
            return ("xfailed", str(xfail)) if report.skipped else ("xpassed", str(xfail))
        if report.failed:
            return ("failed" if report.when == "call" else "error"), failure_message(report)
        if report.skipped:
            return "skipped", _skip_reason(report)
    return "passed", ""


def _text(report: pytest.TestReport) -> str:
    text = _WORKER_LINE.sub("", report.longreprtext or "", count=1)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "\n[...]"


def failure_message(report: pytest.TestReport) -> str:
    """What the report shows of a failure: a readable message whole, else a headline and the traceback's end."""
    longrepr: Any = report.longrepr
    reprtraceback = getattr(longrepr, "reprtraceback", None)
    if getattr(reprtraceback, "style", None) == "value":  # pytest.fail(..., pytrace=False): the message is all
        return _text(report).strip("\n")
    traceback = _WORKER_LINE.sub("", report.longreprtext or "", count=1).strip("\n")
    if len(traceback) > MAX_MESSAGE:
        end = traceback[-MAX_MESSAGE:]
        traceback = "[...]\n" + end[end.find("\n") + 1:] if "\n" in end else "[...]" + end
    return f"{_headline(report, traceback)}\n\n{traceback}" if traceback else _headline(report, traceback)


def _headline(report: pytest.TestReport, traceback: str) -> str:
    """The exception's message and ``at path:line``: pytest's ``reprcrash``, else the traceback's last ``E`` line."""
    crash: Any = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        lines = [line for line in str(crash.message).splitlines() if line.strip()]
        where = f"{_relative(str(crash.path))}:{crash.lineno}"
    else:
        errors = [line[1:].strip() for line in traceback.splitlines() if line.startswith("E ") and line[1:].strip()]
        lines = errors[-1:] or traceback.splitlines()[:1] or ["(no message)"]
        path, line, _ = report.location
        where = f"{path}:{(line or 0) + 1}"
    if len(lines) > MAX_HEADLINE_LINES:
        lines = [*lines[:MAX_HEADLINE_LINES], "[...]"]
    return "\n".join([*lines, f"at {where}"])


def _relative(path: str) -> str:
    """``path`` from the current folder (pytest's rootdir, usually) when it is inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if relative.startswith("..") else relative


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr: Any = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason[len("Skipped: "):] if reason.startswith("Skipped: ") else reason
    return _text(report)


class Collector:
    """Keeps every test's reports, in the order tests finished; :meth:`run` builds the record."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._clock = time.monotonic()
        self._tests: dict[str, _Test] = {}

    def add(self, report: pytest.TestReport) -> None:
        self._tests.setdefault(report.nodeid, _Test(report.nodeid)).reports.append(report)

    def run(self) -> RunRecord:
        from pytest_infra_parity import __version__

        run = RunRecord(started=self.started, target=self.settings.target, region=self.settings.region,
                        plugin_version=__version__, duration=time.monotonic() - self._clock)
        for test in self._tests.values():
            scenario = self._scenario(test)
            if scenario.sections or scenario.steps or scenario.outcome != "passed":
                run.scenarios.append(scenario)
            else:
                run.unlisted[scenario.outcome] = run.unlisted.get(scenario.outcome, 0) + 1
        return run

    def _scenario(self, test: _Test) -> ScenarioRecord:
        outcome, message = outcome_of(test.reports)
        record = ScenarioRecord(nodeid=test.nodeid, title=test.nodeid.split("::")[-1], outcome=outcome,
                                duration=sum(r.duration for r in test.reports), target=self.settings.target,
                                message=message)
        designs: list[str] = []
        for report in test.reports:
            record.sections += [Section.from_json(data) for data in getattr(report, "infra_sections", ())]
            designs += [d for d in getattr(report, "infra_designs", ()) if d not in designs]
            scenario = getattr(report, "infra_scenario", None)  # pytest-bdd's scenario (scenario_info)
            if isinstance(scenario, dict):
                _describe(record, scenario)
        record.design = ", ".join(designs)
        return record


def _describe(record: ScenarioRecord, scenario: dict[str, Any]) -> None:
    """Title, feature and steps from :func:`~pytest_infra_parity.report.scenario_info.scenario_info`."""
    record.title = str(scenario.get("name") or record.title)
    record.feature = str(scenario.get("feature", ""))
    record.feature_file = f"{scenario.get('feature_file', '')}:{scenario.get('line', '')}".rstrip(":")
    record.steps = [dict(step) for step in scenario.get("steps", ())]
