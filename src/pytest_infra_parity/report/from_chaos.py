"""Report evidence of the chaos room: a build race, state locks, a deployment killed mid-way.

- ``build-race`` (:func:`build_race_section`), titled with its rounds and builds in parallel, the build
  command in its summary: a ``gantt`` chart of the schedule of the first failing round (one lane per build,
  from its measured start to its end, failing builds bad), or of the last round when every round passed (the
  round's start order and jitter, and the seed, in the section's text); a second ``gantt`` of the kill checks
  (the killed build, the SIGKILL as a zero-length span, the next build); a table of rounds (round, builds,
  failures, first error), one line when every round passed. Figures ``build_race.rounds``,
  ``build_race.builds``, ``build_race.failures`` (a count to plot) and ``build_race.identical`` (``yes``
  when every artifact equals its reference, else ``no``).
- ``locks`` (:func:`locks_section` of a scenario's :class:`LockEvidence`): one section a scenario's lock steps
  record again as they go (the stale locks found, then released, then what is left behind): one table of the
  locks (who, when, age, where, kind, operation, released). Figures ``locks.stale``, ``locks.released``,
  ``locks.left`` (each once its step ran).
- ``kill`` (:func:`kill_section`): what the killed deployment left after the next run's cleanup. Figures
  ``kill.created``, ``kill.leftovers``, ``kill.locks_left``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pytest_infra_parity.report.model import Cell, Chart, Figure, Section, Span, Table, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.chaos.build_report import BuildResult, KillResult, RaceReport
    from pytest_infra_parity.chaos.kill import KillOutcome
    from pytest_infra_parity.chaos.lock_formats import StateLock

__all__ = ["LockEvidence", "build_race_section", "kill_section", "locks_section", "shown_round"]

CHECKS = ("succeeds", "identical", "leftovers")


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
    what = "first failure" if failed else "last round, all passed"
    return Chart("gantt", f"Schedule of round {index + 1} ({what})", x_label="seconds from the round's start",
                 spans=tuple(spans), x_is_time=True)


def _schedule_note(report: RaceReport, index: int) -> str:
    """``round 3 of 10, start order (jitter): api#1 +45 ms, refresh +35 ms; seed 197625``."""
    jobs = ", ".join(f"{job.function}{f'#{job.copy}' if job.copy else ''} +{job.jitter_ms} ms"
                     for job in report.schedule.rounds[index])
    seed = f"; seed {report.schedule.seed}" if report.schedule.seed is not None else ""
    return (f"schedule of round {index + 1} of {len(report.rounds)}, start order (jitter): {jobs}{seed} "
            f"(as --schedule: {report.schedule.round_text(index)})")


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
                     Cell(f"{kill.delay:.2f}s" if kill.killed else f"not killed (ended at {kill.delay:.2f}s)",
                          "neutral" if kill.killed else "warn"),
                     Cell("; ".join(problems) or "ok", "bad" if problems else "good")))
    return rows


def _rounds_table(report: RaceReport) -> Table:
    """A row per round (the reference builds first); one line when every build passed."""
    rows = [_round_row("reference", list(report.references.values()))] if report.references else []
    rows += [_round_row(str(index + 1), results) for index, results in enumerate(report.rounds)]
    columns = ("round", "builds", "failures", "first error")
    if len(rows) > 1 and all(row[2].tone == "good" for row in rows):
        rounds = len(report.rounds)
        what = f"all {rounds} round{'s' * (rounds != 1)}" + (" and the reference builds" if report.references else "")
        line = (Cell(what), Cell(str(len(report.builds))), Cell("0", "good"), Cell("no failure", "good"))
        return table("Rounds", columns, [line])
    return table("Rounds", columns, rows)


def _race_tables(report: RaceReport) -> list[Table]:
    tables = [_rounds_table(report)]
    if report.kills:
        tables.append(table("Kill checks", ("check", "function", "kill point", "killed at", "next build"),
                            _kill_rows(report.kills)))
    if report.leftovers:
        tables.append(table("Left behind in the workspace", ("kind", "path"),
                            [(Cell(left.kind, "bad"), Cell(left.path)) for left in report.leftovers]))
    return tables


def _race_title(report: RaceReport) -> str:
    if report.rounds:
        return f"Parallel builds: {len(report.rounds)} rounds x {report.race.parallel} builds"
    kills = len(report.kills)
    return f"Builds killed mid-way: {kills} kill check{'s' * (kills != 1)}"


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
    text = [_schedule_note(report, index)] if index is not None else []
    text += [f"replay: {report.replay_command(min(first))}"] if first else []
    figures = (Figure("build_race.rounds", len(report.rounds), label="rounds"),
               Figure("build_race.builds", len(report.builds), label="builds"),
               Figure("build_race.failures", failures, label="failed builds and kill checks",
                      tone="bad" if failures else "good"),
               Figure("build_race.identical", "yes" if identical else "no", label="identical artifacts",
                      tone="good" if identical else "bad"))
    summary = f"{report.headline()}. build command: {report.race.command}"
    return Section(kind="build-race", title=_race_title(report), verdict="good" if report.ok else "bad",
                   summary=summary, figures=figures, tables=tuple(_race_tables(report)), charts=tuple(charts),
                   text="\n".join(text))


def duration(seconds: float | None) -> str:
    """``2 h``, ``1.5 h``, ``30 min``, ``12 s``; ``unknown`` for None."""
    if seconds is None:
        return "unknown"
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{seconds:.0f} s"


@dataclass
class LockEvidence:
    """What the lock steps of one scenario found so far (``None``: that step has not run)."""

    where: tuple[str, ...] = ()
    """The lock stores looked in (tables, buckets)."""
    older_than: float | None = None
    stale: list[StateLock] | None = None
    """The locks held longer than ``older_than``."""
    released: list[StateLock] | None = None
    left: list[StateLock] | None = None
    """The locks still there when the scenario checked that none is left behind."""


def _released_cell(lock: StateLock, evidence: LockEvidence) -> Cell:
    left = {found.address for found in evidence.left or ()}
    if lock.address in {found.address for found in evidence.released or ()}:
        return Cell("yes (still there)", "bad") if lock.address in left else Cell("yes", "good")
    if lock.address in left:
        return Cell("no: left behind", "bad")
    return Cell("no" if evidence.released is not None else "-")


def _lock_rows(evidence: LockEvidence, moment: datetime) -> list[tuple[Cell, ...]]:
    seen: dict[str, StateLock] = {}
    for lock in [*(evidence.stale or ()), *(evidence.released or ()), *(evidence.left or ())]:
        seen.setdefault(lock.address, lock)
    return [(Cell(lock.who or "unknown", "bad" if not lock.who else "neutral"),
             Cell(lock.created.isoformat(timespec="seconds") if lock.created else "unknown",
                  "bad" if lock.created is None else "neutral"),
             Cell(duration(lock.age(moment))), Cell(lock.address), Cell(lock.kind), Cell(lock.operation or "-"),
             _released_cell(lock, evidence)) for lock in sorted(seen.values(), key=lambda lock: lock.address)]


def _lock_verdict(evidence: LockEvidence, incomplete: int) -> Tone:
    if evidence.left or (evidence.stale is not None and (not evidence.stale or incomplete)):
        return "bad"
    return "good" if evidence.stale is not None or evidence.left is not None or evidence.released else "neutral"


def _lock_figures(evidence: LockEvidence) -> tuple[Figure, ...]:
    figures = []
    if evidence.stale is not None:
        figures.append(Figure("locks.stale", len(evidence.stale), label="locks held too long"))
    if evidence.released is not None:
        figures.append(Figure("locks.released", len(evidence.released), label="locks released"))
    if evidence.left is not None:
        figures.append(Figure("locks.left", len(evidence.left), label="left behind",
                              tone="bad" if evidence.left else "good"))
    return tuple(figures)


def locks_section(evidence: LockEvidence, *, now: datetime | None = None) -> Section:
    """The scenario's ``locks`` section: the locks found stale, released and left behind, in one table."""
    moment = now or datetime.now(UTC)
    found = [*(evidence.stale or ()), *(evidence.left or ())]
    incomplete = len({lock.address for lock in found if not lock.who or lock.created is None})
    limit = f" held longer than {duration(evidence.older_than)}" if evidence.older_than is not None else ""
    parts = []
    if evidence.stale is not None:
        count = len(evidence.stale)
        parts.append(f"{count} lock{'s' * (count != 1)}{limit}")
    for locks, what in ((evidence.released, "released"), (evidence.left, "left behind")):
        if locks is not None:  # the first part says what is counted: "0 locks left behind"
            parts.append(f"{len(locks)} {what}" if parts else f"{len(locks)} lock{'s' * (len(locks) != 1)} {what}")
    parts = parts or ["no lock looked for yet"]
    parts[0] += f" in {', '.join(evidence.where)}" if evidence.where else ""
    summary = "; ".join(parts) + (f"; {incomplete} without who or when" if incomplete else "")
    rows = _lock_rows(evidence, moment)
    columns = ("who", "when", "age", "where", "kind", "operation", "released")
    title = "State locks" + (limit or (" left behind" if evidence.left is not None else ""))
    return Section(kind="locks", title=title, verdict=_lock_verdict(evidence, incomplete), summary=summary,
                   figures=_lock_figures(evidence), tables=(table("Locks", columns, rows),) if rows else ())


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
