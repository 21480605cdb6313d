"""The short table pytest prints at the end: one line per scenario that recorded evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_infra_parity.report.model import Figure, RunRecord, ScenarioRecord

__all__ = ["ORDER", "summary_lines"]

ORDER = ("failed", "error", "xpassed", "xfailed", "skipped", "passed")
"""How scenarios are ordered in the summary and the report: what needs a look first."""
_SHORT = {"failed": "FAIL", "error": "ERROR", "xpassed": "XPASS", "xfailed": "XFAIL", "skipped": "SKIP",
          "passed": "PASS"}
MAX_LINES = 30
FIGURES_PER_LINE = 4


def _rank(scenario: ScenarioRecord) -> int:
    return ORDER.index(scenario.outcome) if scenario.outcome in ORDER else len(ORDER)


SETTING_KINDS = ("deploy",)
"""Sections that set a scenario up: their figures come after those of what the scenario checked."""


def key_figures(scenario: ScenarioRecord) -> list[Figure]:
    """The scenario's figures, those of what it checked (canary, cost, parity...) before its set-up's."""
    checked = [f for s in scenario.sections if s.kind not in SETTING_KINDS for f in s.figures]
    setting = [f for s in scenario.sections if s.kind in SETTING_KINDS for f in s.figures]
    return checked + setting


def _figure(figure: Figure) -> str:
    return f"{figure.label or figure.name}={figure.text().replace(' ', '')}"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def summary_lines(run: RunRecord, width: int = 120, limit: int = MAX_LINES) -> list[str]:
    """Outcome, scenario and its first key figures; nothing when no scenario recorded evidence."""
    shown = sorted((s for s in run.scenarios if s.sections), key=_rank)
    if not shown:
        return []
    title_width = min(48, max(24, width // 2 - 6), max(len(s.title) for s in shown))
    lines = []
    for scenario in shown[:limit]:
        figures = "  ".join(_figure(f) for f in key_figures(scenario)[:FIGURES_PER_LINE])
        short = _SHORT.get(scenario.outcome, scenario.outcome.upper())
        head = f"{short:<5} {_fit(scenario.title, title_width):<{title_width}}"
        lines.append(_fit(f"{head}  {figures}".rstrip(), width))
    if len(shown) > limit:
        lines.append(f"... and {len(shown) - limit} more scenarios with evidence (write them all with --infra-report)")
    return lines
