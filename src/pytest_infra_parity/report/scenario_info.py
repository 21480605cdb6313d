"""What pytest-bdd knows of a scenario item: its feature, title and every step with how it went.

pytest-bdd keeps a ``ScenarioReport`` per item in ``pytest_bdd.reporting.scenario_reports_registry``
(pytest-bdd 8-9; the attribute it replaced is not carried by xdist either). We read it in the worker and
send plain JSON; steps after a failing one are listed as not run, so a reviewer sees the whole scenario.
A Scenario Outline's examples share one title: each gets its example's values appended (``Data at rest is
encrypted (kind: bucket)``), except the values the title already shows through a ``<placeholder>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

__all__ = ["scenario_info", "titled"]


def _relative(filename: str, item: pytest.Item) -> str:
    path = Path(filename)
    try:
        return path.resolve().relative_to(item.config.rootpath.resolve()).as_posix()
    except ValueError:
        return str(path)


def _example(item: pytest.Item) -> dict[str, str]:
    """The Scenario Outline example the item runs (pytest-bdd parametrizes ``_pytest_bdd_example``), or ``{}``."""
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example") if callspec is not None else None
    return {str(k): str(v) for k, v in example.items()} if isinstance(example, dict) else {}


def _template_name(item: pytest.Item) -> str:
    """The outline's title as written, placeholders included (empty when pytest-bdd does not say)."""
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:
        return ""
    function = getattr(item, "obj", None)
    if function is None:
        return ""
    try:
        template = scenario_wrapper_template_registry.get(function)
    except TypeError:  # an object the weak registry cannot key
        return ""
    return str(getattr(template, "name", "") or "")


def titled(name: str, example: dict[str, str], template: str = "") -> str:
    """``name (kind: bucket, size: 3)``: the example's values the title does not already show."""
    shown = [f"{key}: {value}" for key, value in example.items() if f"<{key}>" not in template]
    return f"{name} ({', '.join(shown)})" if shown else name


def scenario_info(item: pytest.Item) -> dict[str, Any] | None:
    """``{"name", "feature", "feature_file", "line", "steps": [...]}`` for a pytest-bdd item, else ``None``."""
    try:
        from pytest_bdd.reporting import scenario_reports_registry
    except ImportError:  # pytest-bdd older or newer than the registry: no steps in the report
        return None
    report = scenario_reports_registry.get(item)
    if report is None:
        return None
    scenario = report.scenario
    feature = scenario.feature
    ran = {id(step_report.step): step_report for step_report in report.step_reports}
    steps = []
    for step in scenario.steps:
        done = ran.get(id(step))
        status = "not run" if done is None else ("failed" if done.failed else "passed")
        steps.append({"keyword": step.keyword, "name": step.name, "line": step.line_number, "status": status,
                      "duration": float(done.duration) if done is not None else 0.0})
    example = _example(item)
    name = titled(scenario.name, example, _template_name(item)) if example else scenario.name
    return {"name": name, "feature": feature.name, "feature_file": _relative(feature.filename, item),
            "line": scenario.line_number, "steps": steps}
