"""Kill checks of the build race: SIGKILL a build at planned points, then build it again, unaided.

One kill at a random moment proved little: for a short build it often fell in the interpreter's
start-up, before the build had taken a lock or written a file, so a builder that leaves its lock behind
passed most runs. A plan of ``n`` kill checks is deterministic for a seed instead:

- the first kill waits for the build's **first file**: the moment a new file or folder appears at the top
  of the workspace (a lock such as ``.terraform.tfstate.lock.info``, a staging folder), next to the
  artifact (a temporary zip) or in the build's private ``TMPDIR``; the folders are polled every
  millisecond, so the build is killed holding what it just created;
- the others kill at **points spread over the function's reference build**: the duration is cut into
  ``n - 1`` equal slices and each kill lands inside its slice (20-80% of it, drawn from the seed).

A build that ends before its kill point is reported as not killed. The function of each check is drawn
from the seed too. After the kill, the same function is built again and must succeed, produce its
reference bytes, and leave nothing in the workspace or next to the artifact.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_infra_parity.chaos.build_process import check_against, environment, render, run_build
from pytest_infra_parity.chaos.build_reaper import Supervised
from pytest_infra_parity.chaos.build_report import BuildResult, KillResult
from pytest_infra_parity.chaos.schedule import Job
from pytest_infra_parity.chaos.workspace import leftovers, snapshot

if TYPE_CHECKING:
    from pytest_infra_parity.chaos.builds import BuildRace

RECOVERY_ROUND = -2
POLL_SECONDS = 0.001
MIN_REFERENCE_SECONDS = 0.05


@dataclass(frozen=True)
class KillPoint:
    """When a kill check SIGKILLs its build: on the first new file (``fraction`` None) or at a fraction
    of the reference build's duration."""

    fraction: float | None = None

    def describe(self) -> str:
        return "on its first file" if self.fraction is None else f"at {self.fraction:.0%} of its reference duration"


def kill_plan(kills: int, rng: random.Random) -> list[KillPoint]:
    """``kills`` points: the first file, then one point inside each equal slice of the reference build."""
    if kills <= 0:
        return []
    slices = kills - 1
    return [KillPoint(None), *(KillPoint(round((index + rng.uniform(0.2, 0.8)) / slices, 3))
                               for index in range(slices))]


def _entries(folders: list[Path]) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        try:
            found.update(str(folder / name) for name in os.listdir(folder))
        except FileNotFoundError:
            continue
    return found


def _wait_for_first_file(build: Supervised, folders: list[Path], before: set[str], timeout: float) -> list[str]:
    """The first new entries of ``folders`` (relative to the first folder when inside it); empty if the build
    ended (or the timeout passed) without any."""
    deadline = time.monotonic() + timeout
    while build.running() and time.monotonic() < deadline:
        new = sorted(_entries(folders) - before)
        if new:
            paths = [Path(entry) for entry in new]
            return [p.relative_to(folders[0]).as_posix() if p.is_relative_to(folders[0]) else p.name for p in paths]
        time.sleep(POLL_SECONDS)
    return []


def _run_to_kill_point(race: BuildRace, function: str, point: KillPoint, reference: BuildResult, out: Path,
                       tmp: Path, log: Path) -> tuple[bool, float, str]:
    """Start the build, SIGKILL it at ``point``: (killed, seconds in, what triggered the kill)."""
    folders = [race.workspace, out.parent, tmp]
    before = _entries(folders)
    command = render(race.command, function, race.functions[function], out)
    with log.open("wb") as output:
        build = Supervised(command, cwd=race.workspace, env=environment(race, function, out, tmp), output=output)
        started = time.perf_counter()
        if point.fraction is None:
            appeared = _wait_for_first_file(build, folders, before, race.timeout)
            trigger = f"when {', '.join(appeared)} appeared" if appeared else f"{point.describe()} (none appeared)"
        else:
            build.wait(point.fraction * max(reference.seconds, MIN_REFERENCE_SECONDS))
            trigger = point.describe()
        elapsed = time.perf_counter() - started
        killed = build.running()
        if killed:
            build.kill(race.timeout)
        else:
            build.finish(race.timeout)
    return killed, elapsed, trigger


def kill_check(race: BuildRace, function: str, point: KillPoint, index: int, root: Path,
               references: dict[str, BuildResult], sources: dict[str, dict[str, str]]) -> KillResult:
    """SIGKILL a build of ``function`` at ``point``, then build it again, unaided, and look for leftovers."""
    out = root / f"kill-{index}" / f"{function}{race.suffix}"
    out.parent.mkdir(parents=True)
    tmp = root / "tmp" / f"kill-{index}"
    tmp.mkdir(parents=True, exist_ok=True)
    before = snapshot(race.workspace, race.ignore, exclude=[root])
    killed, elapsed, trigger = _run_to_kill_point(race, function, point, references[function], out, tmp,
                                                  root / f"kill-{index}.log")
    recovery = run_build(race, Job(function, 0, 0), RECOVERY_ROUND, out, root / "tmp" / f"kill-{index}-next")
    check_against(recovery, references[function], sources)
    shutil.rmtree(tmp, ignore_errors=True)
    left = leftovers(before, snapshot(race.workspace, race.ignore, exclude=[root]))
    stale = sorted(p.name for p in out.parent.iterdir() if p.name != out.name)
    return KillResult(function, elapsed, killed, recovery, left, stale, point=point, trigger=trigger)


def kill_checks(race: BuildRace, kills: int, seed: int, root: Path, references: dict[str, BuildResult],
                sources: dict[str, dict[str, str]]) -> list[KillResult]:
    """The ``kills`` checks of :func:`kill_plan`, each on a function drawn from ``seed``."""
    rng = random.Random(seed)
    names = sorted(race.functions)
    return [kill_check(race, rng.choice(names), point, index, root, references, sources)
            for index, point in enumerate(kill_plan(kills, rng))]
