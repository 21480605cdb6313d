"""The build race harness: build every function many times, many at once, and compare.

Given a build command template and the functions (name -> source folder), the harness builds each
function once, serially, as the reference; then runs the rounds of a schedule (see :mod:`.schedule`),
each round with up to ``parallel`` builds at once, every build in its own process (``/bin/sh -c``, its
own session so a kill reaches its children), started in the schedule's order after its jitter. It
checks that every build exits 0 and prints no crash signature (:mod:`.signatures`), that every
artifact is byte-identical to its function's reference (or identical after normalising zip
timestamps), that no artifact holds another function's files, and that nothing (lock, temporary
file) is left in the workspace or in the private ``TMPDIR`` each build gets. A kill check SIGKILLs a
build at a random moment and asserts the next build of that function succeeds, unaided.

In the command, ``{function}``, ``{src}`` and ``{out}`` are replaced (shell-quoted) by the function's
name, its source folder and the artifact path it must write; they are also in the environment as
``IPP_FUNCTION``, ``IPP_SRC`` and ``IPP_OUT``.
"""

from __future__ import annotations

import contextlib
import os
import random
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pytest_infra_parity.chaos import artifacts
from pytest_infra_parity.chaos.build_report import BuildResult, KillResult, RaceReport
from pytest_infra_parity.chaos.schedule import Job, Schedule, parse_schedule, random_schedule
from pytest_infra_parity.chaos.signatures import DEFAULT_SIGNATURES, compile_signatures, find_crash
from pytest_infra_parity.chaos.workspace import leftovers, snapshot

REFERENCE_ROUND = -1
RECOVERY_ROUND = -2


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
    """Where artifacts go (default: a new temporary folder, removed when everything passed)."""
    suffix: str = ".zip"
    functions_dir: Path | None = None
    """The folder the functions came from (for the replay command)."""
    max_jitter_ms: int = 50

    def __post_init__(self) -> None:
        if not self.functions:
            raise ValueError("no function to build")
        if self.parallel < 1:
            raise ValueError(f"parallel must be at least 1, not {self.parallel}")
        compile_signatures(self.signatures)


def render(command: str, function: str, src: Path, out: Path) -> str:
    """The command with ``{function}``, ``{src}`` and ``{out}`` replaced by shell-quoted values."""
    values = {"{function}": function, "{src}": str(src), "{out}": str(out)}
    for placeholder, value in values.items():
        command = command.replace(placeholder, shlex.quote(value))
    return command


def _start(race: BuildRace, function: str, out: Path, tmp: Path) -> subprocess.Popen[bytes]:
    src = race.functions[function]
    env = {**os.environ, **race.env, "TMPDIR": str(tmp), "IPP_FUNCTION": function, "IPP_SRC": str(src),
           "IPP_OUT": str(out)}
    return subprocess.Popen(["/bin/sh", "-c", render(race.command, function, src, out)], cwd=race.workspace,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _finish(race: BuildRace, process: subprocess.Popen[bytes]) -> tuple[int, str]:
    try:
        output, _ = process.communicate(timeout=race.timeout)
        code = process.returncode
    except subprocess.TimeoutExpired:
        _kill_group(process)
        output, _ = process.communicate()
        code = -int(signal.SIGKILL)
        output += f"\n[infra-parity: killed after the {race.timeout:.0f}s build timeout]".encode()
    return code, output.decode(errors="replace")


def run_build(race: BuildRace, job: Job, round_index: int, out: Path, tmp: Path) -> BuildResult:
    """Run one build and check its exit code, output, artifact and private ``TMPDIR``."""
    tmp.mkdir(parents=True, exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    code, output = _finish(race, _start(race, job.function, out, tmp))
    result = BuildResult(job.function, job.copy, round_index, job.jitter_ms, out, code, output,
                         time.perf_counter() - started)
    result.crash = find_crash(output, compile_signatures(race.signatures))
    try:
        result.artifact = artifacts.read_artifact(out, normalize_zip_times=race.normalize_zip_times)
    except FileNotFoundError:
        result.artifact = None
    left = sorted(p.name for p in tmp.iterdir())
    if left:
        result.temporaries = left
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def _delayed(race: BuildRace, job: Job, round_index: int, out: Path, tmp: Path) -> BuildResult:
    time.sleep(job.jitter_ms / 1000)
    return run_build(race, job, round_index, out, tmp)


def _check_against(result: BuildResult, reference: BuildResult | None,
                   sources: dict[str, dict[str, str]]) -> None:
    if result.artifact is None:
        return
    if reference is not None and reference.artifact is not None and result.artifact.digest != \
            reference.artifact.digest:
        result.mismatch.append("differs from the reference: " + artifacts.difference(reference.artifact,
                                                                                      result.artifact))
    foreign = artifacts.foreign_files(result.function, result.artifact, sources)
    if foreign:
        result.mismatch.append("contains another function's files: " + ", ".join(foreign))


def run_round(race: BuildRace, jobs: Sequence[Job], round_index: int, root: Path) -> list[BuildResult]:
    """The jobs of one round, ``parallel`` at a time, each after its jitter, in the schedule's order."""
    folder = root / f"round-{round_index:03d}"
    with ThreadPoolExecutor(max_workers=race.parallel) as pool:
        futures = [pool.submit(_delayed, race, job, round_index, folder / f"{job.function}.{job.copy}{race.suffix}",
                               root / "tmp" / f"r{round_index}-{job.function}-{job.copy}") for job in jobs]
        return [future.result() for future in futures]


def _references(race: BuildRace, root: Path) -> dict[str, BuildResult]:
    found: dict[str, BuildResult] = {}
    for name in race.functions:
        found[name] = run_build(race, Job(name, 0, 0), REFERENCE_ROUND, root / "reference" / f"{name}{race.suffix}",
                                root / "tmp" / f"reference-{name}")
    return found


def run_race(race: BuildRace, schedule: Schedule, *, kills: int = 0, kill_seed: int = 0) -> RaceReport:
    """Reference builds, then every round of ``schedule``, then ``kills`` kill checks."""
    root = race.out_dir or Path(tempfile.mkdtemp(prefix="ipp-build-race-"))
    root.mkdir(parents=True, exist_ok=True)
    before = snapshot(race.workspace, race.ignore, exclude=[root])
    started = time.perf_counter()
    sources = {name: artifacts.source_files(folder) for name, folder in race.functions.items()}
    report = RaceReport(race, schedule, root)
    report.references = _references(race, root)
    for reference in report.references.values():
        _check_against(reference, None, sources)
    for index, jobs in enumerate(schedule.rounds):
        results = run_round(race, jobs, index, root)
        for result in results:
            _check_against(result, report.references.get(result.function), sources)
        report.rounds.append(results)
    rng = random.Random(kill_seed)
    for _ in range(kills):
        report.kills.append(kill_check(race, rng.choice(sorted(race.functions)), rng, root, report.references,
                                       sources))
    report.leftovers = leftovers(before, snapshot(race.workspace, race.ignore, exclude=[root]))
    report.seconds = time.perf_counter() - started
    if race.out_dir is None and report.ok:
        shutil.rmtree(root, ignore_errors=True)
    return report


def kill_check(race: BuildRace, function: str, rng: random.Random, root: Path,
               references: dict[str, BuildResult], sources: dict[str, dict[str, str]]) -> KillResult:
    """SIGKILL a build of ``function`` at a random moment, then build it again, unaided."""
    reference = references[function]
    index = len(list(root.glob("kill-*")))
    out = root / f"kill-{index}" / f"{function}{race.suffix}"
    out.parent.mkdir(parents=True)
    tmp = root / "tmp" / f"kill-{index}"
    tmp.mkdir(parents=True, exist_ok=True)
    delay = rng.uniform(0.1, 0.9) * max(reference.seconds, 0.05)
    before = snapshot(race.workspace, race.ignore, exclude=[root])
    process = _start(race, function, out, tmp)
    time.sleep(delay)
    killed = process.poll() is None
    if killed:
        _kill_group(process)
    process.communicate()
    recovery = run_build(race, Job(function, 0, 0), RECOVERY_ROUND, out, root / "tmp" / f"kill-{index}-next")
    _check_against(recovery, reference, sources)
    shutil.rmtree(tmp, ignore_errors=True)
    left = leftovers(before, snapshot(race.workspace, race.ignore, exclude=[root]))
    stale = sorted(p.name for p in out.parent.iterdir() if p.name != out.name)
    return KillResult(function, delay, killed, recovery, left, stale)


def race_functions(race: BuildRace, *, rounds: int, seed: int = 0, kills: int = 0) -> RaceReport:
    """``rounds`` rounds of a schedule drawn from ``seed``, then ``kills`` kill checks."""
    schedule = random_schedule(sorted(race.functions), rounds, race.parallel, seed, race.max_jitter_ms)
    return run_race(race, schedule, kills=kills, kill_seed=seed)


def replay(race: BuildRace, schedule: str | Schedule, *, repeat: int = 1) -> RaceReport:
    """Run a reported schedule again (its text form, as printed in a failure report), ``repeat`` times."""
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
