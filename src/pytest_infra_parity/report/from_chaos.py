"""Report evidence of the chaos room: a build race, state locks, a deployment killed mid-way.

- ``build-race`` (:func:`build_race_section`): a ``gantt`` chart of the first failing round (one lane per
  build, from its measured start to its end, failing builds bad), or of the last round when every round
  passed; a second ``gantt`` of the kill checks (the killed build, the SIGKILL as a zero-length span, the
  next build); a table of rounds (round, builds, failures, first error). Figures ``build_race.rounds``,
  ``build_race.builds``, ``build_race.failures``, ``build_race.identical`` (1 when every artifact equals its
  reference, else 0).
- ``locks`` (:func:`locks_section`): the locks found, released or left (who, when, age, where). Figure
  ``locks.stale``, ``locks.released`` or ``locks.left``.
- ``kill`` (:func:`kill_section`): what the killed deployment left after the next run's cleanup. Figures
  ``kill.created``, ``kill.leftovers``, ``kill.locks_left``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pytest_infra_parity.report.model import Cell, Chart, Figure, Section, Span, Table, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.chaos.build_report import BuildResult, KillResult, RaceReport
    from pytest_infra_parity.chaos.kill import KillOutcome
    from pytest_infra_parity.chaos.lock_formats import StateLock

__all__ = ["build_race_section", "kill_section", "locks_section", "shown_round"]

CHECKS = ("succeeds", "identical", "leftovers")
LockAction = Literal["stale", "released", "left"]


def _problems(result: BuildResult) -> list[str]:
    return [problem for check in CHECKS for problem in result.problems(check)]


def _kill_problems(kill: KillResult) -> list[str]:
    return [problem for check in CHECKS for problem in kill.problems(check)]


def shown_round(report: RaceReport) -> int | None:
    """The round the chart shows: the first that failed any check, else the last; None without rounds."""
    failing = [index for check in CHECKS if (index := report.first_failing_round(check)) is not None]
    if failing:
        return min(failing)
    return len(report.rounds) - 1 if report.rounds else None


def _lane(result: BuildResult) -> str:
    return f"{result.function}#{result.copy}" if result.copy else result.function


def _round_chart(report: RaceReport, index: int) -> Chart:
    spans: list[Span] = []
    for result in report.rounds[index]:
        start = result.started if result.started is not None else result.jitter_ms / 1000
        problems = _problems(result)
        spans.append(Span(_lane(result), round(start, 4), round(start + result.seconds, 4),
                          label=problems[0] if problems else "ok", tone="bad" if problems else "good"))
    failed = any(span.tone == "bad" for span in spans)
    what = "first failing round" if failed else "last round, every build passed"
    return Chart("gantt", f"Round {index + 1} of {len(report.rounds)} ({what}): {report.schedule.round_text(index)}",
                 x_label="seconds from the round's start", spans=tuple(spans), x_is_time=True)


def _kill_chart(kills: Sequence[KillResult]) -> Chart:
    spans: list[Span] = []
    for number, kill in enumerate(kills, start=1):
        lane = f"kill {number}: {kill.function}"
        end = round(kill.delay, 4)
        spans.append(Span(lane, 0.0, end, label="killed build" if kill.killed else "build (ended first)",
                          tone="neutral"))
        spans.append(Span(lane, end, end, label=f"SIGKILL {kill.trigger}".strip() if kill.killed
                          else "kill point not reached", tone="bad" if kill.killed else "warn"))
        bad = bool(_kill_problems(kill))
        spans.append(Span(lane, end, round(end + kill.recovery.seconds, 4), label="next build",
                          tone="bad" if bad else "good"))
    return Chart("gantt", "Kill checks (each lane from its killed build's start; the next build follows the kill)",
                 x_label="seconds", spans=tuple(spans), x_is_time=True)


def _round_row(name: str, results: Sequence[BuildResult]) -> tuple[Cell, ...]:
    failing = [(result, problems) for result in results if (problems := _problems(result))]
    first = f"{failing[0][0].label}: {failing[0][1][0]}" if failing else ""
    return (Cell(name), Cell(str(len(results))), Cell(str(len(failing)), "bad" if failing else "good"),
            Cell(first, "bad" if failing else "neutral"))


def _kill_rows(kills: Sequence[KillResult]) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for number, kill in enumerate(kills, start=1):
        problems = _kill_problems(kill)
        rows.append((Cell(str(number)), Cell(kill.function), Cell(kill.trigger or "-"),
                     Cell(f"{kill.delay:.2f}s" if kill.killed else "not killed", "neutral" if kill.killed else "warn"),
                     Cell("; ".join(problems) or "ok", "bad" if problems else "good")))
    return rows


def _race_tables(report: RaceReport) -> list[Table]:
    rows = [_round_row("reference", list(report.references.values()))] if report.references else []
    rows += [_round_row(str(index + 1), results) for index, results in enumerate(report.rounds)]
    tables = [table("Rounds", ("round", "builds", "failures", "first error"), rows)]
    if report.kills:
        tables.append(table("Kill checks", ("check", "function", "killed", "at", "next build"),
                            _kill_rows(report.kills)))
    if report.leftovers:
        tables.append(table("Left behind in the workspace", ("kind", "path"),
                            [(Cell(left.kind, "bad"), Cell(left.path)) for left in report.leftovers]))
    return tables


def build_race_section(report: RaceReport) -> Section:
    """The ``build-race`` section of a race (also one with no round, or only kill checks)."""
    failures = sum(1 for result in report.builds if _problems(result))
    failures += sum(1 for kill in report.kills if _kill_problems(kill))
    identical = report.check_ok("identical")
    index = shown_round(report)
    charts = [_round_chart(report, index)] if index is not None else []
    if report.kills:
        charts.append(_kill_chart(report.kills))
    first = [i for check in CHECKS if (i := report.first_failing_round(check)) is not None]
    text = f"replay: {report.replay_command(min(first))}" if first else ""
    figures = (Figure("build_race.rounds", len(report.rounds), label="rounds"),
               Figure("build_race.builds", len(report.builds), label="builds"),
               Figure("build_race.failures", failures, label="failed builds and kill checks",
                      tone="bad" if failures else "good"),
               Figure("build_race.identical", int(identical), label="identical artifacts (1 = yes)",
                      tone="good" if identical else "bad"))
    return Section(kind="build-race", title=f"Build race: {report.race.command}",
                   verdict="good" if report.ok else "bad", summary=report.headline(), figures=figures,
                   tables=tuple(_race_tables(report)), charts=tuple(charts), text=text)


def duration(seconds: float | None) -> str:
    """``2 h``, ``1.5 h``, ``30 min``, ``12 s``; ``unknown`` for None."""
    if seconds is None:
        return "unknown"
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{seconds:.0f} s"


_LOCK_TITLES = {"stale": "State locks held too long", "released": "State locks released",
                "left": "State locks left behind"}


def locks_section(locks: Iterable[StateLock], action: LockAction, *, older_than: float | None = None,
                  now: datetime | None = None, where: str = "") -> Section:
    """The ``locks`` section of ``locks`` found stale (``older_than`` seconds), released or left behind."""
    found = list(locks)
    moment = now or datetime.now(UTC)
    incomplete = [lock for lock in found if not lock.who or lock.created is None]
    tone: Tone = "bad" if action == "left" else "neutral"
    rows: list[tuple[Cell, ...]] = [(Cell(lock.who or "unknown", "bad" if not lock.who else tone),
             Cell(lock.created.isoformat(timespec="seconds") if lock.created else "unknown",
                  "bad" if lock.created is None else "neutral"),
             Cell(duration(lock.age(moment))), Cell(lock.address), Cell(lock.kind), Cell(lock.operation or "-"))
            for lock in sorted(found, key=lambda lock: lock.address)]
    verdict: Tone
    if action == "left":
        verdict = "bad" if found else "good"
    elif action == "stale":
        verdict = "bad" if not found or incomplete else "good"
    else:
        verdict = "good" if found else "neutral"
    limit = f" (held longer than {duration(older_than)})" if older_than is not None else ""
    scope = f" in {where}" if where else ""
    summary = f"{len(found)} lock{'s' * (len(found) != 1)} {action}{limit}{scope}"
    if incomplete:
        summary += f"; {len(incomplete)} without who or when"
    tables = (table("Locks", ("who", "when", "age", "where", "kind", "operation"), rows),) if rows else ()
    return Section(kind="locks", title=_LOCK_TITLES[action] + limit, verdict=verdict, summary=summary,
                   figures=(Figure(f"locks.{action}", len(found), label=f"locks {action}",
                                   tone="bad" if action == "left" and found else "neutral"),),
                   tables=tables)


def _leftover_rows(outcome: KillOutcome) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = [(Cell("could not delete", "bad"), Cell(line)) for line in outcome.sweep_failed]
    rows += [(Cell("still tagged by infra-parity", "bad"), Cell(arn)) for arn in outcome.stray]
    rows += [(Cell("left without a tag (the sweeper cannot see it)", "bad"), Cell(name)) for name in outcome.orphans]
    rows += [(Cell("state lock", "bad"), Cell(lock.describe())) for lock in outcome.locks_left]
    return rows


def kill_section(outcome: KillOutcome) -> Section:
    """The ``kill`` section: what was created before the kill, cleaned up, and left behind."""
    rows = _leftover_rows(outcome)
    created = ", ".join(outcome.created) or "none"
    killed = "killed" if outcome.killed else "ended before it could be killed"
    summary = (f"{outcome.what}: {killed} after creating {len(outcome.created)} resource"
               f"{'s' * (len(outcome.created) != 1)} ({created}); the next run's cleanup deleted "
               f"{len(outcome.swept)} and released {len(outcome.released)} lock(s); {len(rows)} left behind")
    verdict: Tone = "bad" if rows else ("good" if outcome.killed else "warn")
    tables: list[Table] = [table("Left behind", ("what", "resource"), rows)] if rows else []
    if outcome.released:
        tables.append(table("Locks released by the cleanup", ("lock",), [(Cell(a, "good"),) for a in outcome.released]))
    figures = (Figure("kill.created", len(outcome.created), label="created before the kill"),
               Figure("kill.leftovers", len(rows), label="left behind", tone="bad" if rows else "good"),
               Figure("kill.locks_left", len(outcome.locks_left), label="state locks left",
                      tone="bad" if outcome.locks_left else "good"))
    tail = "\n".join(outcome.output.splitlines()[-40:])
    return Section(kind="kill", title=f"Deployment killed mid-way: {outcome.what}", verdict=verdict, summary=summary,
                   figures=figures, tables=tuple(tables), text=tail)
