"""The build race harness: build every function many times, many at once, and compare.

Given a build command template and the functions (name -> source folder), the harness builds each
function once, serially, as the reference; then runs the rounds of a schedule (see :mod:`.schedule`),
each round with up to ``parallel`` builds at once, every build in its own process (``/bin/sh -c``, its
own session so a kill reaches its children), started in the schedule's order after its jitter. It
checks that every build exits 0 and prints no crash signature (:mod:`.signatures`), that every
artifact is byte-identical to its function's reference (or identical after normalising zip
timestamps), that no artifact holds another function's files, and that nothing (lock, temporary
file) is left in the workspace or in the private ``TMPDIR`` each build gets. Kill checks SIGKILL a
build at planned points (:mod:`.build_kill`) and assert the next build of that function succeeds,
unaided. Every setting is checked before the first build (:func:`.build_process.check_command` for the
command's placeholders).

Artifacts and outputs go to ``out_dir`` when given (the caller's folder, kept: pytest's ``tmp_path``),
else to a new temporary folder, removed after the race unless it failed and ``keep_failed`` is set.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pytest_infra_parity.chaos import artifacts
from pytest_infra_parity.chaos.build_kill import KillPoint, kill_check, kill_checks, kill_plan
from pytest_infra_parity.chaos.build_process import check_against, check_command, render, run_build
from pytest_infra_parity.chaos.build_report import BuildResult, RaceReport
from pytest_infra_parity.chaos.schedule import Job, Schedule, parse_schedule, random_schedule
from pytest_infra_parity.chaos.signatures import DEFAULT_SIGNATURES, compile_signatures
from pytest_infra_parity.chaos.workspace import leftovers, snapshot

__all__ = ["BuildRace", "KillPoint", "explore", "kill_check", "kill_plan", "race_functions", "render", "replay",
           "run_build", "run_race"]

REFERENCE_ROUND = -1


@dataclass(frozen=True)
class BuildRace:
    """What to build, how, and how hard."""

    command: str
    functions: dict[str, Path]
    workspace: Path
    """The builds' working directory, checked for leftovers."""
    parallel: int = 4
    signatures: tuple[str, ...] = DEFAULT_SIGNATURES
    normalize_zip_times: bool = False
    timeout: float = 120.0
    ignore: tuple[str, ...] = ()
    """Globs of workspace paths that are not leftovers (caches the build keeps on purpose)."""
    env: dict[str, str] = field(default_factory=dict)
    out_dir: Path | None = None
    """Where artifacts go: the caller's folder, kept (default: a new temporary folder, removed after the race)."""
    suffix: str = ".zip"
    functions_dir: Path | None = None
    """The folder the functions came from (for the replay command)."""
    max_jitter_ms: int = 50
    keep_failed: bool = False
    """Keep the temporary folder of a failed race (its path is in the report); ignored with ``out_dir``."""

    def __post_init__(self) -> None:
        if not self.functions:
            raise ValueError("no function to build")
        if self.parallel < 1:
            raise ValueError(f"parallel must be at least 1, not {self.parallel}")
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            raise ValueError(f"timeout must be above 0 seconds, not {self.timeout}")
        if self.max_jitter_ms < 0:
            raise ValueError(f"max_jitter_ms must be 0 or more, not {self.max_jitter_ms}")
        check_command(self.command)
        compile_signatures(self.signatures)


def _delayed(race: BuildRace, job: Job, round_index: int, out: Path, tmp: Path, round_start: float) -> BuildResult:
    time.sleep(job.jitter_ms / 1000)
    started = time.perf_counter() - round_start
    result = run_build(race, job, round_index, out, tmp)
    result.started = started
    return result


def run_round(race: BuildRace, jobs: Sequence[Job], round_index: int, root: Path) -> list[BuildResult]:
    """The jobs of one round, ``parallel`` at a time, each after its jitter, in the schedule's order (each
    result says when it started, from the round's start: the report draws the round's schedule from it)."""
    folder = root / f"round-{round_index:03d}"
    round_start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=race.parallel) as pool:
        futures = [pool.submit(_delayed, race, job, round_index, folder / f"{job.function}.{job.copy}{race.suffix}",
                               root / "tmp" / f"r{round_index}-{job.function}-{job.copy}", round_start)
                   for job in jobs]
        return [future.result() for future in futures]


def _references(race: BuildRace, root: Path) -> dict[str, BuildResult]:
    found: dict[str, BuildResult] = {}
    for name in race.functions:
        found[name] = run_build(race, Job(name, 0, 0), REFERENCE_ROUND, root / "reference" / f"{name}{race.suffix}",
                                root / "tmp" / f"reference-{name}")
    return found


def run_race(race: BuildRace, schedule: Schedule, *, kills: int = 0, kill_seed: int = 0) -> RaceReport:
    """Reference builds, then every round of ``schedule``, then ``kills`` kill checks (:func:`kill_plan`)."""
    if kills < 0:
        raise ValueError(f"kills must be 0 or more, not {kills}")
    root = race.out_dir or Path(tempfile.mkdtemp(prefix="ipp-build-race-"))
    root.mkdir(parents=True, exist_ok=True)
    before = snapshot(race.workspace, race.ignore, exclude=[root])
    started = time.perf_counter()
    sources = {name: artifacts.source_files(folder) for name, folder in race.functions.items()}
    report = RaceReport(race, schedule, root)
    report.references = _references(race, root)
    for reference in report.references.values():
        check_against(reference, None, sources)
    for index, jobs in enumerate(schedule.rounds):
        results = run_round(race, jobs, index, root)
        for result in results:
            check_against(result, report.references.get(result.function), sources)
        report.rounds.append(results)
    report.kills = kill_checks(race, kills, kill_seed, root, report.references, sources)
    report.leftovers = leftovers(before, snapshot(race.workspace, race.ignore, exclude=[root]))
    report.seconds = time.perf_counter() - started
    if race.out_dir is None and (report.ok or not race.keep_failed):
        shutil.rmtree(root, ignore_errors=True)
        report.kept = False
    return report


def race_functions(race: BuildRace, *, rounds: int, seed: int = 0, kills: int = 0) -> RaceReport:
    """``rounds`` rounds of a schedule drawn from ``seed``, then ``kills`` kill checks."""
    if rounds < 0:
        raise ValueError(f"rounds must be 0 or more, not {rounds}")
    schedule = random_schedule(sorted(race.functions), rounds, race.parallel, seed, race.max_jitter_ms)
    return run_race(race, schedule, kills=kills, kill_seed=seed)


def replay(race: BuildRace, schedule: str | Schedule, *, repeat: int = 1) -> RaceReport:
    """Run a reported schedule again (its text form, as printed in a failure report), ``repeat`` times."""
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, not {repeat}")
    parsed = parse_schedule(schedule, sorted(race.functions)) if isinstance(schedule, str) else schedule
    return run_race(race, Schedule(parsed.rounds * repeat, parsed.seed))


def explore(race: BuildRace, *, rounds: int = 1, max_examples: int = 10) -> RaceReport:
    """Let hypothesis draw schedules until one fails (no shrinking: races do not replay reliably)."""
    from hypothesis import HealthCheck, Phase, given, settings

    from pytest_infra_parity.chaos.schedule import schedules

    reports: list[RaceReport] = []

    @settings(max_examples=max_examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(schedules(sorted(race.functions), rounds, race.parallel, race.max_jitter_ms))
    def probe(schedule: Schedule) -> None:
        if reports and not reports[-1].ok:
            return
        reports.append(run_race(race, schedule))

    probe()
    return next((report for report in reports if not report.ok), reports[-1])
